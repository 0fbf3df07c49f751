"""Reminders: each kind computed from hand-made data with the clock held, Done and Snooze,
the daily digest once a day, the calendar feed read by an independent parser, and access."""

from __future__ import annotations

import datetime

import pytest
import time_machine
import vobject
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kamrad.clients.models import Contact, DecisionRole, Event, Organization, Relationship
from kamrad.meetings import services as meeting_services
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.meetings.tests.conftest import build_questionnaire
from kamrad.program.models import Program, ProgramClient
from kamrad.reminders import engine, services
from kamrad.reminders.models import DigestSent, FeedToken, ReminderMark, ReminderSettings
from kamrad.users.models import User

TODAY = datetime.date(2026, 12, 2)
NOON = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def questionnaire(db):
    return build_questionnaire()


def plan(user: User, organization: Organization, day: datetime.date, hour: int = 10) -> Meeting:
    return meeting_services.meeting_plan(
        user=user,
        organization=organization,
        data={
            "starts_at": timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))),
            "place": "Their office",
        },
        language="en",
    )


def keys(user: User) -> list[str]:
    return [r.key for r in engine.reminders_for(user, TODAY)]


def test_it_reminds_of_planned_meetings_ahead_and_asks_to_record_overdue_ones(
    alice, bob, alices_client, bobs_client, questionnaire
):
    soon = plan(alice, alices_client, TODAY + datetime.timedelta(days=2))
    past = plan(alice, alices_client, TODAY - datetime.timedelta(days=3))
    far = plan(alice, alices_client, TODAY + datetime.timedelta(days=30))
    plan(bob, bobs_client, TODAY)
    found = {r.key: r for r in engine.reminders_for(alice, TODAY)}
    assert set(found) == {f"meeting:{soon.pk}", f"meeting:{past.pk}"}
    assert f"meeting:{far.pk}" not in found
    assert found[f"meeting:{past.pk}"].title.startswith("Record the meeting")
    assert found[f"meeting:{past.pk}"].group(TODAY) == "overdue"
    assert found[f"meeting:{soon.pk}"].group(TODAY) == "upcoming"


def test_it_reminds_of_due_work_items_and_next_steps_of_the_user(alice, bob, alices_client):
    item = WorkItem.objects.create(
        organization=alices_client, title="Speed", assigned_to=alice, due_on=TODAY
    )
    WorkItem.objects.create(
        organization=alices_client,
        title="Closed",
        assigned_to=alice,
        due_on=TODAY,
        status=WorkItem.Status.CLOSED,
    )
    WorkItem.objects.create(
        organization=alices_client, title="Bob's", assigned_to=bob, due_on=TODAY
    )
    step = Opportunity.objects.create(
        organization=alices_client,
        kind=Opportunity.Kind.choices[0][0],
        next_step="Send the offer",
        next_step_on=TODAY - datetime.timedelta(days=1),
        owner=alice,
    )
    assert keys(alice) == [f"opportunity:{step.pk}", f"work_item:{item.pk}"]
    assert engine.due_count(alice, TODAY) == 2


@pytest.fixture
def running(head, alice, alices_client) -> tuple[Program, ProgramClient]:
    program = Program.objects.create(
        name="VIP",
        starts_on=TODAY - datetime.timedelta(days=20),
        ends_on=TODAY + datetime.timedelta(days=100),
        head=head,
        status=Program.Status.RUNNING,
    )
    entry = ProgramClient.objects.create(
        program=program, organization=alices_client, source="added", assigned_to=alice
    )
    return program, entry


def test_it_reminds_of_program_clients_not_met_once_the_program_has_run_long_enough(alice, running):
    program, entry = running
    assert keys(alice) == [f"unmet:program_client:{entry.pk}"]
    ReminderSettings.objects.filter(pk=1).update(unmet_after_days=30)
    assert keys(alice) == []


def test_it_reminds_to_create_follow_ups_after_the_questionnaire(alice, running):
    _program, entry = running
    ProgramClient.objects.filter(pk=entry.pk).update(
        met_on=TODAY - datetime.timedelta(days=2), questionnaire_on=TODAY
    )
    assert keys(alice) == [f"followup:program_client:{entry.pk}"]


