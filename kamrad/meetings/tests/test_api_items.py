"""Technical work items, opportunities and meeting outcomes over the API: an account manager
reaches only her own clients' rows, a viewer only reads, edits carry the version read."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from kamrad.meetings import services
from kamrad.meetings.models import Opportunity, WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def item(alice, alices_client, internet) -> WorkItem:
    return services.work_item_create(
        user=alice,
        organization=alices_client,
        data={"title": "Speed 60 of 100", "product": internet, "assigned_to": alice},
    )


@pytest.fixture
def bobs_item(bob, bobs_client) -> WorkItem:
    return services.work_item_create(user=bob, organization=bobs_client, data={"title": "Outage"})


@pytest.fixture
def opportunity(alice, alices_client, internet) -> Opportunity:
    return services.opportunity_create(
        user=alice,
        organization=alices_client,
        data={
            "kind": "expansion",
            "product": internet,
            "estimated_minor": 1_000_00,
            "owner": alice,
        },
    )


# --- Work items ---------------------------------------------------------------------------------


def test_it_opens_a_work_item_by_hand(alice, alices_client, internet):
    body = {
        "organization": alices_client.pk,
        "title": "Outage on Mondays",
        "product": internet.pk,
        "due_on": "2026-12-01",
    }
    response = api(alice).post("/api/work-items/", body, format="json")
    assert response.status_code == 201, response.json()
    item = WorkItem.objects.get()
    assert (item.title, item.status, item.created_by) == ("Outage on Mondays", "open", alice)
    assert response.json()["version"] == 1


def test_a_work_item_needs_what_failed(alice, alices_client):
    response = api(alice).post(
        "/api/work-items/", {"organization": alices_client.pk, "status": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert {"title", "status"} <= set(response.json())


def test_it_closes_a_work_item_and_refuses_a_stale_copy(alice, item):
    url = f"/api/work-items/{item.pk}/"
    response = api(alice).patch(url, {"status": "closed", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["closed_on"] == "2026-11-25"
    stale = api(alice).patch(url, {"status": "open", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert WorkItem.objects.get().status == "closed"


def test_work_items_list_by_status_client_and_assignee(head, alice, item, bobs_item):
    client = api(head)

    def ids(**params) -> list[int]:
        response = client.get("/api/work-items/", params)
        assert response.status_code == 200, response.json()
        return sorted(i["id"] for i in response.json()["results"])

    assert ids() == sorted([item.pk, bobs_item.pk])
    assert ids(assigned_to=alice.pk) == [item.pk]
    assert ids(organization=bobs_item.organization_id) == [bobs_item.pk]
    assert ids(status="closed") == []
    assert client.get("/api/work-items/", {"status": "done"}).status_code == 400


def test_another_managers_work_item_is_not_found(alice, bobs_item, bobs_client):
    url = f"/api/work-items/{bobs_item.pk}/"
    assert api(alice).get(url).status_code == 404
    assert api(alice).patch(url, {"title": "X", "version": 1}, format="json").status_code == 404
    assert [i["id"] for i in api(alice).get("/api/work-items/").json()["results"]] == []
    body = {"organization": bobs_client.pk, "title": "Mine now"}
    response = api(alice).post("/api/work-items/", body, format="json")
    assert response.status_code == 400 and response.json()["organization"] == ["No such client."]


def test_a_viewer_reads_work_items_but_cannot_change_them(viewer, item, alices_client):
    url = f"/api/work-items/{item.pk}/"
    assert api(viewer).get(url).status_code == 200
    assert api(viewer).patch(url, {"title": "X", "version": 1}, format="json").status_code == 403
    body = {"organization": alices_client.pk, "title": "X"}
    assert api(viewer).post("/api/work-items/", body, format="json").status_code == 403


# --- Opportunities ------------------------------------------------------------------------------


def test_it_stores_an_estimated_value_exactly_in_minor_units(alice, alices_client):
    body = {
        "organization": alices_client.pk,
        "kind": "new_product",
        "product_name": "Cloud backup",
        "estimated_value": "120 000,50",
        "currency": "eur",
    }
    response = api(alice).post("/api/opportunities/", body, format="json")
    assert response.status_code == 201, response.json()
    opportunity = Opportunity.objects.get()
    assert (opportunity.estimated_minor, opportunity.currency) == (12_000_050, "EUR")
    assert response.json()["estimated_value"] == "120000.50"


def test_the_base_currency_is_the_default(alice, alices_client, settings):
    body = {"organization": alices_client.pk, "kind": "expansion", "estimated_value": "10"}
    response = api(alice).post("/api/opportunities/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Opportunity.objects.get().currency == settings.KAMRAD_BASE_CURRENCY


@pytest.mark.parametrize(
    ("value", "currency"), [("a lot", "RUB"), ("1.234", "RUB"), ("10", "RUBLES"), ("9" * 30, "RUB")]
)
def test_a_bad_estimated_value_is_a_field_error(alice, alices_client, value, currency):
    body = {
        "organization": alices_client.pk,
        "kind": "expansion",
        "estimated_value": value,
        "currency": currency,
    }
    response = api(alice).post("/api/opportunities/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"estimated_value", "currency"}
    assert not Opportunity.objects.exists()


def test_it_marks_an_opportunity_won_and_refuses_a_stale_copy(alice, opportunity):
    url = f"/api/opportunities/{opportunity.pk}/"
    response = api(alice).patch(
        url, {"status": "won", "estimated_value": "2000", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.estimated_minor) == ("won", 2_000_00)
    stale = api(alice).patch(url, {"status": "lost", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Opportunity.objects.get().status == "won"


def test_opportunities_list_by_kind_status_and_owner(alice, bob, opportunity):
    client = api(alice)
    assert [
        o["id"] for o in client.get("/api/opportunities/", {"kind": "expansion"}).json()["results"]
    ] == [opportunity.pk]
    assert client.get("/api/opportunities/", {"kind": "new_product"}).json()["results"] == []
    assert client.get("/api/opportunities/", {"owner": bob.pk}).json()["results"] == []
    assert client.get("/api/opportunities/", {"status": "maybe"}).status_code == 400


def test_another_managers_opportunity_is_not_found_and_a_viewer_cannot_edit(
    bob, viewer, opportunity
):
    url = f"/api/opportunities/{opportunity.pk}/"
    assert api(bob).get(url).status_code == 404
    assert api(bob).patch(url, {"status": "won", "version": 1}, format="json").status_code == 404
    assert api(viewer).get(url).status_code == 200
    assert api(viewer).patch(url, {"status": "won", "version": 1}, format="json").status_code == 403
    assert Opportunity.objects.get().status == "open"


# --- Outcomes -----------------------------------------------------------------------------------


def test_outcomes_list_by_meeting_and_kind_for_whoever_sees_the_client(
    alice, bob, meeting, internet
):
    speed, outage = internet.quality_checks.order_by("position")
    answers = {
        "quality": [
            {
                "product": internet.pk,
                "checks": [
                    {"check": speed.pk, "promised": "100", "measured": "50"},
                    {"check": outage.pk, "answer": "no"},
                ],
            }
        ],
        "meeting_goal": "Renewal",
    }
    meeting = services.meeting_save_answers(
        user=alice, meeting=meeting, data=answers, expected_version=1
    )
    keys = [c.key for c in services.meeting_review(meeting)]
    services.meeting_record(user=alice, meeting=meeting, accepted=keys, expected_version=2)
    response = api(alice).get("/api/meeting-outcomes/", {"meeting": meeting.pk})
    assert response.status_code == 200
    kinds = [o["kind"] for o in response.json()["results"]]
    assert "work_item" in kinds
    only = api(alice).get("/api/meeting-outcomes/", {"kind": "work_item"}).json()["results"]
    assert [o["kind"] for o in only] == ["work_item"]
    assert api(bob).get("/api/meeting-outcomes/").json()["results"] == []
    assert api(bob).get(f"/api/meeting-outcomes/{only[0]['id']}/").status_code == 404
    assert api(alice).post("/api/meeting-outcomes/", {}, format="json").status_code == 405


def test_meeting_outcomes_cannot_be_written_over_the_api(head):
    response = api(head).post("/api/meeting-outcomes/", {"summary": "made up"}, format="json")
    assert response.status_code == 405
