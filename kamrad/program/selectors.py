"""Reads of the VIP program: worklists, coverage, workload, goals, likely monopolisation.

Every read of client rows goes through `kamrad.users.access.scope`, so an account manager sees
their own clients and no one else's, in pages, exports and the API alike.
"""

from __future__ import annotations

import bisect
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext_lazy as _

from kamrad.clients.models import Contact, DossierEntry, Organization, Relationship
from kamrad.program.models import Goal, Member, Program, ProgramClient, Proposal, ProposalLine
from kamrad.users import access
from kamrad.users.models import User

# --- What "worked" means: the one definition ---------------------------------------------------

WORKED = "worked"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
STATES = (WORKED, IN_PROGRESS, NOT_STARTED)
STATE_LABELS = {
    WORKED: _("Worked through"),
    IN_PROGRESS: _("In progress"),
    NOT_STARTED: _("Not started"),
}

# A client is worked through when its meeting was held, its questionnaire recorded and its
# follow-ups created; in progress when any of that, or a planned meeting, exists.
_WORKED_Q = Q(met_on__isnull=False, questionnaire_on__isnull=False, followups_on__isnull=False)
_STARTED_Q = (
    Q(meeting_planned_on__isnull=False)
    | Q(met_on__isnull=False)
    | Q(questionnaire_on__isnull=False)
    | Q(followups_on__isnull=False)
)


def work_state(client: ProgramClient) -> str:
    """Worked through, in progress or not started: the definition coverage counts by."""
    if client.met_on and client.questionnaire_on and client.followups_on:
        return WORKED
    if client.meeting_planned_on or client.met_on or client.questionnaire_on or client.followups_on:
        return IN_PROGRESS
    return NOT_STARTED


def state_expression() -> Case:
    """`work_state` as an SQL expression, for counting in the database."""
    return Case(
        When(_WORKED_Q, then=Value(WORKED)),
        When(_STARTED_Q, then=Value(IN_PROGRESS)),
        default=Value(NOT_STARTED),
    )


# The worklist's order: what is due first.
STEP_PLAN, STEP_MEET, STEP_QUESTIONNAIRE, STEP_FOLLOWUPS, STEP_DONE = range(5)
STEP_LABELS = {
    STEP_PLAN: _("Plan a meeting"),
    STEP_MEET: _("Meeting planned"),
    STEP_QUESTIONNAIRE: _("Questionnaire to enter"),
    STEP_FOLLOWUPS: _("Follow-ups open"),
    STEP_DONE: _("Worked through"),
}


def step_expression() -> Case:
    return Case(
        When(_WORKED_Q, then=Value(STEP_DONE)),
        When(questionnaire_on__isnull=False, then=Value(STEP_FOLLOWUPS)),
        When(met_on__isnull=False, then=Value(STEP_QUESTIONNAIRE)),
        When(meeting_planned_on__isnull=False, then=Value(STEP_MEET)),
        default=Value(STEP_PLAN),
        output_field=IntegerField(),
    )


# --- Programs and their clients -----------------------------------------------------------------


def current_program() -> Program | None:
    """The running program, else the latest one."""
    running = Program.objects.filter(status=Program.Status.RUNNING).first()
    return running or Program.objects.order_by("-starts_on", "-id").first()


def clients_visible_to(user: User, program: Program) -> QuerySet[ProgramClient]:
    return access.scope(ProgramClient.objects.filter(program=program), user, "organization")


def lines_visible_to(user: User, proposal: Proposal) -> QuerySet[ProposalLine]:
    return access.scope(ProposalLine.objects.filter(proposal=proposal), user, "organization")


def draft_of(program: Program) -> Proposal | None:
    return Proposal.objects.filter(program=program, status=Proposal.Status.DRAFT).first()


def latest_confirmed(program: Program) -> Proposal | None:
    return (
        Proposal.objects.filter(program=program, status=Proposal.Status.CONFIRMED)
        .order_by("-confirmed_at", "-id")
        .first()
    )


# --- Workload -----------------------------------------------------------------------------------


