"""Coverage arithmetic on a hand-made program: states, groupings, over time, not reached."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from kamrad.clients.models import Region
from kamrad.program import selectors, services
from kamrad.program.models import ProgramClient
from kamrad.program.tests.conftest import START, make_client
from kamrad.pyramid.models import ClientValue

DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False):
        yield


def record(head, pc: ProgramClient, **marks: datetime.date) -> ProgramClient:
    pc.refresh_from_db()
    return services.client_record_work(
        user=head, client=pc, data=marks, expected_version=pc.version
    )


@pytest.fixture
def worked_set(head, alice, bob, program, alice_member, bob_member):
    """Six clients: alice holds four (two worked, one met, one untouched), bob two (one with a
    meeting planned, one untouched). Two are in the north."""
    north = Region.objects.create(name="North")
    orgs = [make_client(head, f"Client {i}", owner=alice if i < 4 else bob) for i in range(6)]
    for org in orgs[:2]:
        org.region = north
        org.save()
    services.clients_add_corporate(user=head, program=program)
    proposal = services.proposal_create(user=head, program=program)
    for line in proposal.lines.all():
        line.member = (
            alice_member if line.organization_id in {o.pk for o in orgs[:4]} else bob_member
        )
        line.save()
    services.proposal_confirm(user=head, proposal=proposal, expected_version=proposal.version)
    pcs = {pc.organization_id: pc for pc in program.clients.all()}
    record(
        head,
        pcs[orgs[0].pk],
        met_on=START + 3 * DAY,
        questionnaire_on=START + 3 * DAY,
        followups_on=START + 10 * DAY,
    )
    record(
        head,
        pcs[orgs[1].pk],
        met_on=START + 20 * DAY,
        questionnaire_on=START + 21 * DAY,
        followups_on=START + 30 * DAY,
    )
    record(head, pcs[orgs[2].pk], met_on=START + 25 * DAY)
    record(head, pcs[orgs[4].pk], meeting_planned_on=TODAY + 5 * DAY)
    ClientValue.objects.create(
        organization=orgs[0],
        ltv=10,
        profit=10,
        tier="most_valuable",
        trend="stable",
        computed_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )
    return orgs


def as_tuple(row: selectors.CoverageRow) -> tuple[int, int, int]:
    return (row.worked, row.in_progress, row.not_started)


def test_work_state_and_its_sql_expression_agree(program, worked_set):
    in_sql = dict(
        program.clients.annotate(state=selectors.state_expression()).values_list("id", "state")
    )
    assert in_sql == {pc.pk: selectors.work_state(pc) for pc in program.clients.all()}


def test_it_counts_the_program_per_member_per_tier_and_per_region(
    head, alice, bob, program, worked_set
):
    result = selectors.coverage(program, head)
    assert as_tuple(result.total) == (2, 2, 2)
    assert result.total.worked_percent == 33
    members = {row.key: as_tuple(row) for row in result.by_member}
    assert members == {alice.pk: (2, 1, 1), bob.pk: (0, 1, 1)}
    tiers = {row.key: as_tuple(row) for row in result.by_tier}
    assert tiers == {"most_valuable": (1, 0, 0), None: (1, 2, 2)}
    regions = {row.label: as_tuple(row) for row in result.by_region}
    assert regions == {"North": (2, 0, 0), "No region": (0, 2, 2)}


def test_an_account_manager_counts_only_their_own_clients(alice, bob, program, worked_set):
    assert as_tuple(selectors.coverage(program, bob).total) == (0, 1, 1)
    assert as_tuple(selectors.coverage(program, alice).total) == (2, 1, 1)


def test_coverage_over_time_follows_the_dates_the_work_was_done(head, program, worked_set):
    points = {p.on: p for p in selectors.coverage_over_time(program, head, TODAY, points=60)}
    assert points[START].worked == 0 and points[START].in_progress == 0
    day10 = points[START + 10 * DAY]
    assert (day10.worked, day10.in_progress) == (1, 0)
    day25 = points[START + 25 * DAY]
    assert (day25.worked, day25.in_progress) == (1, 2)
    # Today the client with a meeting planned is in progress too, as in the coverage table.
    last = points[TODAY]
    assert (last.worked, last.in_progress, last.total) == (2, 2, 6)
    table = selectors.coverage(program, head).total
    assert (last.worked, last.in_progress) == (table.worked, table.in_progress)


def test_the_clients_not_reached_are_listed(head, program, worked_set):
    names = [pc.organization.name for pc in selectors.not_reached(program, head)]
    assert names == ["Client 3", "Client 5"]


def test_a_worklist_puts_what_is_due_first(head, alice, program, worked_set):
    rows = list(selectors.worklist(program, head, alice))
    assert [(r.organization.name, r.step) for r in rows] == [
        ("Client 3", selectors.STEP_PLAN),
        ("Client 2", selectors.STEP_QUESTIONNAIRE),
        ("Client 0", selectors.STEP_DONE),
        ("Client 1", selectors.STEP_DONE),
    ]
    assert rows[2].tier == "most_valuable"


def test_another_managers_worklist_is_empty_for_an_account_manager(bob, alice, program, worked_set):
    assert list(selectors.worklist(program, bob, alice)) == []


def test_it_refuses_work_marks_out_of_order_or_in_the_future(head, program, worked_set):
    pc = program.clients.get(organization=worked_set[3])
    with pytest.raises(ValidationError) as refused:
        services.client_record_work(
            user=head, client=pc, data={"questionnaire_on": TODAY}, expected_version=pc.version
        )
    assert "questionnaire_on" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        services.client_record_work(
            user=head, client=pc, data={"met_on": TODAY + DAY}, expected_version=pc.version
        )
    assert "met_on" in refused.value.error_dict


def test_an_account_manager_cannot_record_work_on_a_client_not_theirs(bob, program, worked_set):
    pc = program.clients.get(organization=worked_set[0])
    with pytest.raises(PermissionDenied):
        services.client_record_work(
            user=bob, client=pc, data={"met_on": TODAY}, expected_version=pc.version
        )