def test_it_reminds_of_anniversaries_one_off_dates_and_birthdays_a_few_days_ahead(
    alice, bob, alices_client, bobs_client
):
    anniversary = Event.objects.create(
        organization=alices_client,
        title="Founded",
        date=datetime.date(2001, 12, 5),
        recurs_yearly=True,
    )
    Event.objects.create(
        organization=alices_client, title="Old move", date=datetime.date(2001, 12, 5)
    )
    one_off = Event.objects.create(
        organization=alices_client, title="Move", date=datetime.date(2026, 12, 8)
    )
    Event.objects.create(
        organization=alices_client, title="Too far", date=datetime.date(2026, 12, 20)
    )
    ivan = Contact.objects.create(
        organization=alices_client, full_name="Ivan", birthday=datetime.date(1970, 12, 3)
    )
    Contact.objects.create(
        organization=alices_client,
        full_name="Gone",
        birthday=datetime.date(1970, 12, 3),
        status=Contact.Status.LEFT,
    )
    Contact.objects.create(
        organization=bobs_client, full_name="Bob's", birthday=datetime.date(1970, 12, 3)
    )
    assert set(keys(alice)) == {
        f"date:event:{anniversary.pk}:2026",
        f"date:event:{one_off.pk}:2026",
        f"birthday:contact:{ivan.pk}:2026",
    }
    assert keys(bob) != []  # bob gets his own client's birthday
    assert all("birthday" in k for k in keys(bob))


def test_it_reminds_of_key_people_not_touched_for_long(alice, bob, alices_client):
    boss = Contact.objects.create(organization=alices_client, full_name="Boss")
    DecisionRole.objects.create(contact=boss, role=DecisionRole.Role.DECIDES)
    clerk = Contact.objects.create(organization=alices_client, full_name="Clerk")
    stale = Relationship.objects.create(
        staff=alice, contact=boss, warmth=3, last_touch=TODAY - datetime.timedelta(days=120)
    )
    Relationship.objects.create(staff=alice, contact=clerk, warmth=3)
    assert keys(alice) == [f"untouched:relationship:{stale.pk}"]
    Relationship.objects.filter(pk=stale.pk).update(last_touch=TODAY)
    assert keys(alice) == []


def test_it_hides_a_done_reminder_and_brings_a_snoozed_one_back(alice, alices_client, client):
    item = WorkItem.objects.create(
        organization=alices_client, title="Speed", assigned_to=alice, due_on=TODAY
    )
    other = WorkItem.objects.create(
        organization=alices_client, title="Ping", assigned_to=alice, due_on=TODAY
    )
    client.force_login(alice)
    response = client.post(reverse("reminders:done"), {"key": f"work_item:{item.pk}"})
    assert response.status_code == 302
    response = client.post(
        reverse("reminders:snooze"), {"key": f"work_item:{other.pk}", "for": "3d"}
    )
    assert response.status_code == 302
    assert keys(alice) == []
    later = TODAY + datetime.timedelta(days=3)
    assert [r.key for r in engine.reminders_for(alice, later)] == [f"work_item:{other.pk}"]


