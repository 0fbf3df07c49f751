"""Meetings over the API: plan, change, cancel, hold, answer, review and record, with the
pages' access rules (another manager's meeting is not found, a viewer only reads)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from kamrad.clients.models import Organization
from kamrad.meetings import services
from kamrad.meetings.models import Meeting, WorkItem
from kamrad.meetings.tests.conftest import HELD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(meeting: Meeting, action: str = "") -> str:
    return f"/api/meetings/{meeting.pk}/" + (f"{action}/" if action else "")


def quality(product, speed: str) -> list[dict]:
    speed_check, outage_check = product.quality_checks.order_by("position")
    return [
        {
            "product": product.pk,
            "checks": [
                {"check": speed_check.pk, "promised": "100", "measured": speed},
                {"check": outage_check.pk, "answer": "no"},
            ],
        }
    ]


def test_it_plans_a_meeting_with_a_client_of_hers(alice, alices_client, ivanov, questionnaire):
    body = {
        "organization": alices_client.pk,
        "starts_at": "2026-12-01T10:00:00+03:00",
        "place": "Their office",
        "their_people": [ivanov.pk],
    }
    response = api(alice).post("/api/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    meeting = Meeting.objects.get(pk=data["id"])
    assert meeting.organization == alices_client and meeting.status == "planned"
    assert data["our_people"] == [alice.pk] and data["their_people"] == [ivanov.pk]
    assert data["questionnaire"] == meeting.questionnaire_id is not None
    assert response["ETag"] == '"1"'


def test_it_refuses_to_plan_with_another_managers_client(alice, bobs_client, questionnaire):
    body = {"organization": bobs_client.pk, "starts_at": "2026-12-01T10:00:00Z"}
    response = api(alice).post("/api/meetings/", body, format="json")
    assert response.status_code == 400
    assert response.json()["organization"] == ["No such client."]
    assert not Meeting.objects.exists()


def test_it_names_the_bad_fields_of_a_plan(alice, alices_client, questionnaire):
    response = api(alice).post(
        "/api/meetings/", {"organization": alices_client.pk, "starts_at": "soon"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"starts_at"}


def test_a_viewer_reads_meetings_but_cannot_plan_one(viewer, alices_client, meeting):
    assert api(viewer).get(url(meeting)).status_code == 200
    body = {"organization": alices_client.pk, "starts_at": "2026-12-01T10:00:00Z"}
    assert api(viewer).post("/api/meetings/", body, format="json").status_code == 403
    assert (
        api(viewer).post(url(meeting, "cancel"), {"version": 1}, format="json").status_code == 403
    )
    assert Meeting.objects.get().status == "planned"


def test_another_managers_meeting_is_not_found(bob, meeting):
    client = api(bob)
    assert client.get(url(meeting)).status_code == 404
    assert (
        client.patch(url(meeting), {"place": "X", "version": 1}, format="json").status_code == 404
    )
    assert client.get(url(meeting, "review")).status_code == 404
    assert client.get("/api/meetings/").json()["results"] == []


def test_the_list_filters_by_client_status_dates_and_attendance(
    head, alice, alices_client, meeting, bobs_client, bob
):
    other = services.meeting_plan(
        user=bob,
        organization=bobs_client,
        data={"starts_at": datetime.datetime(2026, 12, 10, 9, tzinfo=datetime.UTC)},
    )
    client = api(head)

    def ids(**params) -> list[int]:
        response = client.get("/api/meetings/", params)
        assert response.status_code == 200, response.json()
        return [m["id"] for m in response.json()["results"]]

    assert ids() == [other.pk, meeting.pk]
    assert ids(organization=alices_client.pk) == [meeting.pk]
    assert ids(**{"from": "2026-12-01"}) == [other.pk]
    assert ids(to="2026-11-30") == [meeting.pk]
    assert ids(status="cancelled") == []
    assert api(alice).get("/api/meetings/", {"mine": "true"}).json()["results"][0]["id"] == (
        meeting.pk
    )
    assert ids(mine="true") == []
    for bad in ({"status": "done"}, {"organization": "one"}, {"from": "tomorrow"}):
        assert client.get("/api/meetings/", bad).status_code == 400


def test_it_reschedules_a_meeting_and_refuses_a_stale_copy(alice, meeting):
    response = api(alice).patch(
        url(meeting), {"place": "Our office", "version": meeting.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["place"] == "Our office"
    stale = api(alice).patch(url(meeting), {"place": "Cafe", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Meeting.objects.get().place == "Our office"


def test_it_cancels_a_planned_meeting(alice, meeting):
    response = api(alice).post(url(meeting, "cancel"), {"version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = api(alice).post(url(meeting, "cancel"), {"version": 2}, format="json")
    assert again.status_code == 400


def test_it_marks_a_meeting_held_on_a_day_that_has_come(alice, meeting):
    future = api(alice).post(
        url(meeting, "hold"), {"held_on": "2026-12-30", "version": 1}, format="json"
    )
    assert future.status_code == 400 and "held_on" in future.json()
    response = api(alice).post(
        url(meeting, "hold"), {"held_on": "2026-11-20", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["held_on"]) == ("held", "2026-11-20")
    stale = api(alice).post(url(meeting, "hold"), {"version": 1}, format="json")
    assert stale.status_code == 409


def test_it_keeps_the_answers_and_names_the_question_of_a_bad_one(alice, meeting):
    body = {"answers": {"meeting_goal": "Renewal", "satisfied": 4}, "version": 1}
    response = api(alice).put(url(meeting, "answers"), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["answers"]["meeting_goal"] == "Renewal"
    bad = {"answers": {"satisfied": "very"}, "version": 2}
    response = api(alice).patch(url(meeting, "answers"), bad, format="json")
    assert response.status_code == 400
    assert "satisfied" in response.json()
    stale = api(alice).put(url(meeting, "answers"), {"answers": {}, "version": 1}, format="json")
    assert stale.status_code == 409
    assert Meeting.objects.get().answers["meeting_goal"] == "Renewal"


def test_it_reviews_then_records_only_the_accepted_changes(alice, meeting, internet):
    body = {
        "answers": {
            "quality": quality(internet, "60"),
            "referrals": [{"organization": "ООО Лютик", "person": "Сергей"}],
        },
        "version": 1,
    }
    assert api(alice).put(url(meeting, "answers"), body, format="json").status_code == 200
    review = api(alice).get(url(meeting, "review"))
    assert review.status_code == 200
    changes = review.json()
    kinds = {c["kind"]: c for c in changes}
    assert {"work_item", "referral"} <= set(kinds)
    assert kinds["work_item"]["kind_label"] == "Technical work item"
    record = {"accepted": [kinds["work_item"]["key"]], "version": 2}
    response = api(alice).post(url(meeting, "record"), record, format="json")
    assert response.status_code == 200, response.json()
    assert [o["kind"] for o in response.json()] == ["work_item"]
    assert WorkItem.objects.get().organization == meeting.organization
    assert not Organization.objects.filter(name="ООО Лютик").exists()
    detail = api(alice).get(url(meeting)).json()
    assert detail["status"] == "recorded" and detail["held_on"] == str(HELD)
    assert [o["kind"] for o in detail["outcomes"]] == ["work_item"]


def test_recording_refuses_a_stale_copy_and_unknown_changes(alice, meeting):
    stale = api(alice).post(url(meeting, "record"), {"accepted": [], "version": 9}, format="json")
    assert stale.status_code == 409
    unknown = api(alice).post(
        url(meeting, "record"), {"accepted": ["nothing"], "version": 1}, format="json"
    )
    assert unknown.status_code == 400
    assert Meeting.objects.get().status == "planned"
    assert api(alice).post(url(meeting, "record"), {"version": 1}, format="json").status_code == 400
