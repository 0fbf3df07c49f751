"""The program's client list over the API: scoped to an account manager's own clients, the
head's judgement of each owner, the work marks, and adding clients to the list."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from kamrad.program import services
from kamrad.program.models import ProgramClient
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
    """alice's client and bob's on the program, each assigned to its owner."""
    mine = make_client(head, "Amber Ltd", owner=alice)
    his = make_client(head, "Zinc Ltd", owner=bob)
    services.clients_add_corporate(user=head, program=program)
    found = {}
    for organization, owner in ((mine, alice), (his, bob)):
        pc = ProgramClient.objects.get(organization=organization)
        found[owner.username] = services.client_reassign(
            user=head, client=pc, to_user=owner, reason="Own client", expected_version=pc.version
        )
    return found


def test_an_account_manager_lists_only_her_own_program_clients(alice, head, entries):
    mine = api(alice).get("/api/program-clients/").json()
    assert [c["id"] for c in mine["results"]] == [entries["alice"].pk]
    assert mine["results"][0]["name"] == "Amber Ltd"
    assert mine["results"][0]["state"] == "not_started"
    everyone = api(head).get("/api/program-clients/").json()
    assert {c["id"] for c in everyone["results"]} == {entries["alice"].pk, entries["bob"].pk}


def test_another_managers_program_client_is_not_found(alice, entries):
    url = f"/api/program-clients/{entries['bob'].pk}/"
    assert api(alice).get(url).status_code == 404
    body = {"meeting_planned_on": "2026-03-10", "version": 2}
    assert api(alice).patch(url, body, format="json").status_code == 404


def test_the_list_filters_by_program_state_and_member(head, alice, bob, program, entries):
    services.client_record_work(
        user=head,
        client=entries["bob"],
        data={"meeting_planned_on": datetime.date(2026, 3, 9)},
        expected_version=entries["bob"].version,
    )
    client = api(head)

    def ids(**params) -> list[int]:
        response = client.get("/api/program-clients/", params)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids(state="in_progress") == [entries["bob"].pk]
    assert ids(state="not_started") == [entries["alice"].pk]
    assert ids(state="worked") == []
    assert ids(assigned_to=alice.pk) == [entries["alice"].pk]
    assert ids(program=program.pk, assigned_to=bob.pk) == [entries["bob"].pk]
    assert ids(program=program.pk + 1) == []
    for bad in ({"state": "done"}, {"program": "one"}, {"assigned_to": 0}):
        assert client.get("/api/program-clients/", bad).status_code == 400


def test_the_manager_records_her_meeting_and_the_state_follows(alice, entries):
    pc = entries["alice"]
    url = f"/api/program-clients/{pc.pk}/"
    body = {"met_on": "2026-02-20", "questionnaire_on": "2026-02-21", "version": pc.version}
    response = api(alice).patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response["ETag"]) == ("in_progress", f'"{pc.version + 1}"')
    pc.refresh_from_db()
    assert pc.met_on == datetime.date(2026, 2, 20)


def test_bad_work_marks_answer_400_on_the_field(alice, entries):
    pc = entries["alice"]
    url = f"/api/program-clients/{pc.pk}/"
    for body, field in (
        ({"questionnaire_on": "2026-02-21"}, "questionnaire_on"),
        ({"met_on": "2026-04-01"}, "met_on"),
        ({"met_on": "yesterday"}, "met_on"),
        ({"owner_relation": "splendid"}, "owner_relation"),
    ):
        response = api(alice).patch(url, {**body, "version": pc.version}, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), body


def test_only_the_head_judges_the_owner_and_a_stale_judgement_is_refused(head, alice, entries):
    pc = entries["alice"]
    url = f"/api/program-clients/{pc.pk}/"
    judgement = {"owner_relation": "excellent", "owner_guards": True, "version": pc.version}
    assert api(alice).patch(url, judgement, format="json").status_code == 403
    response = api(head).patch(url, judgement, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["owner_relation"], response.json()["owner_guards"]) == (
        "excellent",
        True,
    )
    stale = api(head).patch(url, {"owner_doubted": True, "version": pc.version}, format="json")
    assert stale.status_code == 409
    assert api(head).patch(url, {"owner_doubted": True}, format="json").status_code == 400


def test_a_judgement_and_a_work_mark_in_one_change_save_both(head, entries):
    pc = entries["bob"]
    body = {"owner_doubted": True, "met_on": "2026-02-27", "version": pc.version}
    response = api(head).patch(f"/api/program-clients/{pc.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    pc.refresh_from_db()
    assert (pc.owner_doubted, pc.met_on, pc.version) == (True, datetime.date(2026, 2, 27), 4)


def test_a_viewer_reads_the_list_but_never_writes(viewer, entries):
    pc = entries["alice"]
    assert api(viewer).get(f"/api/program-clients/{pc.pk}/").status_code == 200
    body = {"met_on": "2026-02-20", "version": pc.version}
    assert (
        api(viewer).patch(f"/api/program-clients/{pc.pk}/", body, format="json").status_code == 403
    )


def test_the_list_costs_the_same_for_two_clients_or_twelve(
    head, program, entries, django_assert_max_num_queries
):
    for n in range(10):
        make_client(head, f"Client {n}")
    services.clients_add_corporate(user=head, program=program)
    with django_assert_max_num_queries(3):
        response = api(head).get("/api/program-clients/", {"state": "not_started"})
    assert response.json()["count"] == 12


# --- Adding clients -----------------------------------------------------------------------------


def test_the_head_adds_every_corporate_client_and_then_a_private_one_by_hand(head, alice, program):
    make_client(head, "Amber Ltd", owner=alice)
    person = make_client(head, "Ivan Ivanov", private=True)
    client = api(head)
    added = client.post(
        "/api/program-clients/add/", {"program": program.pk, "source": "corporate"}, format="json"
    )
    assert added.status_code == 200, added.json()
    assert added.json() == {"added": 1, "clients": 1}
    by_hand = client.post(
        "/api/program-clients/add/",
        {"program": program.pk, "organizations": [person.pk, person.pk]},
        format="json",
    )
    assert by_hand.json() == {"added": 1, "clients": 2}
    assert ProgramClient.objects.get(organization=person).source == "private"
    again = client.post(
        "/api/program-clients/add/", {"program": program.pk, "source": "corporate"}, format="json"
    )
    assert again.json() == {"added": 0, "clients": 2}


def test_adding_clients_with_bad_input_answers_400(head, program):
    client = api(head)
    for body, field in (
        ({"program": program.pk}, "source"),
        ({"program": program.pk, "source": "corporate", "organizations": [1]}, "source"),
        ({"program": program.pk, "source": "everyone"}, "source"),
        ({"program": program.pk, "organizations": [999_999]}, "organizations"),
        ({"program": program.pk, "organizations": []}, "organizations"),
        ({"source": "corporate"}, "program"),
    ):
        response = client.post("/api/program-clients/add/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())


def test_only_the_head_adds_clients(alice, viewer, program):
    body = {"program": program.pk, "source": "candidates"}
    for user in (alice, viewer):
        assert api(user).post("/api/program-clients/add/", body, format="json").status_code == 403