def test_it_snoozes_in_place_with_htmx_and_refuses_a_past_date(alice, alices_client, client):
    item = WorkItem.objects.create(
        organization=alices_client, title="Speed", assigned_to=alice, due_on=TODAY
    )
    client.force_login(alice)
    key = f"work_item:{item.pk}"
    bad = client.post(
        reverse("reminders:snooze"), {"key": key, "until": "2020-01-01"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400
    assert not ReminderMark.objects.exists()
    ok = client.post(
        reverse("reminders:snooze"), {"key": key, "until": "2026-12-10"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200
    assert ReminderMark.objects.get().snoozed_until == datetime.date(2026, 12, 10)


def test_it_refuses_a_key_naming_another_users_object(alice, bob, bobs_client, client):
    item = WorkItem.objects.create(
        organization=bobs_client, title="Bob's", assigned_to=bob, due_on=TODAY
    )
    client.force_login(alice)
    assert (
        client.post(reverse("reminders:done"), {"key": f"work_item:{item.pk}"}).status_code == 404
    )
    assert client.post(reverse("reminders:done"), {"key": "nonsense"}).status_code == 404
    assert not ReminderMark.objects.exists()


def test_it_shows_the_list_and_the_badge_with_a_fixed_number_of_queries(
    alice, alices_client, client, django_assert_max_num_queries
):
    for n in range(5):
        WorkItem.objects.create(
            organization=alices_client, title=f"Item {n}", assigned_to=alice, due_on=TODAY
        )
    client.force_login(alice)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("reminders:list"))
    body = response.content.decode()
    assert "Item 4" in body
    badge = client.get(reverse("reminders:badge")).content.decode()
    assert badge.strip() == '<span class="badge">5</span>'


def test_it_lets_only_the_head_change_the_settings(head, alice, client):
    client.force_login(alice)
    assert client.post(reverse("reminders:settings"), {}).status_code == 403
    client.force_login(head)
    response = client.post(
        reverse("reminders:settings"),
        {
            "meetings_ahead_days": 3,
            "dates_ahead_days": 10,
            "unmet_after_days": 21,
            "untouched_after_days": 60,
        },
    )
    assert response.status_code == 302
    assert ReminderSettings.load().untouched_after_days == 60
    bad = client.post(reverse("reminders:settings"), {"meetings_ahead_days": "x"})
    assert bad.status_code == 200
    assert ReminderSettings.load().meetings_ahead_days == 3


def test_it_sends_the_daily_digest_once_a_day(alice, bob, alices_client, settings):
    alice.email = "alice@example.com"
    alice.save()
    bob.email = "bob@example.com"
    bob.save()  # bob has no reminders: no e-mail
    WorkItem.objects.create(
        organization=alices_client, title="Speed", assigned_to=alice, due_on=TODAY
    )
    call_command("remind", "--date", "2026-12-02", "--dry-run")
    assert mail.outbox == []
    call_command("remind", "--date", "2026-12-02")
    call_command("remind", "--date", "2026-12-02")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Kamrad: 1 reminder for 2 December"
    assert "Technical work: Speed" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert DigestSent.objects.filter(user=alice, day=TODAY).count() == 1


def test_it_serves_the_calendar_feed_to_its_token_only(
    alice, bob, alices_client, bobs_client, questionnaire, client
):
    meeting = plan(alice, alices_client, TODAY + datetime.timedelta(days=1), hour=14)
    plan(bob, bobs_client, TODAY + datetime.timedelta(days=1))
    WorkItem.objects.create(
        organization=alices_client, title="Speed", assigned_to=alice, due_on=TODAY
    )
    token = services.feed_create(user=alice)
    assert FeedToken.objects.get().token_hash == services.hash_token(token)
    url = reverse("reminders:feed_ics", args=[token])
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = vobject.readOne(response.content.decode())
    events = {e.uid.value: e for e in cal.vevent_list}
    assert set(events) == {
        f"meeting-{meeting.pk}@kamrad",
        f"work_item-{WorkItem.objects.get().pk}@kamrad",
    }
    event = events[f"meeting-{meeting.pk}@kamrad"]
    assert event.dtstart.value == meeting.starts_at
    assert event.dtend.value - event.dtstart.value == datetime.timedelta(minutes=60)
    assert alices_client.name in event.summary.value
    assert event.location.value == "Their office"
    assert events[f"work_item-{WorkItem.objects.get().pk}@kamrad"].dtstart.value == TODAY
    newer = services.feed_create(user=alice)
    assert client.get(url).status_code == 404
    assert client.get(reverse("reminders:feed_ics", args=[newer])).status_code == 200
    services.feed_revoke(user=alice)
    assert client.get(reverse("reminders:feed_ics", args=[newer])).status_code == 404
    assert client.get(reverse("reminders:feed_ics", args=["nope"])).status_code == 404


def test_it_shows_the_feed_address_once_after_creating_it(alice, client):
    client.force_login(alice)
    response = client.post(reverse("reminders:feed"), {"action": "create"})
    assert "/reminders/feed/" in response.content.decode()
    again = client.get(reverse("reminders:feed"))
    assert ".ics" not in again.content.decode()
    client.post(reverse("reminders:feed"), {"action": "revoke"})
    assert not FeedToken.objects.filter(revoked_at__isnull=True).exists()


def test_it_writes_the_digest_in_russian_when_the_site_speaks_russian(
    alice, alices_client, settings
):
    settings.LANGUAGE_CODE = "ru"
    alice.email = "alice@example.com"
    alice.save()
    for n in range(2):
        WorkItem.objects.create(
            organization=alices_client, title=f"W{n}", assigned_to=alice, due_on=TODAY
        )
    call_command("remind", "--user", "alice")
    assert mail.outbox[0].subject == "Kamrad: 2 напоминания на 2 декабря"
    assert "Технические работы: W0" in mail.outbox[0].body
