"""The qualification API: the same access rules as the pages, 400 for bad input, 409 when stale."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from kamrad.qualification import services
from kamrad.qualification.models import AttractionStage, CandidateDecision, Criterion, JudgedMark
from kamrad.qualification.tests.conftest import MILLION_RUB, sale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def monopoly() -> Criterion:
    return Criterion.objects.get(code="monopoly")


# --- Verdicts ----------------------------------------------------------------------------------


def test_the_verdict_names_every_criterion_with_its_figures(alice, alices_client, usd_rate):
    sale(alices_client, datetime.date(2026, 6, 1), 600 * MILLION_RUB, "Loans")
    response = api(alice).get(f"/api/verdicts/{alices_client.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["organization"], data["met_count"], data["needed"]) == (alices_client.pk, 1, 3)
    assert data["qualifies"] is False
    volume = next(c for c in data["criteria"] if c["code"] == "volume")
    assert volume["status"] == "met"
    assert volume["alternatives"][0] == {
        "metric": "sales_year",
        "status": "met",
        "text": (
            "Sales 2025-12..2026-11: 600 000 000.00 RUB ≥ 5 000 000.00 USD (500 000 000.00 RUB)"
        ),
        "period": "2025-12..2026-11",
        "figure": 600 * MILLION_RUB,
        "threshold": 500 * MILLION_RUB,
    }


def test_another_managers_verdict_is_not_found(alice, bobs_client):
    assert api(alice).get(f"/api/verdicts/{bobs_client.pk}/").status_code == 404


def test_the_verdict_list_is_scoped_and_filters_candidates(
    alice, head, alices_client, bobs_client, usd_rate
):
    sale(bobs_client, datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    for line in ("Loans", "Deposits", "Cards"):
        sale(bobs_client, datetime.date(2026, 6, 1), 200 * MILLION_RUB, line)
    services.verdicts_store_all()  # the candidates come from the stored verdicts
    mine = api(alice).get("/api/verdicts/").json()
    assert [v["id"] for v in mine["results"]] == [alices_client.pk]
    assert api(alice).get("/api/verdicts/", {"candidates": "true"}).json()["results"] == []
    everyone = api(head).get("/api/verdicts/", {"candidates": "true"}).json()
    assert [(v["id"], v["is_candidate"]) for v in everyone["results"]] == [(bobs_client.pk, True)]
    assert api(head).get("/api/verdicts/", {"candidates": "maybe"}).status_code == 400


# --- Judged criteria ---------------------------------------------------------------------------


def test_a_manager_judges_her_client_and_a_second_create_is_a_conflict(alice, alices_client):
    body = {
        "organization": alices_client.pk,
        "criterion": monopoly().pk,
        "met": True,
        "note": "Only",
    }
    created = api(alice).post("/api/judged-marks/", body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["set_by"], created.json()["version"]) == (alice.pk, 1)
    again = api(alice).post("/api/judged-marks/", body, format="json")
    assert again.status_code == 409
    assert again.json()["current_version"] == 1


def test_a_judgement_change_needs_the_version_and_a_stale_one_is_refused(
    alice, head, alices_client
):
    mark = services.judged_mark_set(
        user=alice,
        organization=alices_client,
        criterion=monopoly(),
        met=True,
        note="Only",
        expected_version=0,
    )
    url = f"/api/judged-marks/{mark.pk}/"
    assert api(head).patch(url, {"met": False}, format="json").status_code == 400
    ok = api(head).patch(url, {"met": False, "note": "Rivals", "version": 1}, format="json")
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    stale = api(alice).patch(url, {"met": True, "version": 1}, format="json")
    assert stale.status_code == 409
    assert JudgedMark.objects.get().met is False


def test_judging_bad_input_answers_400(alice, alices_client, bobs_client):
    client = api(alice)
    volume = Criterion.objects.get(code="volume")
    for body in (
        {"organization": alices_client.pk, "criterion": volume.pk, "met": True},
        {"organization": bobs_client.pk, "criterion": monopoly().pk, "met": True},
        {"organization": alices_client.pk, "criterion": monopoly().pk, "met": "perhaps"},
        {"organization": alices_client.pk},
    ):
        response = client.post("/api/judged-marks/", body, format="json")
        assert response.status_code == 400, body
    assert not JudgedMark.objects.exists()


def test_a_viewer_reads_judgements_but_may_not_write(viewer, alice, alices_client):
    services.judged_mark_set(
        user=alice,
        organization=alices_client,
        criterion=monopoly(),
        met=True,
        note="Only",
        expected_version=0,
    )
    client = api(viewer)
    assert client.get("/api/judged-marks/").json()["count"] == 1
    body = {"organization": alices_client.pk, "criterion": monopoly().pk, "met": False}
    assert client.post("/api/judged-marks/", body, format="json").status_code == 403


# --- Decisions and stages ----------------------------------------------------------------------


def test_only_the_head_decides_on_candidates(head, alice, alices_client):
    body = {"organization": alices_client.pk, "outcome": "admitted", "note": "Yes"}
    assert api(alice).post("/api/candidate-decisions/", body, format="json").status_code == 403
    created = api(head).post("/api/candidate-decisions/", body, format="json")
    assert created.status_code == 201
    assert created.json()["decided_by"] == head.pk
    url = f"/api/candidate-decisions/{created.json()['id']}/"
    assert (
        api(head).patch(url, {"outcome": "maybe", "version": 1}, format="json").status_code == 400
    )
    assert (
        api(head).patch(url, {"outcome": "declined", "version": 1}, format="json").status_code
        == 200
    )
    stale = api(head).patch(url, {"outcome": "admitted", "version": 1}, format="json")
    assert stale.status_code == 409
    assert CandidateDecision.objects.get().outcome == "declined"
    assert api(alice).get(url).status_code == 200  # she reads the decision on her client


def test_attraction_stages_are_recorded_and_versioned(alice, bob, alices_client):
    body = {"organization": alices_client.pk, "stage": 1, "done_on": "2026-11-02", "notes": "Go"}
    created = api(alice).post("/api/attraction-stages/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["done_by"] == alice.pk
    assert api(alice).post("/api/attraction-stages/", body, format="json").status_code == 409
    bad = api(alice).post(
        "/api/attraction-stages/", {**body, "stage": 9, "done_on": "yesterday"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"stage", "done_on"}
    url = f"/api/attraction-stages/{created.json()['id']}/"
    assert api(bob).get(url).status_code == 404
    assert api(alice).patch(url, {"notes": "Done", "version": 1}, format="json").status_code == 200
    assert api(alice).patch(url, {"notes": "Again", "version": 1}, format="json").status_code == 409
    assert AttractionStage.objects.get().notes == "Done"


# --- Criteria and the rule ---------------------------------------------------------------------


def test_everyone_reads_the_criteria_and_only_the_head_changes_them(alice, head):
    criteria = api(alice).get("/api/criteria/").json()["results"]
    assert [c["code"] for c in criteria] == [
        "product_breadth",
        "volume",
        "monopoly",
        "strategic",
        "growth",
    ]
    volume = next(c for c in criteria if c["code"] == "volume")
    assert volume["measures"][0] == {
        "metric": "sales_year",
        "amount_minor": 500_000_000,
        "currency": "USD",
        "count": None,
        "percent": None,
    }
    url = f"/api/criteria/{volume['id']}/"
    assert api(alice).patch(url, {"enabled": False, "version": 1}, format="json").status_code == 403
    bad = api(head).patch(
        url, {"measures": [{"metric": "sales_year"}], "version": 1}, format="json"
    )
    assert bad.status_code == 400
    changed = api(head).patch(
        url,
        {
            "measures": [{"metric": "turnover_month", "amount_minor": 1, "currency": "EUR"}],
            "version": 1,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert [m["metric"] for m in changed.json()["measures"]] == ["turnover_month"]


def test_the_rule_is_read_by_all_and_set_by_the_head(alice, head):
    assert api(alice).get("/api/qualification-rule/").json() == {
        "min_met": 3,
        "enabled": 5,
        "version": 1,
    }
    assert (
        api(alice)
        .put("/api/qualification-rule/", {"min_met": 2, "version": 1}, format="json")
        .status_code
        == 403
    )
    assert (
        api(head)
        .put("/api/qualification-rule/", {"min_met": 9, "version": 1}, format="json")
        .status_code
        == 400
    )
    assert (
        api(head)
        .put("/api/qualification-rule/", {"min_met": 2, "version": 1}, format="json")
        .status_code
        == 200
    )
    assert (
        api(head)
        .put("/api/qualification-rule/", {"min_met": 4, "version": 1}, format="json")
        .status_code
        == 409
    )
