"""What a recorded meeting yields: each change shown first, then applied only when confirmed."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kamrad.clients.models import Contact, DossierEntry, Organization, Product, Relationship
from kamrad.clients.services import StaleEdit
from kamrad.meetings import services
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.meetings.tests.conftest import HELD
from kamrad.program import services as program_services
from kamrad.program.models import Program
from kamrad.users.models import User

pytestmark = pytest.mark.django_db
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


def save(meeting: Meeting, user: User, answers: dict) -> Meeting:
    return services.meeting_save_answers(
        user=user, meeting=meeting, data=answers, expected_version=meeting.version
    )


def record_all(meeting: Meeting, user: User) -> list[MeetingOutcome]:
    keys = [c.key for c in services.meeting_review(meeting)]
    return services.meeting_record(
        user=user, meeting=meeting, accepted=keys, expected_version=meeting.version
    )


def quality(product: Product, speed: str, outage: str) -> list[dict]:
    speed_check, outage_check = product.quality_checks.order_by("position")
    return [
        {
            "product": product.pk,
            "checks": [
                {"check": speed_check.pk, "promised": "100", "measured": speed},
                {"check": outage_check.pk, "answer": outage},
            ],
        }
    ]


def test_it_creates_a_new_key_person_with_roles_and_data(meeting, alice):
    meeting = save(
        meeting,
        alice,
        {
            "key_people": [
                {
                    "full_name": "Пётр Петров",
                    "position": "CFO",
                    "roles": ["approves_budget"],
                    "phone": "+7 916 111-22-33",
                    "email": "petrov@example.ru",
                    "attended": True,
                }
            ]
        },
    )
    changes = services.meeting_review(meeting)
    assert [c.kind for c in changes if c.kind == MeetingOutcome.Kind.PERSON_NEW] == ["person_new"]
    record_all(meeting, alice)
    person = Contact.objects.get(full_name="Пётр Петров")
    assert person.organization == meeting.organization
    assert [r.role for r in person.decision_roles.all()] == ["approves_budget"]
    assert {p.value for p in person.contact_points.all()} == {
        "+7 916 111-22-33",
        "petrov@example.ru",
    }
    # Our attendee now knows the new person, touched on the meeting's day.
    relation = Relationship.objects.get(contact=person, staff=alice)
    assert relation.last_touch == HELD


def test_it_updates_a_changed_position_and_marks_who_left(meeting, alice, ivanov, alices_client):
    old = Contact.objects.create(organization=alices_client, full_name="Old Timer", position="CTO")
    meeting = save(
        meeting,
        alice,
        {
            "key_people": [
                {
                    "contact": ivanov.pk,
                    "full_name": ivanov.full_name,
                    "position": "Генеральный директор",
                },
                {"contact": old.pk, "full_name": old.full_name, "left": True},
            ]
        },
    )
    record_all(meeting, alice)
    ivanov.refresh_from_db()
    old.refresh_from_db()
    assert ivanov.position == "Генеральный директор"
    assert old.status == Contact.Status.LEFT and old.left_on == HELD
    assert Contact.objects.filter(pk=old.pk).exists()  # never deleted


def test_it_refreshes_contact_data_and_the_last_touch(meeting, alice, ivanov):
    Relationship.objects.create(
        staff=alice, contact=ivanov, warmth=4, last_touch=datetime.date(2025, 1, 1)
    )
    meeting = save(
        meeting, alice, {"key_people": [{"contact": ivanov.pk, "email": "ivanov@romashka.ru"}]}
    )
    record_all(meeting, alice)
    assert ivanov.contact_points.filter(value="ivanov@romashka.ru").exists()
    relation = Relationship.objects.get(staff=alice, contact=ivanov)
    assert relation.last_touch == HELD and relation.warmth == 4


def test_a_failed_speed_check_opens_a_work_item(meeting, alice, internet):
    meeting = save(meeting, alice, {"quality": quality(internet, "60", "no")})
    outcomes = record_all(meeting, alice)
    item = WorkItem.objects.get()
    assert item.product == internet and item.measured == "60" and item.promised == "100"
    assert item.status == WorkItem.Status.OPEN
    assert item.assigned_to == alice
    assert item.due_on == HELD + datetime.timedelta(days=7)
    assert "60" in item.title
    assert [o.kind for o in outcomes if o.kind == "work_item"] == ["work_item"]


def test_a_service_passing_every_check_opens_nothing(meeting, alice, internet):
    meeting = save(meeting, alice, {"quality": quality(internet, "120", "no")})
    assert not [c for c in services.meeting_review(meeting) if c.kind == "work_item"]


def test_a_remembered_outage_fails_the_service(meeting, alice, internet):
    meeting = save(meeting, alice, {"quality": quality(internet, "120", "yes")})
    record_all(meeting, alice)
    assert WorkItem.objects.get().title.startswith("Noticeable outage")


def test_expansion_and_new_product_answers_become_opportunities(meeting, alice, internet):
    meeting = save(
        meeting,
        alice,
        {
            "expansion": [
                {
                    "product": internet.pk,
                    "estimated_value": "120 000",
                    "currency": "RUB",
                    "next_step": "Send an offer",
                    "next_step_on": "2026-12-05",
                }
            ],
            "new_products": [{"product_name": "Cloud backup", "next_step": "Demo"}],
        },
    )
    record_all(meeting, alice)
    expansion = Opportunity.objects.get(kind=Opportunity.Kind.EXPANSION)
    assert expansion.product == internet
    assert expansion.estimated_minor == 12_000_000 and expansion.currency == "RUB"
    assert expansion.next_step_on == datetime.date(2026, 12, 5)
    new = Opportunity.objects.get(kind=Opportunity.Kind.NEW_PRODUCT)
    assert new.product_name == "Cloud backup" and new.estimated_minor is None


def test_a_referral_becomes_a_prospect_referred_by_the_client_and_person(meeting, alice, ivanov):
    meeting = save(
        meeting,
        alice,
        {
            "referrals": [
                {
                    "organization": "ООО Лютик",
                    "person": "Сергей Сергеев",
                    "phone": "+7 900 1",
                    "referrer": ivanov.pk,
                }
            ]
        },
    )
    record_all(meeting, alice)
    prospect = Organization.objects.get(name="ООО Лютик")
    assert prospect.kind == Organization.Kind.PROSPECT
    assert prospect.referred_by == meeting.organization
    assert prospect.referred_by_contact == ivanov
    assert prospect.account_manager == alice
    assert prospect.contacts.get().full_name == "Сергей Сергеев"


def test_carnegie_answers_land_in_the_dossier_and_the_persons_notes(meeting, alice, ivanov):
    meeting = save(
        meeting,
        alice,
        {
            "proud_of": "Grew from 3 to 300 people in ten years.",
            "key_people": [{"contact": ivanov.pk, "about": "Runs marathons."}],
        },
    )
    record_all(meeting, alice)
    assert DossierEntry.objects.filter(
        organization=meeting.organization, contact=None, text__contains="300 people"
    ).exists()
    ivanov.refresh_from_db()
    assert "Runs marathons." in ivanov.personal_notes
    assert DossierEntry.objects.filter(contact=ivanov, text="Runs marathons.").exists()


def test_only_the_confirmed_changes_are_applied(meeting, alice, internet):
    meeting = save(
        meeting,
        alice,
        {
            "quality": quality(internet, "60", "no"),
            "new_products": [{"product_name": "Cloud backup"}],
        },
    )
    keys = [c.key for c in services.meeting_review(meeting) if c.kind == "opportunity"]
    services.meeting_record(
        user=alice, meeting=meeting, accepted=keys, expected_version=meeting.version
    )
    assert Opportunity.objects.count() == 1
    assert not WorkItem.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RECORDED


def test_a_recorded_meeting_cannot_be_recorded_twice(meeting, alice):
    meeting = save(meeting, alice, {"new_products": [{"product_name": "Cloud backup"}]})
    record_all(meeting, alice)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        record_all(meeting, alice)
    assert Opportunity.objects.count() == 1


def test_a_stale_copy_is_refused(meeting, alice):
    stale = meeting.version
    save(meeting, alice, {"meeting_goal": "Renewal"})
    with pytest.raises(StaleEdit):
        services.meeting_save_answers(user=alice, meeting=meeting, data={}, expected_version=stale)


def test_bad_answers_change_nothing_and_name_the_row(meeting, alice):
    with pytest.raises(ValidationError) as raised:
        save(
            meeting,
            alice,
            {"key_people": [{"full_name": "Ok"}, {"position": "no name"}], "satisfied": 9},
        )
    assert "Row 2" in str(raised.value.message_dict["key_people"])
    assert "satisfied" in raised.value.message_dict
    meeting.refresh_from_db()
    assert meeting.answers == {}


def test_another_managers_client_is_refused(meeting, bob):
    with pytest.raises(Exception) as raised:
        save(meeting, bob, {"meeting_goal": "x"})
    assert raised.type.__name__ == "PermissionDenied"


def test_the_meeting_moves_the_program_marks(alice, head, alices_client, ivanov, questionnaire):
    program = program_services.program_create(
        user=head,
        data={
            "name": "VIP",
            "starts_on": datetime.date(2026, 11, 1),
            "ends_on": datetime.date(2027, 3, 1),
            "head": head,
            "status": Program.Status.RUNNING,
        },
    )
    program_services.clients_add(user=head, program=program, organizations=[alices_client])
    planned = services.meeting_plan(
        user=alice,
        organization=alices_client,
        data={"starts_at": datetime.datetime(2026, 11, 24, 15, tzinfo=MOSCOW)},
    )
    entry = program.clients.get()
    assert planned.program_client == entry and entry.meeting_planned_on == datetime.date(
        2026, 11, 24
    )
    planned = save(planned, alice, {"meeting_goal": "Know them"})
    record_all(planned, alice)
    entry.refresh_from_db()
    assert entry.met_on == datetime.date(2026, 11, 24)
    assert entry.questionnaire_on == entry.followups_on == datetime.date(2026, 11, 25)
    from kamrad.program.selectors import WORKED, work_state

    assert work_state(entry) == WORKED


def test_a_meeting_in_the_future_cannot_be_recorded(alice, alices_client, questionnaire):
    later = services.meeting_plan(
        user=alice,
        organization=alices_client,
        data={"starts_at": datetime.datetime(2026, 12, 10, 10, tzinfo=MOSCOW)},
    )
    with pytest.raises(ValidationError):
        record_all(later, alice)
