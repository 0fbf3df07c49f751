"""The questionnaire results over the API: the page's figures as JSON, scoped as the page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kamrad.reports.tests.conftest import PERIOD_END, PERIOD_START

pytestmark = pytest.mark.django_db
URL = "/api/reports/meetings/"
RANGE = {"from": PERIOD_START.isoformat(), "to": PERIOD_END.isoformat()}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_gives_the_reports_figures(head, alices_meeting, bobs_meeting):
    response = api(head).get(URL, RANGE)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["from"], data["to"]) == ("2026-11-01", "2026-11-30")
    (quality,) = data["quality"]
    assert (quality["failed"], quality["closed"], quality["median_days"]) == (2, 1, 4.0)
    opp = data["opportunities"]
    assert opp["currency"] == "RUB" and opp["total"]["value_base"] == 220_000_00
    assert opp["total"]["unconverted"] == {"USD": 500_00}
    assert data["referrals"]["total"] == {
        "organization_id": None,
        "label": "All clients",
        "gained": 3,
        "converted": 1,
        "percent": 33,
    }
    assert sum(r["new_people"] for r in data["people"]) == 1


def test_an_account_manager_gets_only_her_clients_figures(alice, alices_meeting, bobs_meeting):
    data = api(alice).get(URL, RANGE).json()
    assert data["quality"][0]["failed"] == 1
    assert [r["label"] for r in data["referrals"]["rows"]] == ["ООО Ромашка"]


def test_bad_filters_are_field_errors(head):
    assert set(api(head).get(URL, {"from": "soon"}).json()) == {"from"}
    assert set(api(head).get(URL, {"from": "2026-12-01", "to": "2026-11-01"}).json()) == {"to"}
    assert set(api(head).get(URL, {"member": "99999"}).json()) == {"member"}


def test_a_viewer_reads_it_and_a_stranger_does_not(viewer):
    assert api(viewer).get(URL).status_code == 200
    assert APIClient().get(URL).status_code in {401, 403}
