"""Programs and their staff over the API: the head writes, everyone reads, bad input is a 400
with field errors, a stale version a 409."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kamrad.program import services
from kamrad.program.models import Goal, Member, Program
from kamrad.program.tests.conftest import END, START

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def new_program(**extra) -> dict:
    return {"name": "VIP 2027", "starts_on": "2027-01-11", "ends_on": "2027-06-27", **extra}


# --- Programs -----------------------------------------------------------------------------------


def test_it_creates_a_program_headed_by_the_caller_with_a_row_per_goal(head):
    response = api(head).post("/api/programs/", new_program(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["head"], data["status"], data["version"]) == (head.pk, "planned", 1)
    assert response["ETag"] == '"1"'
    program = Program.objects.get(pk=data["id"])
    assert program.goal_figures.count() == len(Goal.Code.values)


def test_it_refuses_a_program_that_ends_before_it_starts(head):
    response = api(head).post(
        "/api/programs/", new_program(starts_on="2027-06-01", ends_on="2027-05-01"), format="json"
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()
    assert not Program.objects.exists()


def test_it_refuses_a_second_running_program(head, program):
    response = api(head).post("/api/programs/", new_program(status="running"), format="json")
    assert response.status_code == 400
    assert "VIP 2026" in response.json()["status"][0]
    assert Program.objects.count() == 1


def test_it_refuses_a_head_who_is_not_a_head(head, alice):
    response = api(head).post("/api/programs/", new_program(head=alice.pk), format="json")
    assert response.status_code == 400
    assert "head" in response.json()


def test_everyone_reads_the_programs_and_only_the_head_writes(head, alice, viewer, program):
    for user in (alice, viewer):
        listed = api(user).get("/api/programs/")
        assert [p["id"] for p in listed.json()["results"]] == [program.pk]
        assert api(user).get(f"/api/programs/{program.pk}/").status_code == 200
        assert api(user).post("/api/programs/", new_program(), format="json").status_code == 403
        patch = {"name": "Mine", "version": 1}
        assert (
            api(user).patch(f"/api/programs/{program.pk}/", patch, format="json").status_code == 403
        )
    program.refresh_from_db()
    assert program.name == "VIP 2026"


def test_a_change_needs_the_version_and_a_stale_one_is_refused(head, program):
    url = f"/api/programs/{program.pk}/"
    assert api(head).patch(url, {"name": "VIP"}, format="json").status_code == 400
    changed = api(head).patch(url, {"name": "VIP spring", "version": 1}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["version"], changed["ETag"]) == (2, '"2"')
    stale = api(head).patch(url, {"name": "VIP autumn", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    by_header = api(head).patch(url, {"name": "VIP autumn"}, format="json", HTTP_IF_MATCH='"2"')
    assert by_header.status_code == 200
    program.refresh_from_db()
    assert (program.name, program.version) == ("VIP autumn", 3)


def test_starting_a_second_program_by_a_change_is_refused(head, program):
    other = services.program_create(
        user=head, data={"name": "Next", "starts_on": START, "ends_on": END, "head": head}
    )
    response = api(head).patch(
        f"/api/programs/{other.pk}/", {"status": "running", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_program_list_costs_the_same_for_one_program_or_ten(
    head, alice, program, django_assert_max_num_queries
):
    for year in range(2030, 2039):
        services.program_create(
            user=head,
            data={"name": f"VIP {year}", "starts_on": START, "ends_on": END, "head": head},
        )
    with django_assert_max_num_queries(3):
        response = api(alice).get("/api/programs/")
    assert response.json()["count"] == 10


# --- Staff --------------------------------------------------------------------------------------


def test_the_head_adds_a_part_time_member_with_the_programs_default_share(head, alice, program):
    response = api(head).post(
        "/api/program-members/",
        {"program": program.pk, "user": alice.pk, "capacity": "part_time"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["user"], data["share_percent"], data["name"]) == (alice.pk, 50, "Alice Adams")
    assert data["capacity_minutes"] == program.full_time_minutes() // 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"share_percent": 0}, "share_percent"),
        ({"share_percent": 101}, "share_percent"),
        ({"user": 999_999}, "user"),
        ({"capacity": "sometimes"}, "capacity"),
        ({"program": 999_999}, "program"),
    ],
)
def test_adding_a_member_with_bad_input_answers_400_on_the_field(head, alice, program, body, field):
    wanted = {"program": program.pk, "user": alice.pk, **body}
    response = api(head).post("/api/program-members/", wanted, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Member.objects.exists()


def test_a_member_joins_a_program_once_and_a_viewer_never_does(head, alice, viewer, program):
    body = {"program": program.pk, "user": alice.pk}
    assert api(head).post("/api/program-members/", body, format="json").status_code == 201
    again = api(head).post("/api/program-members/", body, format="json")
    assert again.status_code == 400
    assert "already" in again.json()["user"][0]
    refused = api(head).post(
        "/api/program-members/", {"program": program.pk, "user": viewer.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "user" in refused.json()


def test_only_the_head_changes_staff_and_a_stale_change_is_refused(
    head, alice, program, alice_member
):
    url = f"/api/program-members/{alice_member.pk}/"
    body = {"capacity": "part_time", "version": 1}
    assert api(alice).patch(url, body, format="json").status_code == 403
    changed = api(head).patch(url, body, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["share_percent"], changed.json()["version"]) == (50, 2)
    assert (
        api(head).patch(url, {"share_percent": 0, "version": 2}, format="json").status_code == 400
    )
    assert (
        api(head).patch(url, {"is_active": False, "version": 1}, format="json").status_code == 409
    )
    alice_member.refresh_from_db()
    assert (alice_member.share_percent, alice_member.is_active) == (50, True)


def test_the_staff_list_filters_by_program_at_a_fixed_cost(
    head, program, alice_member, bob_member, viewer, django_assert_max_num_queries
):
    other = services.program_create(
        user=head, data={"name": "Next", "starts_on": START, "ends_on": END, "head": head}
    )
    services.member_add(user=head, program=other, data={"user": head})
    with django_assert_max_num_queries(3):
        response = api(viewer).get("/api/program-members/", {"program": program.pk})
    assert [m["id"] for m in response.json()["results"]] == [alice_member.pk, bob_member.pk]
    assert api(viewer).get("/api/program-members/", {"program": "x"}).status_code == 400
