"""A program's worklists, coverage and goals over the API: an account manager reads her own
worklist only, coverage counts the clients the caller may see, the head sets the goals."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from kamrad.program import services
from kamrad.program.models import Goal, ProgramClient
from kamrad.program.tests.conftest import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def entries(head, alice, bob, program, alice_member, bob_member):
    """alice's two clients (one met and worked through, one untouched) and bob's one."""
    found = {}
    for name, owner in (("Amber Ltd", alice), ("Beryl Ltd", alice), ("Zinc Ltd", bob)):
        make_client(head, name, owner=owner, region="Tver")
    services.clients_add_corporate(user=head, program=program)
    for pc in ProgramClient.objects.select_related("organization"):
        owner = pc.organization.owner
        found[pc.organization.name] = services.client_reassign(
            user=head, client=pc, to_user=owner, reason="Own", expected_version=pc.version
        )
    amber = found["Amber Ltd"]
    day = datetime.date(2026, 2, 2)
    found["Amber Ltd"] = services.client_record_work(
        user=alice,
        client=amber,
        data={"met_on": day, "questionnaire_on": day, "followups_on": day},
        expected_version=amber.version,
    )
    return found


def test_a_manager_reads_her_worklist_in_the_order_of_what_is_due(alice, program, entries):
    response = api(alice).get(f"/api/programs/{program.pk}/worklist/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["name"] for r in rows] == ["Beryl Ltd", "Amber Ltd"]
    assert [(r["step"], r["state"]) for r in rows] == [(0, "not_started"), (4, "worked")]
    assert rows[0]["step_label"] == "Plan a meeting"
    mine = api(alice).get(f"/api/programs/{program.pk}/worklist/", {"user": alice.pk})
    assert mine.json()["results"] == rows


def test_another_managers_worklist_is_not_found(alice, bob, program, entries):
    response = api(alice).get(f"/api/programs/{program.pk}/worklist/", {"user": bob.pk})
    assert response.status_code == 404


def test_the_head_reads_any_members_worklist(head, bob, program, entries):
    response = api(head).get(f"/api/programs/{program.pk}/worklist/", {"user": bob.pk})
    assert [r["name"] for r in response.json()["results"]] == ["Zinc Ltd"]
    assert api(head).get(f"/api/programs/{program.pk}/worklist/").json()["results"] == []
    unknown = api(head).get(f"/api/programs/{program.pk}/worklist/", {"user": 999_999})
    assert unknown.status_code == 404
    assert (
        api(head).get(f"/api/programs/{program.pk}/worklist/", {"user": "bob"}).status_code == 400
    )
    assert api(head).get("/api/programs/999999/worklist/").status_code == 404


def test_the_worklist_costs_the_same_for_two_clients_or_twelve(
    head, alice, program, entries, django_assert_max_num_queries
):
    for n in range(10):
        organization = make_client(head, f"Client {n}", owner=alice)
        services.clients_add(user=head, program=program, organizations=[organization])
    ProgramClient.objects.filter(assigned_to__isnull=True).update(assigned_to=alice)
    with django_assert_max_num_queries(4):
        response = api(alice).get(f"/api/programs/{program.pk}/worklist/")
    assert response.json()["count"] == 12


def test_coverage_counts_the_program_and_a_manager_sees_her_own(head, alice, bob, program, entries):
    everyone = api(head).get(f"/api/programs/{program.pk}/coverage/").json()
    assert (everyone["as_of"], everyone["days_running"]) == ("2026-03-02", 49)
    total = everyone["total"]
    assert (total["worked"], total["not_started"], total["total"]) == (1, 2, 3)
    assert total["worked_percent"] == 33
    members = {row["key"]: row for row in everyone["by_member"]}
    assert (members[str(alice.pk)]["worked"], members[str(bob.pk)]["not_started"]) == (1, 1)
    assert [row["label"] for row in everyone["by_region"]] == ["Tver"]
    assert [row["key"] for row in everyone["by_tier"]] == [None]
    assert everyone["not_reached"] == 2
    last = everyone["over_time"][-1]
    assert (last["on"], last["worked"], last["total"]) == ("2026-03-02", 1, 3)
    mine = api(alice).get(f"/api/programs/{program.pk}/coverage/").json()
    assert (mine["total"]["total"], mine["not_reached"]) == (2, 1)
    assert [row["key"] for row in mine["by_member"]] == [str(alice.pk)]


def test_coverage_costs_the_same_whatever_the_program_size(
    head, program, entries, django_assert_max_num_queries
):
    for n in range(10):
        make_client(head, f"Client {n}", region=f"Region {n}")
    services.clients_add_corporate(user=head, program=program)
    with django_assert_max_num_queries(12):
        response = api(head).get(f"/api/programs/{program.pk}/coverage/")
    assert response.json()["total"]["total"] == 13


def test_goals_answer_their_figures_and_the_head_sets_them(head, alice, program, entries):
    url = f"/api/programs/{program.pk}/goals/"
    figures = api(alice).get(url).json()
    assert [f["code"] for f in figures] == list(Goal.Code.values)
    referrals = {"code": "referrals", "target": 10, "achieved": 4}
    response = api(head).put(url, referrals, format="json")
    assert response.status_code == 200, response.json()
    found = {f["code"]: f for f in response.json()}
    assert (found["referrals"]["achieved"], found["referrals"]["percent"]) == (4, 40)
    kept = api(head).patch(url, {"code": "referrals", "target": 20}, format="json").json()
    assert {f["code"]: f for f in kept}["referrals"]["achieved"] == 4  # PATCH keeps it
    cleared = api(head).put(url, {"code": "referrals", "target": 20}, format="json").json()
    assert {f["code"]: f for f in cleared}["referrals"]["achieved"] == 0  # PUT clears it
    measured = api(head).patch(url, {"code": "key_people_met", "target": 5}, format="json")
    assert measured.status_code == 200
    assert Goal.objects.get(program=program, code="key_people_met").target == 5


def test_setting_goals_with_bad_input_answers_400_and_others_403(head, alice, viewer, program):
    url = f"/api/programs/{program.pk}/goals/"
    for body, field in (
        ({"code": "happiness", "target": 1}, "code"),
        ({"code": "referrals", "target": -1}, "target"),
        ({"code": "key_people_met", "achieved": 3}, "achieved"),
        ({"target": 3}, "code"),
    ):
        response = api(head).put(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    for user in (alice, viewer):
        body = {"code": "referrals", "target": 1}
        assert api(user).put(url, body, format="json").status_code == 403
