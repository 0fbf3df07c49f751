"""The one reminder engine: every kind of reminder computed from the data, never copied.

Kinds (the key names the object, so a mark stays with it):

- ``meeting:<id>`` — a planned meeting where the user is among our people, from overdue ones
  (not yet held or recorded: "record the meeting") up to `meetings_ahead_days` ahead;
- ``work_item:<id>`` — technical work assigned to the user, not closed, due within the same
  horizon or overdue;
- ``opportunity:<id>`` — an open opportunity the user owns whose next step is due;
- ``followup:program_client:<id>`` — a running program's client assigned to the user whose
  questionnaire is recorded but whose follow-ups are not created;
- ``date:event:<id>:<year>`` / ``birthday:contact:<id>:<year>`` — important dates and birthdays
  `dates_ahead_days` ahead for the clients the user manages (account manager). The year is in
  the key so next year's occurrence comes back. The head sees only the clients they manage
  themselves: reminders are personal, the head's overview is the program's pages;
- ``unmet:program_client:<id>`` — a running program's client assigned to the user and not met
  once the program has run `unmet_after_days`;
- ``untouched:relationship:<id>`` — the user's relationship with an active decision-maker not
  touched for `untouched_after_days` (or never).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients.models import Contact, Event, Relationship
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.program.models import Program, ProgramClient
from kamrad.reminders.models import ReminderMark, ReminderSettings
from kamrad.users import access

KINDS = (
    "meeting",
    "work_item",
    "opportunity",
    "followup",
    "date",
    "birthday",
    "unmet",
    "untouched",
)


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: str
    title: str
    due: datetime.date
    organization_id: int
    organization_name: str
    url: str
    at: datetime.datetime | None = None
    end: datetime.datetime | None = None
    place: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def group(self, today: datetime.date) -> str:
        if self.due < today:
            return "overdue"
        if self.due == today:
            return "today"
        return "upcoming"


def _card(organization_id: int) -> str:
    return reverse("clients:card", args=[organization_id])


def _occurrence(day: datetime.date, year: int) -> datetime.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, 2, 28)


def _in_window(day: datetime.date, recurs: bool, start: datetime.date, end: datetime.date):
    """The occurrences of a date between start and end (inclusive)."""
    if not recurs:
        return [day] if start <= day <= end else []
    found = []
    for year in range(start.year, end.year + 1):
        if year < day.year:
            continue
        when = _occurrence(day, year)
        if start <= when <= end:
            found.append(when)
    return found


def compute(user, today: datetime.date | None = None, thresholds=None) -> list[Reminder]:
    """All of the user's reminders, marked or not, sorted by due date."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    today = today or timezone.localdate()
    s = thresholds or ReminderSettings.load()
    horizon = today + datetime.timedelta(days=s.meetings_ahead_days)
    found: list[Reminder] = []

    meetings = access.scope(
        Meeting.objects.filter(
            our_people=user,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD],
        ).select_related("organization"),
        user,
        "organization",
    )
    for m in meetings:
        local = timezone.localtime(m.starts_at)
        if local.date() > horizon:
            continue
        if m.status == Meeting.Status.HELD or local.date() < today:
            title = _("Record the meeting with %(client)s") % {"client": m.organization.name}
        else:
            title = _("Meeting with %(client)s") % {"client": m.organization.name}
        found.append(
            Reminder(
                key=f"meeting:{m.pk}",
                kind="meeting",
                title=title,
                due=local.date(),
                at=m.starts_at,
                end=m.starts_at + datetime.timedelta(minutes=m.duration_minutes),
                place=m.place,
                organization_id=m.organization_id,
                organization_name=m.organization.name,
                url=reverse("meetings:detail", args=[m.pk]),
            )
        )

    work = access.scope(
        WorkItem.objects.filter(assigned_to=user, due_on__lte=horizon)
        .exclude(status=WorkItem.Status.CLOSED)
        .select_related("organization"),
        user,
        "organization",
    )
    for w in work:
        found.append(
            Reminder(
                key=f"work_item:{w.pk}",
                kind="work_item",
                title=_("Technical work: %(title)s") % {"title": w.title},
                due=w.due_on,
                organization_id=w.organization_id,
                organization_name=w.organization.name,
                url=reverse("meetings:work_item", args=[w.pk]),
            )
        )

    opportunities = access.scope(
        Opportunity.objects.filter(
            owner=user, status=Opportunity.Status.OPEN, next_step_on__lte=horizon
        ).select_related("organization"),
        user,
        "organization",
    )
    for o in opportunities:
        step = o.next_step or o.product_name or str(o.get_kind_display())
        found.append(
            Reminder(
                key=f"opportunity:{o.pk}",
                kind="opportunity",
                title=_("Next step: %(step)s") % {"step": step},
                due=o.next_step_on,
                organization_id=o.organization_id,
                organization_name=o.organization.name,
                url=reverse("meetings:opportunity", args=[o.pk]),
            )
        )

    program = Program.objects.filter(status=Program.Status.RUNNING).first()
    if program is not None:
        entries = access.scope(
            ProgramClient.objects.filter(program=program, assigned_to=user)
            .filter(Q(questionnaire_on__isnull=False, followups_on__isnull=True) | Q(met_on=None))
            .select_related("organization"),
            user,
            "organization",
        )
        unmet_due = program.starts_on + datetime.timedelta(days=s.unmet_after_days)
        for e in entries:
            if e.questionnaire_on and not e.followups_on:
                found.append(
                    Reminder(
                        key=f"followup:program_client:{e.pk}",
                        kind="followup",
                        title=_("Create the follow-ups for %(client)s")
                        % {"client": e.organization.name},
                        due=e.questionnaire_on,
                        organization_id=e.organization_id,
                        organization_name=e.organization.name,
                        url=_card(e.organization_id),
                    )
                )
            if e.met_on is None and program.days_running(today) >= s.unmet_after_days:
                found.append(
                    Reminder(
                        key=f"unmet:program_client:{e.pk}",
                        kind="unmet",
                        title=_("Not met yet: %(client)s") % {"client": e.organization.name},
                        due=unmet_due,
                        organization_id=e.organization_id,
                        organization_name=e.organization.name,
                        url=_card(e.organization_id),
                    )
                )

    end = today + datetime.timedelta(days=s.dates_ahead_days)
    months = {(today + datetime.timedelta(days=n)).month for n in range(s.dates_ahead_days + 1)}
    events = Event.objects.filter(
        organization__account_manager=user, date__month__in=months
    ).select_related("organization")
    for ev in events:
        for when in _in_window(ev.date, ev.recurs_yearly, today, end):
            found.append(
                Reminder(
                    key=f"date:event:{ev.pk}:{when.year}",
                    kind="date",
                    title=ev.title,
                    due=when,
                    organization_id=ev.organization_id,
                    organization_name=ev.organization.name,
                    url=_card(ev.organization_id),
                )
            )
    contacts = Contact.objects.filter(
        organization__account_manager=user,
        status=Contact.Status.ACTIVE,
        birthday__month__in=months,
    ).select_related("organization")
    for c in contacts:
        for when in _in_window(c.birthday, True, today, end):
            found.append(
                Reminder(
                    key=f"birthday:contact:{c.pk}:{when.year}",
                    kind="birthday",
                    title=_("Birthday: %(name)s") % {"name": c.full_name},
                    due=when,
                    organization_id=c.organization_id,
                    organization_name=c.organization.name,
                    url=_card(c.organization_id),
                )
            )

    cutoff = today - datetime.timedelta(days=s.untouched_after_days)
    relationships = access.scope(
        Relationship.objects.filter(
            staff=user,
            contact__status=Contact.Status.ACTIVE,
            contact__decision_roles__isnull=False,
        )
        .filter(Q(last_touch__isnull=True) | Q(last_touch__lt=cutoff))
        .select_related("contact__organization")
        .distinct(),
        user,
        "contact__organization",
    )
    for r in relationships:
        due = (
            r.last_touch + datetime.timedelta(days=s.untouched_after_days)
            if r.last_touch
            else today
        )
        org = r.contact.organization
        found.append(
            Reminder(
                key=f"untouched:relationship:{r.pk}",
                kind="untouched",
                title=_("Get in touch with %(name)s") % {"name": r.contact.full_name},
                due=due,
                organization_id=org.pk,
                organization_name=org.name,
                url=_card(org.pk),
            )
        )

    found.sort(
        key=lambda r: (r.due, r.at or datetime.datetime.min.replace(tzinfo=datetime.UTC), r.key)
    )
    return found


def hidden_keys(user, today: datetime.date) -> set[str]:
    marks = ReminderMark.objects.filter(user=user).filter(
        Q(done_at__isnull=False) | Q(snoozed_until__gt=today)
    )
    return set(marks.values_list("key", flat=True))


def reminders_for(user, today: datetime.date | None = None, thresholds=None) -> list[Reminder]:
    """The user's reminders not done and not snoozed."""
    today = today or timezone.localdate()
    every = compute(user, today, thresholds)
    if not every:
        return []
    hidden = hidden_keys(user, today)
    return [r for r in every if r.key not in hidden]


def due_count(user, today: datetime.date | None = None) -> int:
    """How many reminders are due today or overdue (the badge)."""
    today = today or timezone.localdate()
    return sum(1 for r in reminders_for(user, today) if r.due <= today)


def find(user, key: str, today: datetime.date | None = None) -> Reminder | None:
    """The user's reminder with this key (done or snoozed too), or None."""
    for r in compute(user, today):
        if r.key == key:
            return r
    return None
