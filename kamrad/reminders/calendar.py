"""The personal iCalendar feed of a user's reminders."""

from __future__ import annotations

import datetime

import icalendar
from django.utils import timezone

from kamrad.reminders import engine


def feed(user, today: datetime.date | None = None) -> bytes:
    today = today or timezone.localdate()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Kamrad//Reminders//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Kamrad")
    stamp = timezone.now()
    for r in engine.reminders_for(user, today):
        event = icalendar.Event()
        event.add("dtstamp", stamp)
        if r.kind == "meeting" and r.at is not None:
            event.add("uid", f"meeting-{r.key.split(':')[1]}@kamrad")
            event.add("dtstart", timezone.localtime(r.at))
            event.add("dtend", timezone.localtime(r.end))
            event.add("summary", r.title)
            if r.place:
                event.add("location", r.place)
        else:
            event.add("uid", r.key.replace(":", "-") + "@kamrad")
            event.add("dtstart", r.due)
            event.add("dtend", r.due + datetime.timedelta(days=1))
            event.add("summary", f"{r.title} — {r.organization_name}")
        cal.add_component(event)
    return cal.to_ical()
