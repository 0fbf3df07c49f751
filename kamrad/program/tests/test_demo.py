"""The demo's VIP program: loaded once with the whole demo set for this module, then read."""

from __future__ import annotations

import pytest
from django.db.models import F, Q

from kamrad.clients.demo import DEMO_DAY
from kamrad.clients.models import Organization
from kamrad.clients.tests.test_demo import demo  # noqa: F401  (the module-scoped demo load)
from kamrad.program import selectors
from kamrad.program.demo import COUNCIL, STARTS_ON
from kamrad.program.models import Goal, Member, Program, ProgramClient, Proposal, Reassignment, Rule
from kamrad.users.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture
def program() -> Program:
    return Program.objects.get()


@pytest.fixture
def head() -> User:
    return User.objects.get(username="head")


def test_it_runs_one_program_headed_by_the_programs_head(program, head):
    assert program.status == Program.Status.RUNNING
    assert program.head == head
    assert selectors.current_program() == program
    assert program.starts_on <= DEMO_DAY <= program.ends_on


def test_it_staffs_it_with_a_dedicated_and_a_part_time_manager(program):
    staff = {m.user.username: (m.capacity, m.share_percent) for m in program.members.all()}
    assert staff["anna"] == (Member.Capacity.DEDICATED, 100)
    assert staff["dmitry"] == (Member.Capacity.PART_TIME, 50)
    assert len(staff) >= 2


def test_it_lists_every_corporate_client_and_the_two_most_valuable_private_ones(program):
    corporate = set(
        # A referral won at a meeting came after the list was made: the head adds it by hand.
        Organization.objects.filter(
            kind=Organization.Kind.CLIENT, is_private=False, referred_by__isnull=True
        ).values_list("pk", flat=True)
    )
    listed = set(program.clients.values_list("organization_id", flat=True))
    assert corporate and corporate <= listed
    private = program.clients.filter(source=ProgramClient.Source.PRIVATE)
    assert private.count() == 2
    assert all(c.organization.is_private for c in private)


def test_it_confirmed_one_split_that_used_every_rule(program):
    proposal = Proposal.objects.get(program=program)
    assert proposal.status == Proposal.Status.CONFIRMED
    assert proposal.client_count == program.clients.count()
    rules = set(proposal.lines.values_list("rule", flat=True))
    assert {Rule.OWNER_KEPT, Rule.OWNER_DOUBTED, Rule.OWNER_GUARDS, Rule.NO_OWNER} <= rules
    assert not proposal.lines.filter(member__isnull=True).exists()
    council = proposal.lines.get(organization__name=COUNCIL)
    assert (council.member.user.username, council.rule) == ("head", Rule.MOVED)


def test_it_recorded_every_reassignment_and_the_cards_follow_the_split(program, head):
    moves = Reassignment.objects.filter(program=program)
    assert moves.count() > 10
    assert not moves.filter(to_user__isnull=True).exists()
    assert not moves.exclude(by=head).exists()
    assert not moves.filter(reason="").exists()
    assert not program.clients.exclude(assigned_to=F("organization__account_manager")).exists()


def test_it_hands_guarded_clients_to_someone_else(program):
    guarded = program.clients.filter(owner_guards=True)
    assert 1 <= guarded.count() <= 2
    assert not guarded.filter(assigned_to=F("organization__owner")).exists()
    # The data points at them: every recorded relation runs through their owner.
    suspects = selectors.monopoly_suspects(program, program.head)
    for client in guarded.select_related("organization"):
        assert suspects[client.organization_id].user_id == client.organization.owner_id


def test_its_work_is_dated_in_the_programs_past(program):
    dated = program.clients.filter(Q(met_on__isnull=False))
    assert dated.exists()
    assert not dated.filter(Q(met_on__lt=STARTS_ON) | Q(met_on__gt=DEMO_DAY)).exists()
    assert not program.clients.filter(questionnaire_on__lt=F("met_on")).exists()
    assert not program.clients.filter(followups_on__lt=F("questionnaire_on")).exists()
    assert not program.clients.filter(followups_on__gt=DEMO_DAY).exists()


def test_its_coverage_is_under_way_and_grew_over_time(program, head):
    total = selectors.coverage(program, head).total
    assert total.total == program.clients.count()
    assert total.worked > 0 and total.in_progress > 0 and total.not_started > 0
    points = selectors.coverage_over_time(program, head, DEMO_DAY)
    assert points[0].worked == 0
    worked = [p.worked for p in points]
    assert worked == sorted(worked) and worked[-1] == total.worked


def test_an_account_manager_sees_only_their_own_share_of_it(program):
    anna = User.objects.get(username="anna")
    mine = selectors.coverage(program, anna).total.total
    assert 0 < mine == program.clients.filter(assigned_to=anna).count() < program.clients.count()


def test_every_goal_has_a_target_and_the_entered_ones_a_figure(program, head):
    figures = {f.code: f for f in selectors.goal_figures(program, head, DEMO_DAY)}
    assert set(figures) == set(Goal.Code.values)
    assert all(f.target for f in figures.values())
    assert all(figures[code].achieved > 0 for code in selectors.ENTERED_GOALS)
