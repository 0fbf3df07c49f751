"""The split under review: propose, read it by member, move and lock clients in place (htmx)
or by plain posts, override a guarded owner with a reason, confirm."""

from __future__ import annotations

import re

import pytest
import time_machine

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import ProgramClient, Proposal, ProposalLine, Reassignment, Rule
from kamrad.program.tests.conftest import make_client
from kamrad.program.tests.viewhelpers import HTMX, TODAY, on_list, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def clients(head, alice, bob, program, alice_member, bob_member):
    """alice keeps her excellent client; bob guards his, so it must go to alice."""
    kept = make_client(head, "Kept Ltd", owner=alice)
    guarded = make_client(head, "Guarded Ltd", owner=bob)
    on_list(head, program, kept, guarded)
    ProgramClient.objects.filter(organization=kept).update(owner_relation="excellent")
    ProgramClient.objects.filter(organization=guarded).update(owner_guards=True)
    return kept, guarded


@pytest.fixture
def draft(head, program, clients):
    return services.proposal_create(user=head, program=program)


def line_of(draft, organization) -> ProposalLine:
    return ProposalLine.objects.get(proposal=draft, organization=organization)


def version(draft) -> int:
    return Proposal.objects.get(pk=draft.pk).version


def test_the_head_proposes_a_split_and_sees_its_count_and_time(client, head, program, clients):
    client.force_login(head)
    page = client.post(url("proposal_new", program), follow=True).text
    assert re.search(r"A split of 2 clients was proposed in \d+\.\d\d s\.", page)
    assert Proposal.objects.get(program=program).status == "draft"
    assert "Confirm the split" in page


def test_it_shows_the_draft_by_member_to_overseers_only(
    client, head, alice, viewer, program, draft
):
    client.force_login(viewer)
    page = client.get(url("proposal", program)).text
    assert "By member" in page
    assert "Alice Adams" in page and "Bob Brown" in page
    assert "Rule 1: the salesperson who brought it keeps it: <strong>1</strong>" in page
    assert "Propose again" not in page
    client.force_login(alice)
    assert client.get(url("proposal", program)).status_code == 403


def test_a_members_lines_name_the_rule_and_the_owner(
    client, head, program, draft, alice_member, clients
):
    client.force_login(head)
    page = client.get(url("proposal", program), {"member": alice_member.pk}).text
    assert "Kept Ltd" in page and "Guarded Ltd" in page
    assert "Rule 1: the salesperson who brought it keeps it — Alice Adams" in page
    assert "Rule 3: its owner guards it and must hand it over — Bob Brown" in page
    assert 'name="override_reason"' in page  # the guarded client's row asks for a reason


