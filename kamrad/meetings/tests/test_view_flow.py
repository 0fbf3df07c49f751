"""A meeting through its pages: planned, its questionnaire typed in, reviewed, recorded."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from kamrad.clients.models import Contact, Organization
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.meetings.tests.conftest import HELD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC), tick=False):
        yield


def test_it_plans_a_meeting_from_the_card(client, alice, alices_client, ivanov, questionnaire):
    client.force_login(alice)
    page = client.get(f"/meetings/plan/?organization={alices_client.pk}")
    assert page.status_code == 200 and "Иван Иванов" in page.text
    response = client.post(
        "/meetings/plan/",
        {
            "organization": alices_client.pk,
            "starts_at": "2026-11-27T11:00",
            "duration_minutes": "60",
            "place": "Их офис",
            "our_people": [alice.pk],
            "their_people": [ivanov.pk],
            "language": "en",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/"
    assert list(meeting.their_people.all()) == [ivanov]
    assert meeting.questionnaire.template == questionnaire


def test_a_plan_without_a_date_shows_the_field_error(client, alice, alices_client, questionnaire):
    client.force_login(alice)
    response = client.post(
        "/meetings/plan/",
        {
            "organization": alices_client.pk,
            "duration_minutes": "60",
            "our_people": [alice.pk],
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not Meeting.objects.exists()


def test_another_managers_client_cannot_be_planned_for(client, bob, alices_client):
    client.force_login(bob)
    assert client.get(f"/meetings/plan/?organization={alices_client.pk}").status_code == 404


def questionnaire_post(meeting: Meeting, internet, ivanov: Contact, **extra) -> dict:
    speed, outage = internet.quality_checks.order_by("position")
    data = {
        "version": meeting.version,
        "a-meeting_goal": "Renewal",
        "n-key_people": "3",
        "a-key_people-0-contact": ivanov.pk,
        "a-key_people-0-full_name": ivanov.full_name,
        "a-key_people-0-position": "Директор",
        "a-key_people-0-attended": "on",
        "a-key_people-1-full_name": "Пётр Петров",
        "a-key_people-1-position": "Финансовый директор",
        "a-key_people-1-roles": ["approves_budget", "signs"],
        "a-key_people-1-attended": "on",
        "a-key_people-2-full_name": "",
        "n-quality": "1",
        "a-quality-0-product": internet.pk,
        "a-quality-0-checks": [speed.pk, outage.pk],
        f"a-quality-0-{speed.pk}-promised": "100",
        f"a-quality-0-{speed.pk}-measured": "55",
        f"a-quality-0-{outage.pk}-answer": "no",
        "n-referrals": "1",
        "a-referrals-0-organization": "ООО Лютик",
        "a-referrals-0-person": "Сергей Сергеев",
        "a-referrals-0-referrer": ivanov.pk,
        "n-new_products": "1",
        "a-new_products-0-product_name": "Облачная АТС",
        "a-new_products-0-estimated_value": "90 000",
        "a-satisfied": "4",
    }
    data.update(extra)
    return data


def test_the_whole_recording_through_the_pages(client, alice, meeting, internet, ivanov):
    from kamrad.value.models import Sale  # noqa: F401  (the service is offered by hand here)

    client.force_login(alice)
    page = client.get(f"/meetings/{meeting.pk}/questionnaire/")
    assert page.status_code == 200
    assert 'name="a-key_people-0-contact"' in page.text  # the known person, pre-filled
    response = client.post(
        f"/meetings/{meeting.pk}/questionnaire/",
        questionnaire_post(meeting, internet, ivanov, next="review"),
    )
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/review/"
    review = client.get(response.url)
    assert "New key person: Пётр Петров" in review.text
    assert "measured 55" in review.text
    assert "New prospect ООО Лютик" in review.text
    keys = [
        line.split('value="')[1].split('"')[0]
        for line in review.text.splitlines()
        if 'name="accept"' in line
    ]
    meeting.refresh_from_db()
    recorded = client.post(
        f"/meetings/{meeting.pk}/review/",
        {"accept": keys, "version": meeting.version, "held_on": HELD.isoformat()},
    )
    assert recorded.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RECORDED and meeting.held_on == HELD
    person = Contact.objects.get(full_name="Пётр Петров")
    assert {r.role for r in person.decision_roles.all()} == {"approves_budget", "signs"}
    assert WorkItem.objects.get().measured == "55"
    assert Opportunity.objects.get().estimated_minor == 9_000_000
    prospect = Organization.objects.get(name="ООО Лютик")
    assert prospect.referred_by == meeting.organization and prospect.referred_by_contact == ivanov
    detail = client.get(f"/meetings/{meeting.pk}/")
    assert "Пётр Петров" in detail.text and "ООО Лютик" in detail.text
    card_section = client.get(
        f"/meetings/client/{meeting.organization_id}/", headers={"HX-Request": "true"}
    )
    assert "Облачная АТС" in card_section.text and "ООО Лютик" in card_section.text
    prospect_section = client.get(f"/meetings/client/{prospect.pk}/")
    assert (
        "Referred by" in prospect_section.text
        and meeting.organization.name in prospect_section.text
    )


def test_bad_answers_are_shown_by_the_question_and_nothing_is_saved(
    client, alice, meeting, internet, ivanov
):
    client.force_login(alice)
    response = client.post(
        f"/meetings/{meeting.pk}/questionnaire/",
        questionnaire_post(
            meeting, internet, ivanov, **{"a-satisfied": "9", "a-key_people-2-position": "CTO"}
        ),
    )
    assert response.status_code == 400
    assert "Rate from 1 to 5." in response.text
    assert "Row 3: A new person needs a full name." in response.text
    assert 'value="Пётр Петров"' in response.text  # what was typed stays
    meeting.refresh_from_db()
    assert meeting.answers == {}


def test_a_stale_questionnaire_is_refused_with_what_was_typed_kept(
    client, alice, meeting, internet, ivanov
):
    client.force_login(alice)
    data = questionnaire_post(meeting, internet, ivanov)
    client.post(f"/meetings/{meeting.pk}/questionnaire/", {**data, "a-meeting_goal": "First"})
    response = client.post(
        f"/meetings/{meeting.pk}/questionnaire/", {**data, "a-meeting_goal": "Second"}
    )
    assert response.status_code == 409
    assert "Someone else saved this meeting" in response.text and 'value="Second"' in response.text
    meeting.refresh_from_db()
    assert meeting.answers["meeting_goal"] == "First"


def test_the_viewer_reads_but_cannot_record(client, viewer, meeting):
    client.force_login(viewer)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"/meetings/{meeting.pk}/questionnaire/").status_code == 200
    assert client.post(f"/meetings/{meeting.pk}/questionnaire/", {}).status_code == 403
    assert client.post(f"/meetings/{meeting.pk}/review/", {}).status_code == 403


def test_another_manager_gets_404_everywhere(client, bob, meeting):
    client.force_login(bob)
    for url in ("", "questionnaire/", "questionnaire.pdf"):
        assert client.get(f"/meetings/{meeting.pk}/{url}").status_code == 404


def test_hold_and_cancel(client, alice, meeting):
    client.force_login(alice)
    response = client.post(
        f"/meetings/{meeting.pk}/hold/", {"version": meeting.version, "held_on": "2026-11-20"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert (
        client.post(f"/meetings/{meeting.pk}/cancel/", {"version": meeting.version}).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD  # only a planned meeting can be cancelled


def test_the_lists_and_the_calendar_keep_their_query_count(
    client, alice, meeting, django_assert_max_num_queries
):
    client.force_login(alice)
    for url in (
        "/meetings/?when=all",
        "/meetings/calendar/?month=2026-11",
        "/meetings/work-items/",
        "/meetings/opportunities/",
    ):
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200, url
    calendar = client.get("/meetings/calendar/?month=2026-11")
    assert alice_client_name(meeting) in calendar.text


def alice_client_name(meeting: Meeting) -> str:
    return meeting.organization.name


def test_work_item_edit_closes_it(client, alice, alices_client):
    from kamrad.meetings import services

    item = services.work_item_create(user=alice, organization=alices_client, data={"title": "Slow"})
    client.force_login(alice)
    response = client.post(
        f"/meetings/work-items/{item.pk}/",
        {"title": "Slow", "status": "closed", "version": item.version, "notes": "Fixed the switch"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == WorkItem.Status.CLOSED and item.closed_on == datetime.date(2026, 11, 25)
    stale = client.post(
        f"/meetings/work-items/{item.pk}/", {"title": "x", "status": "open", "version": 1}
    )
    assert stale.status_code == 409
