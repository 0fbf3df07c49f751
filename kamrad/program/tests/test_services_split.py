"""Proposing, reviewing and confirming a split, against the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import Member, ProgramClient, Reassignment, Rule
from kamrad.program.tests.conftest import make_client


@pytest.fixture
def book(head, alice, bob, program, alice_member, bob_member):
    """alice's excellent client, her doubted one, her guarded one, and one nobody owns."""
    kept = make_client(head, "Kept Ltd", owner=alice)
    doubted = make_client(head, "Doubted Ltd", owner=alice)
    guarded = make_client(head, "Guarded Ltd", owner=alice)
    orphan = make_client(head, "Orphan Ltd")
    services.clients_add_corporate(user=head, program=program)
    assess = {
        kept: {"owner_relation": "excellent"},
        doubted: {"owner_relation": "excellent", "owner_doubted": True},
        guarded: {"owner_relation": "excellent", "owner_guards": True},
    }
    for organization, data in assess.items():
        pc = ProgramClient.objects.get(program=program, organization=organization)
        services.client_assess(user=head, client=pc, data=data, expected_version=pc.version)
    return {"kept": kept, "doubted": doubted, "guarded": guarded, "orphan": orphan}


def line_of(proposal, organization):
    return proposal.lines.select_related("member__user", "client__organization").get(
        organization=organization
    )


def test_it_adds_every_corporate_client_once(head, program, book):
    make_client(head, "Private Person", private=True)
    make_client(head, "A Competitor", kind=Organization.Kind.COMPETITOR)
    assert services.clients_add_corporate(user=head, program=program) == 0
    assert program.clients.count() == 4


def test_it_adds_important_private_clients_by_hand(head, program, book):
    person = make_client(head, "Ivan Ivanov", private=True)
    assert services.clients_add(user=head, program=program, organizations=[person]) == 1
    assert program.clients.get(organization=person).source == "private"


def test_it_proposes_by_the_rules_and_says_which_rule_decided(head, alice, bob, program, book):
    proposal = services.proposal_create(user=head, program=program)
    assert proposal.client_count == 4
    kept = line_of(proposal, book["kept"])
    assert (kept.member.user, kept.rule) == (alice, Rule.OWNER_KEPT)
    doubted = line_of(proposal, book["doubted"])
    assert (doubted.member.user, doubted.rule) == (bob, Rule.OWNER_DOUBTED)
    guarded = line_of(proposal, book["guarded"])
    assert (guarded.member.user, guarded.rule) == (bob, Rule.OWNER_GUARDS)
    assert line_of(proposal, book["orphan"]).rule == Rule.NO_OWNER


def test_proposing_again_gives_the_same_split_and_keeps_the_locks(
    head, program, book, alice_member, bob_member
):
    first = services.proposal_create(user=head, program=program)
    before = dict(first.lines.values_list("client_id", "member_id"))
    orphan = line_of(first, book["orphan"])
    other = bob_member if orphan.member_id == alice_member.pk else alice_member
    services.proposal_move(user=head, line=orphan, member=other, expected_version=first.version)
    second = services.proposal_create(user=head, program=program)
    first.refresh_from_db()
    assert first.status == "superseded"
    after = dict(second.lines.values_list("client_id", "member_id"))
    before[orphan.client_id] = other.pk
    assert after == before
    moved = line_of(second, book["orphan"])
    assert (moved.locked, moved.rule) == (True, Rule.LOCKED)


def test_a_guarded_client_goes_back_to_its_owner_only_by_override_with_a_reason(
    head, alice, program, book, alice_member
):
    proposal = services.proposal_create(user=head, program=program)
    line = line_of(proposal, book["guarded"])
    with pytest.raises(ValidationError) as refused:
        services.proposal_move(
            user=head, line=line, member=alice_member, expected_version=proposal.version
        )
    assert "override_reason" in refused.value.error_dict
    services.proposal_move(
        user=head,
        line=line,
        member=alice_member,
        expected_version=proposal.version,
        override_reason="The client's director asked for her by name.",
    )
    services.proposal_confirm(user=head, proposal=proposal, expected_version=proposal.version + 1)
    # She manages it already, so nothing changes hands; the confirmed proposal keeps who
    # overrode the rule, when and why.
    line.refresh_from_db()
    assert (line.rule, line.changed_by, line.locked) == (Rule.OVERRIDE, head, True)
    assert line.reason == "The client's director asked for her by name."
    assert Organization.objects.get(pk=book["guarded"].pk).account_manager == alice
    assert not Reassignment.objects.filter(organization=book["guarded"]).exists()


def test_an_override_that_changes_hands_is_recorded_with_its_reason(
    head, alice, bob, program, book, alice_member
):
    organization = book["guarded"]
    organization.account_manager = bob
    organization.save()
    proposal = services.proposal_create(user=head, program=program)
    services.proposal_move(
        user=head,
        line=line_of(proposal, organization),
        member=alice_member,
        expected_version=proposal.version,
        override_reason="Asked for by name",
    )
    services.proposal_confirm(user=head, proposal=proposal, expected_version=proposal.version + 1)
    move = Reassignment.objects.get(organization=organization)
    assert (move.from_user, move.to_user, move.rule) == (bob, alice, Rule.OVERRIDE)
    assert "Asked for by name" in move.reason