@dataclass
class Load:
    member: Member
    capacity_minutes: int
    clients: int = 0
    minutes: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def capacity_hours(self) -> float:
        return round(self.capacity_minutes / 60, 1)

    @property
    def percent(self) -> int | None:
        if not self.capacity_minutes:
            return None
        return round(100 * self.minutes / self.capacity_minutes)

    @property
    def over(self) -> bool:
        return self.minutes > self.capacity_minutes


def member_loads(program: Program, proposal: Proposal | None = None) -> list[Load]:
    """Each member's clients and estimated hours: in `proposal` when given, else as assigned.
    Two queries whatever the number of clients."""
    members = list(Member.objects.filter(program=program).select_related("user"))
    full = program.full_time_minutes()
    loads = {m.pk: Load(m, full * m.share_percent // 100 if m.is_active else 0) for m in members}
    per_client = program.client_minutes
    if proposal is not None:
        counts = (
            ProposalLine.objects.filter(proposal=proposal, member__isnull=False)
            .values_list("member_id", "rule")
            .annotate(n=Count("id"))
        )
        for member_id, rule, n in counts:
            load = loads[member_id]
            load.clients += n
            load.by_rule[rule] += n
    else:
        by_user = {m.user_id: m.pk for m in members}
        counts = (
            ProgramClient.objects.filter(program=program, assigned_to__isnull=False)
            .values_list("assigned_to_id")
            .annotate(n=Count("id"))
        )
        for user_id, n in counts:
            if user_id in by_user:
                loads[by_user[user_id]].clients += n
    for load in loads.values():
        load.minutes = load.clients * per_client
    return list(loads.values())


# --- Worklists ----------------------------------------------------------------------------------


def worklist(program: Program, viewer: User, member_user: User) -> QuerySet[ProgramClient]:
    """A member's clients in the order of what is due: a meeting to plan, a meeting planned
    (soonest first), a questionnaire to enter, follow-ups open, then the ones worked through.
    Each row carries the client's tier and its last personal touch."""
    from kamrad.pyramid.models import ClientValue

    last_touch = (
        Relationship.objects.filter(contact__organization=OuterRef("organization_id"))
        .values("contact__organization")
        .annotate(last=Max("last_touch"))
        .values("last")
    )
    tier = ClientValue.objects.filter(organization=OuterRef("organization_id")).values("tier")
    return (
        clients_visible_to(viewer, program)
        .filter(assigned_to=member_user)
        .select_related("organization")
        .annotate(step=step_expression(), last_touch=Subquery(last_touch), tier=Subquery(tier))
        .order_by("step", "meeting_planned_on", "organization__name", "id")
    )


# --- Coverage -----------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    key: object
    label: str
    worked: int = 0
    in_progress: int = 0
    not_started: int = 0

    @property
    def total(self) -> int:
        return self.worked + self.in_progress + self.not_started

    @property
    def worked_percent(self) -> int:
        return round(100 * self.worked / self.total) if self.total else 0

    def add(self, state: str, n: int) -> None:
        setattr(self, state, getattr(self, state) + n)


@dataclass
class Coverage:
    program: Program
    total: CoverageRow
    by_member: list[CoverageRow]
    by_tier: list[CoverageRow]
    by_region: list[CoverageRow]


def _rows(
    queryset: QuerySet[ProgramClient], key: str, labels: dict[object, str], empty: str
) -> list[CoverageRow]:
    rows: dict[object, CoverageRow] = {}
    for value, state, n in (
        queryset.annotate(state=state_expression())
        .values_list(key, "state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row = rows.get(value)
        if row is None:
            row = rows[value] = CoverageRow(value, labels.get(value, empty) if value else empty)
        row.add(state, n)
    return sorted(rows.values(), key=lambda r: (r.key is None, r.label.lower()))


def coverage(program: Program, user: User) -> Coverage:
    """Worked / in progress / not started for the program, per member, per tier and per
    region, over the clients the user may see. Three grouped queries (the program's total is
    the sum of the members' rows) and two small ones for the labels."""
    from kamrad.clients.models import Region
    from kamrad.pyramid.models import Tier

    clients = clients_visible_to(user, program)
    members = {
        m.user_id: str(m.user)
        for m in Member.objects.filter(program=program).select_related("user")
    }
    by_member = _rows(clients, "assigned_to_id", members, str(_("Not assigned yet")))
    total = CoverageRow("program", program.name)
    for row in by_member:
        for state in STATES:
            total.add(state, getattr(row, state))
    tiers = {t.value: str(t.label) for t in Tier}
    by_tier = _rows(clients, "organization__pyramid_value__tier", tiers, str(_("No tier yet")))
    by_region = _rows(clients, "organization__region_id", {}, str(_("No region")))
    names = dict(
        Region.objects.filter(pk__in=[r.key for r in by_region if r.key]).values_list("pk", "name")
    )
    for row in by_region:
        if row.key:
            row.label = names.get(row.key, str(row.key))
    by_region.sort(key=lambda r: (r.key is None, r.label.lower()))
    return Coverage(program, total, by_member, by_tier, by_region)


@dataclass
class CoveragePoint:
    on: datetime.date
    worked: int
    in_progress: int
    total: int


def coverage_over_time(
    program: Program, user: User, on: datetime.date, points: int = 26
) -> list[CoveragePoint]:
    """How coverage grew from the program's start to `on`, from the dates the work was done:
    a client counts as worked from the day its last step was recorded, and as in progress
    from its first step; one with only a meeting planned has no past date, so it counts as in
    progress on the last point when that is today — as the coverage table counts it.

    Two grouped queries count the clients by the day they started and the day they were
    worked through (a few hundred rows however many clients); the points are running sums.
    """
    end = min(on, program.ends_on)
    start = program.starts_on
    if end < start:
        return []
    clients = clients_visible_to(user, program)
    total = clients.count()
    # Greatest/Least of the three dates: each coalesced to a bound, because SQLite's scalar
    # MAX/MIN answer NULL when any argument is NULL while PostgreSQL's skip it.
    never, long_ago = datetime.date(9999, 12, 31), datetime.date(1, 1, 1)
    worked_on = Greatest(
        *(Coalesce(f, Value(long_ago)) for f in ("met_on", "questionnaire_on", "followups_on"))
    )
    started_on = Least(
        *(Coalesce(f, Value(never)) for f in ("met_on", "questionnaire_on", "followups_on"))
    )
    worked = Counter(
        dict(
            clients.filter(_WORKED_Q)
            .annotate(day=worked_on)
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    started = Counter(
        dict(
            clients.filter(
                Q(met_on__isnull=False)
                | Q(questionnaire_on__isnull=False)
                | Q(followups_on__isnull=False)
            )
            .annotate(day=started_on)
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    worked_days, started_days = _running(worked), _running(started)
    span = (end - start).days
    step = max(1, -(-span // max(1, points - 1)))
    offsets = list(range(0, span + 1, step))
    if offsets[-1] != span:
        offsets.append(span)
    result = []
    for offset in offsets:
        day = start + datetime.timedelta(days=offset)
        done = _as_of(worked_days, day)
        result.append(CoveragePoint(day, done, _as_of(started_days, day) - done, total))
    if end == on:
        planned_only = clients.filter(
            meeting_planned_on__isnull=False,
            met_on__isnull=True,
            questionnaire_on__isnull=True,
            followups_on__isnull=True,
        ).count()
        result[-1].in_progress += planned_only
    return result


def _running(counts: Counter[datetime.date]) -> tuple[list[datetime.date], list[int]]:
    """Days in order and the running total of clients up to each."""
    days = sorted(counts)
    sums, running = [], 0
    for day in days:
        running += counts[day]
        sums.append(running)
    return days, sums


def _as_of(running: tuple[list[datetime.date], list[int]], day: datetime.date) -> int:
    days, sums = running
    at = bisect.bisect_right(days, day)
    return sums[at - 1] if at else 0


def not_reached(program: Program, user: User) -> QuerySet[ProgramClient]:
    """The clients not started yet, longest waiting first (all waited since the program began)."""
    return (
        clients_visible_to(user, program)
        .annotate(state=state_expression())
        .filter(state=NOT_STARTED)
        .select_related("organization", "assigned_to")
        .order_by("organization__name", "id")
    )


# --- Goals --------------------------------------------------------------------------------------

# The goals no record in Kamrad measures yet: the head enters what was achieved.
ENTERED_GOALS = frozenset({Goal.Code.QUALITY_FOUND, Goal.Code.QUALITY_FIXED, Goal.Code.REFERRALS})
MONEY_GOALS = frozenset({Goal.Code.EXTRA_VOLUME})


@dataclass
class GoalFigure:
    code: str
    label: str
    target: int | None
    achieved: int
    measured: bool
    is_money: bool

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.achieved / self.target)


def goal_figures(program: Program, user: User, on: datetime.date) -> list[GoalFigure]:
    """The program's goals as figures, measured over the clients the user may see between the
    program's start and `on` (or its end):
    - key people newly met: relationships our staff started with the clients' people;
    - contact data updated: the clients' people whose card was created or changed;
    - extra volume: sales (base currency) in the program's time minus the same length before;
    - new products: product lines a client bought for the first time in the program's time.
    """
    from kamrad.value.models import Sale

    start, end = program.starts_on, min(on, program.ends_on)
    org_ids = clients_visible_to(user, program).values("organization_id")
    measured: dict[str, int] = {}
    measured[Goal.Code.KEY_PEOPLE_MET] = Relationship.objects.filter(
        contact__organization__in=org_ids,
        created_at__date__gte=start,
        created_at__date__lte=end,
    ).count()
    history = Contact.history.model  # type: ignore[attr-defined]
    measured[Goal.Code.CONTACTS_UPDATED] = (
        history.objects.filter(
            organization_id__in=org_ids,
            history_date__date__gte=start,
            history_date__date__lte=end,
        )
        .values("id")
        .distinct()
        .count()
    )
    length = end - start
    before_start = start - length - datetime.timedelta(days=1)
    sales = Sale.objects.filter(organization__in=org_ids)
    sums = sales.aggregate(
        during=Sum("amount_base", filter=Q(date__gte=start, date__lte=end), default=0),
        before=Sum(
            "amount_base",
            filter=Q(date__gte=before_start, date__lt=start),
            default=0,
        ),
    )
    measured[Goal.Code.EXTRA_VOLUME] = int(sums["during"]) - int(sums["before"])
    firsts = (
        sales.exclude(product_line="")
        .filter(date__lte=end)
        .values("organization_id", "product_line")
        .annotate(first=Min("date"))
        .filter(first__gte=start)
    )
    measured[Goal.Code.NEW_PRODUCTS] = firsts.count()
    goals = {g.code: g for g in Goal.objects.filter(program=program)}
    figures = []
    for code, label in Goal.Code.choices:
        goal = goals.get(code)
        entered = code in ENTERED_GOALS
        achieved = (goal.achieved or 0) if entered and goal else measured.get(code, 0)
        figures.append(
            GoalFigure(
                code=code,
                label=str(label),
                target=goal.target if goal else None,
                achieved=achieved,
                measured=not entered,
                is_money=code in MONEY_GOALS,
            )
        )
    return figures


# --- Likely monopolisation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suspect:
    organization_id: int
    user_id: int
    records: int


def monopoly_suspects(
    program: Program, user: User, organization_ids: Iterable[int] | None = None
) -> dict[int, Suspect]:
    """Clients whose every recorded relation and dossier entry runs through one salesperson —
    the one who brought it or manages it — while no colleague has any: for the head to judge.

    At least two such records are needed, so that a client barely known is not suspected.
    """
    clients = clients_visible_to(user, program)
    if organization_ids is not None:
        clients = clients.filter(organization_id__in=list(organization_ids))
    org_ids = clients.values("organization_id")
    people: dict[int, Counter[int]] = defaultdict(Counter)
    for org, staff, n in (
        Relationship.objects.filter(contact__organization__in=org_ids)
        .values_list("contact__organization_id", "staff_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        people[org][staff] += n
    for org, author, n in (
        DossierEntry.objects.filter(organization__in=org_ids, author__isnull=False)
        .values_list("organization_id", "author_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        people[org][author] += n
    holders = dict(Organization.objects.filter(pk__in=list(people)).values_list("pk", "owner_id"))
    managers = dict(
        Organization.objects.filter(pk__in=list(people)).values_list("pk", "account_manager_id")
    )
    found = {}
    for org, counts in people.items():
        if len(counts) != 1:
            continue
        ((only, records),) = counts.items()
        if records >= 2 and only in {holders.get(org), managers.get(org)}:
            found[org] = Suspect(org, only, records)
    return found