def test_a_move_in_place_answers_the_row_with_the_new_version_and_loads(
    client, head, program, draft, clients, bob_member
):
    kept = clients[0]
    line = line_of(draft, kept)
    client.force_login(head)
    response = client.post(
        url("line_move", program, line.pk),
        {"member": bob_member.pk, "lock": "on", "version": draft.version, "back": "member=1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="line-{line.pk}"')
    assert "Now with Bob Brown" in response.text
    assert 'id="proposal-summary" class="card wide" hx-swap-oob="true"' in response.text
    new = version(draft)
    assert (
        f'value="{new}" class="proposal-version" hx-swap-oob="outerHTML:input.proposal-version"'
        in response.text
    )
    line.refresh_from_db()
    assert (line.member, line.rule, line.locked) == (bob_member, Rule.MOVED, True)


def test_a_plain_move_redirects_back_to_the_members_page(
    client, head, program, draft, clients, bob_member, alice_member
):
    line = line_of(draft, clients[0])
    client.force_login(head)
    back = f"member={alice_member.pk}"
    response = client.post(
        url("line_move", program, line.pk),
        {"member": bob_member.pk, "version": draft.version, "back": back},
    )
    assert response.status_code == 302
    assert response["Location"] == url("proposal", program) + "?" + back
    line.refresh_from_db()
    assert (line.member, line.locked) == (bob_member, False)


def test_giving_a_guarded_client_back_needs_an_override_reason(
    client, head, program, draft, clients, bob_member
):
    line = line_of(draft, clients[1])
    client.force_login(head)
    data = {"member": bob_member.pk, "lock": "on", "version": draft.version}
    refused = client.post(url("line_move", program, line.pk), data, headers=HTMX)
    assert refused.status_code == 200
    assert "Bob Brown guards this client from colleagues and must hand it over" in refused.text
    assert 'class="filter has-error"><span>Override reason' in refused.text
    plain = client.post(url("line_move", program, line.pk), data)
    assert plain.status_code == 400
    assert "giving it back needs an override with a reason" in plain.text
    line.refresh_from_db()
    assert line.rule == Rule.OWNER_GUARDS
    ok = client.post(
        url("line_move", program, line.pk),
        {**data, "override_reason": "The new director asked for him"},
        headers=HTMX,
    )
    assert ok.status_code == 200
    line.refresh_from_db()
    assert (line.member, line.rule, line.reason) == (
        bob_member,
        Rule.OVERRIDE,
        "The new director asked for him",
    )


def test_a_move_to_nobody_is_a_field_error(client, head, program, draft, clients):
    line = line_of(draft, clients[0])
    client.force_login(head)
    response = client.post(
        url("line_move", program, line.pk), {"member": "999", "version": "x"}, headers=HTMX
    )
    assert "Select a valid choice." in response.text
    assert line_of(draft, clients[0]).rule == Rule.OWNER_KEPT


def test_lock_and_unlock_in_place(client, head, program, draft, clients):
    line = line_of(draft, clients[0])
    client.force_login(head)
    locked = client.post(
        url("line_lock", program, line.pk), {"locked": "1", "version": draft.version}, headers=HTMX
    )
    assert locked.status_code == 200
    assert ">Unlock</button>" in locked.text
    assert line_of(draft, clients[0]).locked is True
    unlocked = client.post(
        url("line_lock", program, line.pk), {"locked": "0", "version": version(draft)}
    )
    assert unlocked.status_code == 302
    assert line_of(draft, clients[0]).locked is False


def test_a_stale_version_is_a_409_and_changes_nothing(
    client, head, program, draft, clients, bob_member
):
    kept = line_of(draft, clients[0])
    client.force_login(head)
    services.proposal_lock(
        user=head, line=line_of(draft, clients[1]), locked=True, expected_version=draft.version
    )
    response = client.post(
        url("line_move", program, kept.pk),
        {"member": bob_member.pk, "version": draft.version},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "Someone else changed this proposal meanwhile" in response.text
    assert f'value="{version(draft)}" class="proposal-version"' in response.text
    plain = client.post(
        url("line_lock", program, kept.pk), {"locked": "1", "version": draft.version}
    )
    assert plain.status_code == 409
    kept.refresh_from_db()
    assert (kept.member.user.username, kept.locked) == ("alice", False)


def test_confirm_lists_the_problems_first_then_confirms(
    client, head, alice, bob, program, draft, clients, bob_member
):
    kept, guarded = clients
    client.force_login(head)
    # Giving the guarded client back without an override is what confirm_problems reports.
    ProposalLine.objects.filter(proposal=draft, organization=guarded).update(
        member=bob_member, rule=Rule.MOVED
    )
    page = client.get(url("proposal", program)).text
    assert "Guarded Ltd stays with the salesperson who guards it" in page
    refused = client.post(url("proposal_confirm", program), {"version": draft.version})
    assert refused.status_code == 400
    assert "The split was not confirmed:" in refused.text
    assert Proposal.objects.get(pk=draft.pk).status == "draft"
    services.proposal_move(
        user=head,
        line=line_of(draft, guarded),
        member=draft.program.members.get(user=alice),
        expected_version=version(draft),
    )
    done = client.post(url("proposal_confirm", program), {"version": version(draft)}, follow=True)
    assert "The split was confirmed: 1 client changed hands." in done.text
    assert Proposal.objects.get(pk=draft.pk).status == "confirmed"
    assert Organization.objects.get(pk=guarded.pk).account_manager == alice
    assert Reassignment.objects.get(organization=guarded).from_user == bob
    assert "Confirmed " in done.text  # the confirmed split stays on show


def test_a_stale_confirm_is_a_409(client, head, program, draft, clients):
    client.force_login(head)
    services.proposal_lock(
        user=head, line=line_of(draft, clients[0]), locked=True, expected_version=draft.version
    )
    response = client.post(url("proposal_confirm", program), {"version": draft.version})
    assert response.status_code == 409
    assert Proposal.objects.get(pk=draft.pk).status == "draft"


def test_viewers_and_managers_cannot_change_it(
    client, alice, viewer, program, draft, clients, bob_member
):
    line = line_of(draft, clients[0])
    for user in (alice, viewer):
        client.force_login(user)
        assert client.post(url("proposal_new", program)).status_code == 403
        assert (
            client.post(
                url("line_move", program, line.pk), {"member": bob_member.pk, "version": 1}
            ).status_code
            == 403
        )
        assert client.post(url("proposal_confirm", program), {"version": 1}).status_code == 403
    assert Proposal.objects.filter(program=program).count() == 1


def test_the_member_page_costs_the_same_queries_for_one_client_or_thirty(
    client, head, alice, program, alice_member, bob_member, django_assert_max_num_queries
):
    client.force_login(head)

    def proposed(n: int) -> None:
        orgs = [
            make_client(head, f"Owned {len(Organization.objects.all())}-{i}", owner=alice)
            for i in range(n)
        ]
        on_list(head, program, *orgs)
        ProgramClient.objects.filter(program=program).update(owner_relation="excellent")
        services.proposal_create(user=head, program=program)

    proposed(1)
    with django_assert_max_num_queries(20) as few:
        client.get(url("proposal", program), {"member": alice_member.pk})
    proposed(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("proposal", program), {"member": alice_member.pk}).text
    assert "31 clients" in page
