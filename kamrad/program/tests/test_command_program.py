"""`kamrad program propose|confirm|coverage`: what it prints and what it changes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import Proposal, Reassignment
from kamrad.program.tests.conftest import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(head, alice, bob, program, alice_member, bob_member):
    """alice guards one client (rule 3) and keeps another (rule 1); one has no owner."""
    guarded = make_client(head, "Guarded Ltd", owner=alice, region="Tver")
    kept = make_client(head, "Kept Ltd", owner=alice, region="Tver")
    # A region's name a spreadsheet would take for a formula.
    orphan = make_client(head, "Orphan Ltd", region="=cmd|' /C calc'!A0")
    services.clients_add_corporate(user=head, program=program)
    for organization, data in (
        (guarded, {"owner_relation": "excellent", "owner_guards": True}),
        (kept, {"owner_relation": "excellent"}),
    ):
        pc = program.clients.get(organization=organization)
        services.client_assess(user=head, client=pc, data=data, expected_version=pc.version)
    return {"guarded": guarded, "kept": kept, "orphan": orphan}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("program", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_proposes_for_the_running_program_and_prints_the_loads(head, program, book):
    out, err = run("propose")
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.client_count, proposal.created_by) == ("draft", 3, head)
    assert f"Proposal #{proposal.pk} for VIP 2026: 3 clients among 2 members." in out
    assert "Alice Adams" in out and "Bob Brown" in out
    assert "Over capacity: nobody" in out
    assert "Rule 1: the salesperson who brought it keeps it" in out
    assert "Rule 3: its owner guards it and must hand it over" in out
    assert "Proposed in " in out
    assert "Proposed: 3 rows" in err  # the progress bar's last line


def test_it_confirms_the_draft_and_says_how_many_clients_changed_hands(head, bob, program, book):
    run("propose", "--program", str(program.pk))
    out, _err = run("confirm")
    proposal = Proposal.objects.get()
    assert proposal.status == "confirmed"
    assert proposal.confirmed_by == head
    assert f"Confirmed proposal #{proposal.pk} for VIP 2026: 2 clients changed hands." in out
    assert Organization.objects.get(pk=book["guarded"].pk).account_manager == bob
    assert Reassignment.objects.filter(by=head).count() == 2


def test_it_acts_as_another_head_or_administrator_when_asked(admin_user, program, book):
    run("propose", "--as", admin_user.username)
    out, _err = run("confirm", "--as", admin_user.username)
    assert "changed hands" in out
    assert set(Reassignment.objects.values_list("by", flat=True)) == {admin_user.pk}


def test_it_refuses_to_act_as_an_account_manager(alice, program, book):
    with pytest.raises(CommandError, match="neither a program head nor an administrator"):
        run("propose", "--as", alice.username)
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        run("propose", "--as", "nobody")
    assert not Proposal.objects.exists()


def test_it_prints_what_stops_a_confirmation_and_fails(head, program, book):
    run("propose")
    proposal = Proposal.objects.get()
    proposal.lines.filter(organization=book["orphan"]).update(member=None)
    with pytest.raises(CommandError, match="Orphan Ltd has no member") as failure:
        run("confirm", "--proposal", str(proposal.pk))
    assert f"Proposal #{proposal.pk} cannot be confirmed" in str(failure.value)
    assert Proposal.objects.get().status == "draft"
    assert not Reassignment.objects.exists()


def test_it_fails_clearly_without_a_program_or_a_draft(head, program, book):
    with pytest.raises(CommandError, match="There is no program 999"):
        run("propose", "--program", "999")
    with pytest.raises(CommandError, match="has no draft proposal"):
        run("confirm")
    with pytest.raises(CommandError, match="has no proposal 999"):
        run("confirm", "--proposal", "999")
    services.program_update(
        user=head, program=program, data={"status": "closed"}, expected_version=program.version
    )
    with pytest.raises(CommandError, match="No program is running"):
        run("coverage")
    with pytest.raises(CommandError, match="closed"):
        run("propose", "--program", str(program.pk))


def test_it_prints_coverage_per_member_tier_region_and_program(head, alice, program, book):
    run("propose")
    run("confirm")
    out, _err = run("coverage")
    assert "Coverage of VIP 2026" in out
    for heading in ("by member", "by tier", "by region", "by program"):
        assert heading in out
    program_line = next(line for line in out.splitlines() if line.strip().startswith("VIP 2026"))
    assert program_line.split()[-5:] == ["0", "0", "3", "3", "0%"]
    assert "Tver" in out and "=cmd" in out


def test_it_writes_coverage_as_csv_that_no_spreadsheet_evaluates(head, program, book):
    out, _err = run("coverage", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0] == ["by", "name", "worked", "in progress", "not started", "total", "worked %"]
    assert ["program", "VIP 2026", "0", "0", "3", "3", "0"] in rows
    assert ["region", "Tver", "0", "0", "2", "2", "0"] in rows
    assert ["member", "Not assigned yet", "0", "0", "3", "3", "0"] in rows
    assert ["region", "'=cmd|' /C calc'!A0", "0", "0", "1", "1", "0"] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)