def test_confirming_moves_the_card_and_records_every_reassignment(head, alice, bob, program, book):
    proposal = services.proposal_create(user=head, program=program)
    changed = services.proposal_confirm(
        user=head, proposal=proposal, expected_version=proposal.version
    )
    # doubted and guarded go from alice to bob; the orphan gets its first manager.
    assert changed == 3
    for key in ("doubted", "guarded"):
        organization = Organization.objects.get(pk=book[key].pk)
        assert organization.account_manager == bob
        move = Reassignment.objects.get(organization=organization)
        assert (move.from_user, move.to_user, move.by) == (alice, bob, head)
        assert move.reason
        last = organization.history.first()
        assert last.history_user == head and last.account_manager_id == bob.pk
    assert Organization.objects.get(pk=book["kept"].pk).account_manager == alice
    assert not Reassignment.objects.filter(organization=book["kept"]).exists()
    assigned = dict(program.clients.values_list("organization_id", "assigned_to_id"))
    assert assigned[book["kept"].pk] == alice.pk
    assert assigned[book["doubted"].pk] == bob.pk


def test_a_stale_review_is_refused(head, program, book, alice_member, bob_member):
    proposal = services.proposal_create(user=head, program=program)
    line = line_of(proposal, book["orphan"])
    services.proposal_lock(user=head, line=line, locked=True, expected_version=proposal.version)
    with pytest.raises(services.StaleEdit):
        services.proposal_confirm(user=head, proposal=proposal, expected_version=proposal.version)


def test_a_confirmed_proposal_cannot_change(head, program, book, alice_member):
    proposal = services.proposal_create(user=head, program=program)
    services.proposal_confirm(user=head, proposal=proposal, expected_version=proposal.version)
    with pytest.raises(ValidationError):
        services.proposal_move(
            user=head,
            line=line_of(proposal, book["orphan"]),
            member=alice_member,
            expected_version=proposal.version + 1,
        )


def test_it_refuses_to_confirm_a_client_nobody_holds(head, alice, program, alice_member):
    guarded = make_client(head, "Only Alice Ltd", owner=alice)
    services.clients_add_corporate(user=head, program=program)
    pc = program.clients.get(organization=guarded)
    services.client_assess(
        user=head, client=pc, data={"owner_guards": True}, expected_version=pc.version
    )
    proposal = services.proposal_create(user=head, program=program)
    assert line_of(proposal, guarded).rule == Rule.NOBODY
    with pytest.raises(ValidationError) as refused:
        services.proposal_confirm(user=head, proposal=proposal, expected_version=proposal.version)
    assert "Only Alice Ltd" in str(refused.value)


def test_only_the_head_proposes(alice, program, book):
    with pytest.raises(PermissionDenied):
        services.proposal_create(user=alice, program=program)


def test_a_part_time_member_gets_half_the_share_by_default(head, program, bob):
    member = services.member_add(
        user=head, program=program, data={"user": bob, "capacity": Member.Capacity.PART_TIME}
    )
    assert member.share_percent == 50
    assert member.capacity_minutes() == program.full_time_minutes() // 2


def test_one_program_runs_at_a_time(head, program):
    with pytest.raises(ValidationError) as refused:
        services.program_create(
            user=head,
            data={
                "name": "Another",
                "starts_on": program.starts_on,
                "ends_on": program.ends_on,
                "head": head,
                "status": "running",
            },
        )
    assert "status" in refused.value.error_dict


def test_a_direct_reassignment_needs_a_reason_and_is_recorded(
    head, alice, bob, program, book, alice_member, bob_member
):
    pc = program.clients.get(organization=book["kept"])
    with pytest.raises(ValidationError):
        services.client_reassign(
            user=head, client=pc, to_user=bob, reason=" ", expected_version=pc.version
        )
    services.client_reassign(
        user=head, client=pc, to_user=bob, reason="Alice is on leave", expected_version=pc.version
    )
    move = Reassignment.objects.get(organization=book["kept"])
    assert (move.from_user, move.to_user, move.reason) == (alice, bob, "Alice is on leave")
    assert Organization.objects.get(pk=book["kept"].pk).account_manager == bob


def test_each_client_put_on_the_list_has_its_audit_entry(head, program, book):
    history = ProgramClient.history.filter(program_id=program.pk, history_type="+")
    assert history.count() == 4
    assert {(h.history_type, h.history_user_id, h.source) for h in history} == {
        ("+", head.pk, "corporate")
    }
    assert set(history.values_list("id", flat=True)) == set(
        program.clients.values_list("id", flat=True)
    )
    # Its later changes follow in the same history, as for any edited row.
    pc = program.clients.get(organization=book["kept"])
    assert [h.history_type for h in pc.history.all()] == ["~", "+"]


def test_confirming_drops_the_lines_of_the_drafts_it_replaced(head, program, book):
    first = services.proposal_create(user=head, program=program)
    second = services.proposal_create(user=head, program=program)
    assert first.lines.count() == 4  # a superseded draft can still be read until then
    services.proposal_confirm(user=head, proposal=second, expected_version=second.version)
    first.refresh_from_db()
    assert (first.status, first.client_count, first.lines.count()) == ("superseded", 4, 0)
    assert second.lines.count() == 4


def test_a_closed_program_keeps_its_list_and_its_split(head, bob, program, book, bob_member):
    draft = services.proposal_create(user=head, program=program)
    services.program_update(
        user=head, program=program, data={"status": "closed"}, expected_version=program.version
    )
    make_client(head, "Late Ltd")
    for attempt in (
        lambda: services.clients_add_corporate(user=head, program=program),
        lambda: services.proposal_create(user=head, program=program),
        lambda: services.proposal_confirm(user=head, proposal=draft, expected_version=1),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "closed" in str(refused.value)
    pc = program.clients.get(organization=book["kept"])
    with pytest.raises(ValidationError):
        services.client_reassign(
            user=head, client=pc, to_user=bob, reason="Too late", expected_version=pc.version
        )
    assert program.clients.count() == 4
    assert not Reassignment.objects.exists()
