"""Proposals over the API: proposing, reading the loads, moving and locking clients through the
lines, the guarded owner's override, confirming, and the reassignments it records."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import Proposal, ProposalLine, Reassignment, Rule
from kamrad.program.tests.conftest import make_client

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def book(head, alice, bob, program, alice_member, bob_member):
    """alice keeps one client (excellent relations) and guards another; one nobody owns."""
    kept = make_client(head, "Kept Ltd", owner=alice)
    guarded = make_client(head, "Guarded Ltd", owner=alice)
    orphan = make_client(head, "Orphan Ltd")
    services.clients_add_corporate(user=head, program=program)
    for organization, data in (
        (kept, {"owner_relation": "excellent"}),
        (guarded, {"owner_relation": "excellent", "owner_guards": True}),
    ):
        pc = program.clients.get(organization=organization)
        services.client_assess(user=head, client=pc, data=data, expected_version=pc.version)
    return {"kept": kept, "guarded": guarded, "orphan": orphan}


def propose(head, program) -> dict:
    response = api(head).post("/api/proposals/", {"program": program.pk}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def line(proposal_id: int, organization: Organization) -> ProposalLine:
    return ProposalLine.objects.get(proposal_id=proposal_id, organization=organization)


def test_proposing_answers_each_members_load_and_the_count_by_rule(
    head, alice, bob, program, book, alice_member, bob_member
):
    data = propose(head, program)
    assert (data["status"], data["client_count"], data["version"]) == ("draft", 3, 1)
    loads = {m["user"]: m for m in data["members"]}
    assert loads[alice.pk]["clients"] + loads[bob.pk]["clients"] == 3
    assert loads[alice.pk]["minutes"] == loads[alice.pk]["clients"] * program.client_minutes
    assert loads[alice.pk]["capacity_minutes"] == program.full_time_minutes()
    assert loads[alice.pk]["over"] is False
    by_rule = {r["rule"]: r["clients"] for r in data["by_rule"]}
    assert by_rule == {Rule.OWNER_KEPT: 1, Rule.OWNER_GUARDS: 1, Rule.NO_OWNER: 1}
    assert data["problems"] == []
    read = api(head).get(f"/api/proposals/{data['id']}/")
    assert read.json() == data
    assert read["ETag"] == '"1"'


def test_proposing_bad_input_answers_400(head, program, book):
    assert api(head).post("/api/proposals/", {}, format="json").status_code == 400
    unknown = api(head).post("/api/proposals/", {"program": 999_999}, format="json")
    assert "program" in unknown.json()
    services.program_update(
        user=head, program=program, data={"status": "closed"}, expected_version=program.version
    )
    closed = api(head).post("/api/proposals/", {"program": program.pk}, format="json")
    assert closed.status_code == 400
    assert "closed" in closed.json()["non_field_errors"][0]


def test_account_managers_never_see_proposals_lines_or_reassignments(alice, head, program, book):
    data = propose(head, program)
    first = ProposalLine.objects.filter(proposal_id=data["id"]).first()
    for url in (
        "/api/proposals/",
        f"/api/proposals/{data['id']}/",
        "/api/proposal-lines/",
        f"/api/proposal-lines/{first.pk}/",
        "/api/reassignments/",
    ):
        assert api(alice).get(url).status_code == 403, url
    body = {"program": program.pk}
    assert api(alice).post("/api/proposals/", body, format="json").status_code == 403


def test_a_viewer_reads_proposals_but_never_proposes_or_confirms(viewer, head, program, book):
    data = propose(head, program)
    assert api(viewer).get(f"/api/proposals/{data['id']}/").status_code == 200
    assert api(viewer).get("/api/proposal-lines/", {"proposal": data["id"]}).status_code == 200
    refused = api(viewer).post("/api/proposals/", {"program": program.pk}, format="json")
    assert refused.status_code == 403
    confirm = api(viewer).post(
        f"/api/proposals/{data['id']}/confirm/", {"version": 1}, format="json"
    )
    assert confirm.status_code == 403
    assert Proposal.objects.get(pk=data["id"]).status == "draft"


def test_the_head_moves_a_client_and_the_proposals_version_grows(
    head, program, book, alice_member, bob_member
):
    data = propose(head, program)
    orphan = line(data["id"], book["orphan"])
    other = bob_member if orphan.member_id == alice_member.pk else alice_member
    url = f"/api/proposal-lines/{orphan.pk}/"
    moved = api(head).patch(url, {"member": other.pk, "version": 1}, format="json")
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert (body["member"], body["rule"], body["locked"]) == (other.pk, Rule.MOVED, True)
    assert (body["proposal_version"], moved["ETag"]) == (2, '"2"')
    stale = api(head).patch(url, {"locked": False, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    unlocked = api(head).patch(url, {"locked": False, "version": 2}, format="json")
    assert (unlocked.json()["locked"], unlocked.json()["proposal_version"]) == (False, 3)


def test_moving_with_bad_input_answers_400_on_the_field(head, program, book, alice_member):
    data = propose(head, program)
    orphan = line(data["id"], book["orphan"])
    url = f"/api/proposal-lines/{orphan.pk}/"
    other_program = services.program_create(
        user=head,
        data={
            "name": "Next",
            "starts_on": program.starts_on,
            "ends_on": program.ends_on,
            "head": head,
        },
    )
    stranger = services.member_add(user=head, program=other_program, data={"user": head})
    for body, field in (
        ({"member": 999_999, "version": 1}, "member"),
        ({"member": stranger.pk, "version": 1}, "member"),
        ({"version": 1}, "member"),
        ({"member": alice_member.pk}, "version"),
    ):
        response = api(head).patch(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    assert Proposal.objects.get(pk=data["id"]).version == 1


def test_a_guarded_client_goes_back_to_its_owner_only_with_a_reason(
    head, alice, program, book, alice_member
):
    # Someone else manages the card meanwhile, so that giving it back is a change of hands.
    Organization.objects.filter(pk=book["guarded"].pk).update(account_manager=head)
    data = propose(head, program)
    guarded = line(data["id"], book["guarded"])
    assert guarded.member_id != alice_member.pk  # rule 3: never given back by the proposal
    url = f"/api/proposal-lines/{guarded.pk}/"
    refused = api(head).patch(url, {"member": alice_member.pk, "version": 1}, format="json")
    assert refused.status_code == 400
    assert "override_reason" in refused.json()
    blank = {"member": alice_member.pk, "override_reason": "  ", "version": 1}
    assert api(head).patch(url, blank, format="json").status_code == 400
    reason = "She rebuilt the relationship this spring."
    body = {"member": alice_member.pk, "override_reason": reason, "version": 1}
    response = api(head).patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["rule"], response.json()["reason"]) == (Rule.OVERRIDE, reason)
    confirmed = api(head).post(
        f"/api/proposals/{data['id']}/confirm/", {"version": 2}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.json()
    move = Reassignment.objects.get(organization=book["guarded"])
    assert (move.rule, move.reason) == (Rule.OVERRIDE, f"Override: {reason}")
    assert (move.from_user, move.to_user) == (head, alice)


def test_confirming_moves_each_cards_account_manager_and_records_why(
    head, alice, bob, program, book
):
    data = propose(head, program)
    response = api(head).post(
        f"/api/proposals/{data['id']}/confirm/", {"version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    guarded = Organization.objects.get(pk=book["guarded"].pk)
    assert guarded.account_manager == bob  # taken from the salesperson who guarded it
    moves = {m.organization_id: m for m in Reassignment.objects.all()}
    assert set(moves) == {book["guarded"].pk, book["orphan"].pk}  # alice kept her own
    assert response.json()["changed"] == 2
    assert response.json()["proposal"]["status"] == "confirmed"
    guarded_move = moves[book["guarded"].pk]
    assert (guarded_move.from_user, guarded_move.to_user, guarded_move.by) == (alice, bob, head)
    assert guarded_move.rule == Rule.OWNER_GUARDS
    assert program.clients.get(organization=book["guarded"]).assigned_to == bob
    listed = api(head).get("/api/reassignments/", {"program": program.pk}).json()
    assert {r["organization"] for r in listed["results"]} == set(moves)
    one = api(head).get("/api/reassignments/", {"organization": book["orphan"].pk}).json()
    assert [r["id"] for r in one["results"]] == [moves[book["orphan"].pk].pk]


def test_confirming_a_stale_or_unfinished_draft_is_refused(head, program, book):
    data = propose(head, program)
    url = f"/api/proposals/{data['id']}/confirm/"
    assert api(head).post(url, {}, format="json").status_code == 400  # no version
    assert api(head).post(url, {"version": 7}, format="json").status_code == 409
    Proposal.objects.filter(pk=data["id"]).update(version=1)
    ProposalLine.objects.filter(organization=book["orphan"]).update(member=None)
    refused = api(head).post(url, {"version": 1}, format="json")
    assert refused.status_code == 400
    assert "Orphan Ltd has no member" in refused.json()["non_field_errors"][0]
    assert Proposal.objects.get(pk=data["id"]).status == "draft"
    assert not Reassignment.objects.exists()
    shown = api(head).get(f"/api/proposals/{data['id']}/").json()
    assert shown["problems"] == refused.json()["non_field_errors"]


def test_a_confirmed_proposal_cannot_be_confirmed_again(head, program, book):
    data = propose(head, program)
    url = f"/api/proposals/{data['id']}/confirm/"
    assert api(head).post(url, {"version": 1}, format="json").status_code == 200
    again = api(head).post(url, {"version": 1}, format="json")
    assert again.status_code == 400
    assert "no longer a draft" in again.json()["non_field_errors"][0]


def test_the_proposal_lists_filter_and_cost_the_same_whatever_their_size(
    head, program, book, bob_member, django_assert_max_num_queries
):
    first = propose(head, program)
    for n in range(20):
        make_client(head, f"More {n}")
    services.clients_add_corporate(user=head, program=program)
    second = propose(head, program)
    client = api(head)
    with django_assert_max_num_queries(3):
        proposals = client.get("/api/proposals/", {"program": program.pk}).json()
    assert [p["id"] for p in proposals["results"]] == [second["id"], first["id"]]
    assert proposals["results"][1]["status"] == "superseded"
    with django_assert_max_num_queries(3):
        lines = client.get("/api/proposal-lines/", {"proposal": second["id"], "limit": 100})
    assert lines.json()["count"] == 23
    theirs = client.get(
        "/api/proposal-lines/", {"proposal": second["id"], "member": bob_member.pk, "limit": 100}
    ).json()
    assert {x["member"] for x in theirs["results"]} == {bob_member.pk}
    with django_assert_max_num_queries(10):
        detail = client.get(f"/api/proposals/{second['id']}/")
    assert sum(m["clients"] for m in detail.json()["members"]) == 23
    assert client.get("/api/proposal-lines/", {"member": "bob"}).status_code == 400
