"""The pyramid over the API: values, moves, the summary, the recompute; scoped like the pages."""

import pytest
from rest_framework.test import APIClient

from kamrad.pyramid.models import RecomputeRun, Tier
from kamrad.pyramid.tests.helpers import client as make_client
from kamrad.pyramid.tests.helpers import steady

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_client_values_by_ltv_with_tier_and_trend(head, pyramid_world) -> None:
    data = api(head).get("/api/client-values/", {"tier": "most_valuable"}).json()
    assert data["count"] == 2
    first = data["results"][0]
    assert first["organization"] == first["id"] == pyramid_world["alice_top"].pk
    assert (first["ltv"], first["tier"], first["trend"], first["currency"]) == (
        40000,
        "most_valuable",
        "stable",
        "RUB",
    )


def test_a_manager_reads_only_their_clients_values(alice, pyramid_world) -> None:
    client = api(alice)
    names = {v["name"] for v in client.get("/api/client-values/", {"limit": 100}).json()["results"]}
    assert "Alpha Mills" in names and not any("Bravo" in n for n in names)
    assert client.get(f"/api/client-values/{pyramid_world['bob_top'].pk}/").status_code == 404
    own = client.get(f"/api/client-values/{pyramid_world['alice_top'].pk}/")
    assert own.status_code == 200 and own.json()["tier"] == "most_valuable"


def test_a_bad_filter_answers_400(head, pyramid_world) -> None:
    response = api(head).get("/api/client-values/", {"tier": "gold"})
    assert response.status_code == 400 and "tier" in response.json()
    assert api(head).get("/api/tier-moves/", {"since": "yesterday"}).status_code == 400


def test_it_lists_tier_moves_and_falls(alice, head, pyramid_world) -> None:
    moves = api(head).get("/api/tier-moves/", {"since": "2000-01-01", "limit": 100}).json()
    assert moves["count"] == 10
    assert api(head).get("/api/tier-moves/", {"falls": "true"}).json()["count"] == 0
    mine = api(alice).get("/api/tier-moves/", {"limit": 100}).json()["results"]
    assert {m["organization"] for m in mine} <= {
        o.pk for o in pyramid_world.values() if o.account_manager_id == alice.pk
    }
    assert len(mine) == 5


def test_the_summary_counts_the_users_clients(alice, head, pyramid_world) -> None:
    everyone = {t["tier"]: t["count"] for t in api(head).get("/api/pyramid/").json()["tiers"]}
    assert everyone == {"most_valuable": 2, "strategic": 6, "workers": 1, "ballast": 1}
    summary = api(alice).get("/api/pyramid/").json()
    assert {t["tier"]: t["count"] for t in summary["tiers"]}[Tier.WORKERS] == 0
    assert summary["last"]["status"] == "done"


def test_the_head_recomputes_over_the_api(head, alice) -> None:
    org = make_client("Alpha", alice)
    steady(org, 100)
    response = api(head).post("/api/pyramid/recompute/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "done" and response.json()["clients"] == 1
    only = api(head).post("/api/pyramid/recompute/", {"organizations": [org.pk]}, format="json")
    assert only.status_code == 202 and only.json()["changed"] == 0
    bad = api(head).post("/api/pyramid/recompute/", {"organizations": ["x"]}, format="json")
    assert bad.status_code == 400


def test_a_second_recompute_while_one_runs_answers_409(head) -> None:
    RecomputeRun.objects.create(started_by=head, started_at="2030-01-01T00:00Z", on="2030-01-01")
    assert api(head).post("/api/pyramid/recompute/", {}, format="json").status_code == 409


@pytest.mark.parametrize("persona", ["viewer", "alice"])
def test_only_the_head_recomputes(persona: str, request) -> None:
    user = request.getfixturevalue(persona)
    assert api(user).post("/api/pyramid/recompute/", {}, format="json").status_code == 403
