"""The verdict on clients: every criterion met or not, and the figures and periods behind it.

One client or a hundred thousand, the work history is read with the same few grouped queries
(sales per client over two years; account figures per client and month over two years), so
a card, the candidates list and `kamrad qualify` cost a fixed number of queries each.

Periods end on the evaluation date (`as_of`, today by default): "the last 12 months" are the
current calendar month and the eleven before it; growth compares them with the 12 before.
Thresholds carry their own currency and are converted to the base currency at the rate known
on `as_of`; without a rate the measure "cannot be evaluated" (it never counts as met).
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamrad.clients.models import Organization
from kamrad.lib import money
from kamrad.qualification.models import (
    AttractionStage,
    CandidateDecision,
    Criterion,
    JudgedMark,
    Measure,
    QualificationRule,
    StoredVerdict,
)
from kamrad.users import access
from kamrad.value.models import AccountMonth, ExchangeRate, Sale
from kamrad.value.rates import MissingRate, RateBook, base_currency

Narrow = Callable[[QuerySet[Any]], QuerySet[Any]]


class Status(enum.StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"  # a figure could not be evaluated (no exchange rate, nothing to compare)
    UNJUDGED = "unjudged"  # a judged criterion nobody has judged yet


STATUS_VALUES = [status.value for status in Status]

STATUS_LABELS = {
    Status.MET: gettext_lazy("Met"),
    Status.UNMET: gettext_lazy("Not met"),
    Status.UNKNOWN: gettext_lazy("Cannot be evaluated"),
    Status.UNJUDGED: gettext_lazy("Not judged yet"),
}


def status_label(status: Status) -> str:
    return str(STATUS_LABELS[status])


# --- Periods ------------------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Periods:
    as_of: datetime.date
    start: datetime.date  # first day of the 12-month window
    before_start: datetime.date  # first day of the 12 months before it

    @classmethod
    def ending(cls, as_of: datetime.date) -> Periods:
        start = _add_months(as_of.replace(day=1), -11)
        return cls(as_of=as_of, start=start, before_start=_add_months(start, -12))

    # Worked out once: every alternative of every client names them.
    @functools.cached_property
    def label(self) -> str:
        return f"{self.start:%Y-%m}..{self.as_of:%Y-%m}"

    @functools.cached_property
    def before_label(self) -> str:
        return f"{self.before_start:%Y-%m}..{_add_months(self.start, -1):%Y-%m}"

    @functools.cached_property
    def both_label(self) -> str:
        return f"{self.label} / {self.before_label}"


def today() -> datetime.date:
    return timezone.localdate()


# --- The work history, grouped ----------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    """One client's figures over the two years before `as_of`, in base-currency minor units."""

    sales: int = 0
    sales_before: int = 0
    product_lines: int = 0
    turnover: int = 0  # the last 12 months
    turnover_before: int = 0  # the 12 months before them
    exports: int = 0
    best_turnover: int = 0  # the best month of the last 12
    best_balance: int = 0
    # Which month was best; None when the figures were summed in the database (a screening
    # of every client needs the amounts only).
    best_turnover_month: datetime.date | None = None
    best_balance_month: datetime.date | None = None


def gather_figures(
    narrow: Narrow, periods: Periods, *, by_month: bool = True
) -> dict[int, Figures]:
    """Two grouped queries for all the clients `narrow` lets through.

    `by_month` reads the account figures per client and month (to name the best month); without
    it the database sums them per client as well, a fifth of the rows for a screening.
    """
    found: dict[int, Figures] = defaultdict(Figures)
    recent = Q(date__gte=periods.start)
    sales = (
        narrow(Sale.objects.filter(date__gte=periods.before_start, date__lte=periods.as_of))
        .values("organization_id")
        .annotate(
            total=Sum("amount_base", filter=recent, default=0),
            before=Sum("amount_base", filter=~recent, default=0),
            lines=Count("product_line", distinct=True, filter=recent & ~Q(product_line="")),
        )
        .order_by()
    )
    for row in sales:
        figures = found[row["organization_id"]]
        figures.sales, figures.sales_before = row["total"], row["before"]
        figures.product_lines = row["lines"]
    per_month = (
        narrow(
            AccountMonth.objects.filter(month__gte=periods.before_start, month__lte=periods.as_of)
        )
        .values("organization_id", "month")
        .annotate(
            turnover=Sum("turnover_base"),
            balance=Sum("average_balance_base"),
            exports=Sum("exports_base"),
        )
        .order_by()
    )
    if by_month:
        for row in per_month:
            figures = found[row["organization_id"]]
            if row["month"] < periods.start:
                figures.turnover_before += row["turnover"]
                continue
            figures.turnover += row["turnover"]
            figures.exports += row["exports"]
            if (row["turnover"], row["month"]) > (
                figures.best_turnover,
                figures.best_turnover_month or datetime.date.min,
            ):
                figures.best_turnover, figures.best_turnover_month = row["turnover"], row["month"]
            if (row["balance"], row["month"]) > (
                figures.best_balance,
                figures.best_balance_month or datetime.date.min,
            ):
                figures.best_balance, figures.best_balance_month = row["balance"], row["month"]
        return dict(found)
    inner, params = per_month.query.sql_with_params()
    start = connection.ops.adapt_datefield_value(periods.start)
    recent_sql = "CASE WHEN per_month.month >= %s THEN per_month.{} ELSE 0 END"
    sql = (
        "SELECT per_month.organization_id, "
        f"SUM({recent_sql.format('turnover')}), SUM({recent_sql.format('exports')}), "
        "SUM(CASE WHEN per_month.month < %s THEN per_month.turnover ELSE 0 END), "
        f"MAX({recent_sql.format('turnover')}), MAX({recent_sql.format('balance')}) "
        f"FROM ({inner}) per_month GROUP BY per_month.organization_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [start] * 5 + list(params))
        for org_id, turnover, exports, before, best_turnover, best_balance in cursor.fetchall():
            figures = found[org_id]
            figures.turnover, figures.exports = int(turnover), int(exports)
            figures.turnover_before = int(before)
            figures.best_turnover, figures.best_balance = int(best_turnover), int(best_balance)
    return dict(found)


# --- The criteria ------------------------------------------------------------------------------


@dataclass
class Setup:
    """The rule, the enabled criteria with their measures, thresholds in the base currency."""

    needed: int
    criteria: list[Criterion]
    periods: Periods
    base: str
    # measure id → its threshold in base minor units, or the MissingRate that prevents it
    thresholds: dict[int, int | MissingRate]
    measures: dict[int, list[Measure]]  # criterion id → its measures, read once

    @property
    def judged(self) -> list[Criterion]:
        return [c for c in self.criteria if c.is_judged]


def rule() -> QualificationRule:
    found = QualificationRule.objects.first()
    return found or QualificationRule(pk=1, min_met=3, version=0)


def load_setup(as_of: datetime.date | None = None) -> Setup:
    """Three queries (rule, criteria with measures) and one more for rates when needed."""
    periods = Periods.ending(as_of or today())
    criteria = list(Criterion.objects.filter(enabled=True).prefetch_related("measures"))
    base = base_currency()
    measures = {c.pk: list(c.measures.all()) for c in criteria}
    money_measures = [m for c in criteria for m in measures[c.pk] if m.metric in Measure.MONEY]
    foreign = {m.currency for m in money_measures if m.currency != base}
    rates = RateBook(
        list(
            ExchangeRate.objects.filter(currency__in=foreign, date__lte=periods.as_of).values_list(
                "currency", "date", "rate_scaled"
            )
        )
        if foreign
        else []
    )
    thresholds: dict[int, int | MissingRate] = {}
    for measure in money_measures:
        try:
            thresholds[measure.pk] = rates.to_base(
                measure.amount_minor or 0, measure.currency, periods.as_of
            )
        except MissingRate as missing:
            thresholds[measure.pk] = missing
    return Setup(
        needed=rule().min_met,
        criteria=criteria,
        periods=periods,
        base=base,
        thresholds=thresholds,
        measures=measures,
    )


# --- Verdicts ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Alternative:
    """One measure of a measured criterion, evaluated."""

    measure: Measure
    status: Status
    period: str
    figure: int | None  # base minor units, a count, or tenths of a percent
    threshold: int | None  # base minor units, a count, or a percent
    form: str  # which sentence tells it: lines, money, missing, growth, none, new
    setup: Setup

    @property
    def text(self) -> str:
        """The figure, its period and the threshold, as a sentence in the current language."""
        measure, periods, base = self.measure, self.setup.periods, self.setup.base
        name = metric_name(measure.metric)
        op = "≥" if self.status is Status.MET else "<"
        if self.form == "lines":
            return f"{name} {self.period}: {self.figure} {op} {self.threshold}"
        if self.form == "money":
            wanted = _money(measure.amount_minor or 0, measure.currency)
            if measure.currency != base:
                wanted = f"{wanted} ({_money(self.threshold or 0, base)})"
            return f"{name} {self.period}: {_money(self.figure or 0, base)} {op} {wanted}"
        if self.form == "missing":
            return _(
                "%(name)s: no %(currency)s exchange rate on or before %(date)s, cannot be evaluated"
            ) % {"name": name, "currency": measure.currency, "date": periods.as_of.isoformat()}
        if self.form == "none":
            return _("%(name)s: none in %(period)s") % {
                "name": name,
                "period": f"{periods.before_start:%Y-%m}..{periods.as_of:%Y-%m}",
            }
        if self.form == "new":
            return _("%(name)s: nothing in %(period)s to compare with") % {
                "name": name,
                "period": periods.before_label,
            }
        return _("%(name)s %(now)s against %(before)s: %(growth)s %(op)s %(need)s %%") % {
            "name": name,
            "now": periods.label,
            "before": periods.before_label,
            "growth": f"{(self.figure or 0) / 10:+.1f} %",
            "op": op,
            "need": self.threshold,
        }


@dataclass
class CriterionVerdict:
    criterion: Criterion
    status: Status
    alternatives: list[Alternative] = field(default_factory=list)
    mark: JudgedMark | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def met(self) -> bool:
        return self.status is Status.MET


@dataclass
class Verdict:
    organization_id: int
    as_of: datetime.date
    needed: int
    criteria: list[CriterionVerdict]
    decision: CandidateDecision | None = None

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def enabled_count(self) -> int:
        return len(self.criteria)

    @property
    def qualifies(self) -> bool:
        return self.met_count >= self.needed

    @property
    def is_candidate(self) -> bool:
        """Qualifies, and the program head has not decided on it yet."""
        return self.qualifies and self.decision is None

    @property
    def met_criteria(self) -> list[CriterionVerdict]:
        return [c for c in self.criteria if c.met]


def _money(minor: int, currency: str) -> str:
    return f"{money.format_minor(minor, currency)} {currency}"


METRIC_NAMES = {
    Measure.Metric.PRODUCT_LINES: gettext_lazy("Product lines"),
    Measure.Metric.SALES_YEAR: gettext_lazy("Sales"),
    Measure.Metric.TURNOVER_MONTH: gettext_lazy("Account turnover"),
    Measure.Metric.EXPORTS_YEAR: gettext_lazy("Exports"),
    Measure.Metric.BALANCE_MONTH: gettext_lazy("Average daily balance"),
    Measure.Metric.SALES_GROWTH: gettext_lazy("Sales"),
    Measure.Metric.TURNOVER_GROWTH: gettext_lazy("Account turnover"),
}


def metric_name(metric: str) -> str:
    return str(METRIC_NAMES[Measure.Metric(metric)])


def _evaluate_measure(measure: Measure, figures: Figures, setup: Setup) -> Alternative:
    """The measure's status and figures; its sentence is written only when someone reads it
    (a list over every client needs the statuses of all and the sentences of a few)."""
    metric, periods = measure.metric, setup.periods
    if metric == Measure.Metric.PRODUCT_LINES:
        need, lines = measure.count or 0, figures.product_lines
        status = Status.MET if lines >= need else Status.UNMET
        return Alternative(measure, status, periods.label, lines, need, "lines", setup)
    if metric in Measure.GROWTH:
        if metric == Measure.Metric.SALES_GROWTH:
            now, before = figures.sales, figures.sales_before
        else:
            now, before = figures.turnover, figures.turnover_before
        need = measure.percent or 0
        if before <= 0:
            if now <= 0:
                return Alternative(
                    measure, Status.UNMET, periods.both_label, None, need, "none", setup
                )
            return Alternative(
                measure, Status.UNKNOWN, periods.both_label, None, need, "new", setup
            )
        # Exact comparison in integers: now / before ≥ 1 + need / 100.
        status = Status.MET if now * 100 >= before * (100 + need) else Status.UNMET
        # Tenths of a percent rounded half up: floor(x + 1/2), x = 1000 (now − before) / before.
        tenths = (2000 * (now - before) + before) // (2 * before)
        return Alternative(measure, status, periods.both_label, tenths, need, "growth", setup)
    # Money against a threshold in its own currency.
    threshold = setup.thresholds.get(measure.pk)
    if isinstance(threshold, MissingRate) or threshold is None:
        return Alternative(measure, Status.UNKNOWN, periods.label, None, None, "missing", setup)
    if metric == Measure.Metric.SALES_YEAR:
        figure, period = figures.sales, periods.label
    elif metric == Measure.Metric.EXPORTS_YEAR:
        figure, period = figures.exports, periods.label
    else:
        if metric == Measure.Metric.TURNOVER_MONTH:
            figure, month = figures.best_turnover, figures.best_turnover_month
        else:
            figure, month = figures.best_balance, figures.best_balance_month
        period = f"{month:%Y-%m}" if month else periods.label
    status = Status.MET if figure >= threshold else Status.UNMET
    return Alternative(measure, status, period, figure, threshold, "money", setup)


def _evaluate(
    organization_id: int,
    figures: Figures,
    marks: dict[int, JudgedMark],
    decision: CandidateDecision | None,
    setup: Setup,
) -> Verdict:
    results = []
    for criterion in setup.criteria:
        if criterion.is_judged:
            mark = marks.get(criterion.pk)
            status = Status.UNJUDGED if mark is None else Status.MET if mark.met else Status.UNMET
            results.append(CriterionVerdict(criterion, status, mark=mark))
            continue
        alternatives = [_evaluate_measure(m, figures, setup) for m in setup.measures[criterion.pk]]
        statuses = {a.status for a in alternatives}
        if Status.MET in statuses:
            status = Status.MET
        elif Status.UNKNOWN in statuses or not alternatives:
            status = Status.UNKNOWN
        else:
            status = Status.UNMET
        results.append(CriterionVerdict(criterion, status, alternatives))
    return Verdict(organization_id, setup.periods.as_of, setup.needed, results, decision)


def _marks(narrow: Narrow) -> dict[int, dict[int, JudgedMark]]:
    found: dict[int, dict[int, JudgedMark]] = defaultdict(dict)
    for mark in narrow(JudgedMark.objects.select_related("set_by")):
        found[mark.organization_id][mark.criterion_id] = mark
    return found


def _decisions(narrow: Narrow) -> dict[int, CandidateDecision]:
    return {
        d.organization_id: d for d in narrow(CandidateDecision.objects.select_related("decided_by"))
    }


def verdict_for(organization: Organization, *, as_of: datetime.date | None = None) -> Verdict:
    """One client's verdict: a fixed number of queries (see `verdicts_for`)."""
    return verdicts_for([organization.pk], as_of=as_of)[organization.pk]


def verdicts_for(
    organization_ids: Iterable[int],
    *,
    as_of: datetime.date | None = None,
    setup: Setup | None = None,
) -> dict[int, Verdict]:
    """Verdicts for these clients (the caller has checked that they may be seen)."""
    ids = list(organization_ids)
    setup = setup or load_setup(as_of)
    return _verdicts(lambda qs: qs.filter(organization_id__in=ids), ids, setup)


def _verdicts(
    narrow: Narrow,
    ids: Iterable[int] | None,
    setup: Setup,
    keep: Callable[[Verdict], bool] | None = None,
    *,
    by_month: bool = True,
) -> dict[int, Verdict]:
    figures = gather_figures(narrow, setup.periods, by_month=by_month)
    marks = _marks(narrow)
    decisions = _decisions(narrow)
    if ids is None:
        # Only a client with some figure or a judgement can meet a criterion at all.
        ids = set(figures) | set(marks)
    found = {}
    for pk in ids:
        verdict = _evaluate(
            pk, figures.get(pk, Figures()), marks.get(pk, {}), decisions.get(pk), setup
        )
        # Dropped at once unless kept: over every client, few verdicts are wanted.
        if keep is None or keep(verdict):
            found[pk] = verdict
    return found


def verdicts_in_range(first_id: int, last_id: int, setup: Setup) -> dict[int, Verdict]:
    """Every client with an id in [first_id, last_id] that has figures or judgements.

    A screening: statuses and amounts, without naming the best month of the account figures.
    """

    def narrow(qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.filter(organization_id__gte=first_id, organization_id__lte=last_id)

    return _verdicts(narrow, None, setup, by_month=False)


# --- Candidates --------------------------------------------------------------------------------


@dataclass
class Candidate:
    organization: Organization
    verdict: Verdict


CHUNK = 5000


def candidates(user: Any, *, as_of: datetime.date | None = None) -> list[Candidate]:
    """Qualifying clients the user may see that the program head has not decided on yet.

    Grouped queries over the visible clients' work history, never a query per client.
    """
    setup = load_setup(as_of)

    def narrow(qs: QuerySet[Any]) -> QuerySet[Any]:
        return access.scope(qs, user, "organization")

    # Screen every visible client with amounts summed in the database, then read the few
    # candidates again month by month for the figures and periods their verdicts show.
    screened = _verdicts(narrow, None, setup, keep=lambda v: v.is_candidate, by_month=False)
    visible = access.scope(Organization.objects.all(), user, "").select_related("account_manager")
    ids = sorted(screened)
    found = []
    # In slices: a database takes only so many parameters in one statement.
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        verdicts = verdicts_for(part, setup=setup)
        found += [
            Candidate(org, verdicts[org.pk])
            for org in visible.filter(pk__in=part)
            if verdicts[org.pk].is_candidate
        ]
    found.sort(
        key=lambda c: (-c.verdict.met_count, c.organization.name.casefold(), c.organization.pk)
    )
    return found


# --- The attraction procedure ------------------------------------------------------------------


@dataclass
class StageRow:
    stage: int
    label: str
    guidance: str
    row: AttractionStage | None

    @property
    def done(self) -> bool:
        return self.row is not None and self.row.done_on is not None

    @property
    def version(self) -> int:
        return self.row.version if self.row is not None else 0


def attraction_checklist(organization: Organization) -> list[StageRow]:
    """The six stages in order, each with what has been recorded (one query)."""
    rows = {
        r.stage: r
        for r in AttractionStage.objects.filter(organization=organization).select_related("done_by")
    }
    return [
        StageRow(
            stage=value,
            label=str(label),
            guidance=str(AttractionStage.GUIDANCE[AttractionStage.Stage(value)]),
            row=rows.get(value),
        )
        for value, label in AttractionStage.Stage.choices
    ]


# --- Candidates from the stored verdicts --------------------------------------------------------


@dataclass
class StoredRow:
    criterion: Criterion


@dataclass
class StoredCandidateVerdict:
    """A candidate's stored verdict, read the way the candidates list reads a live one."""

    as_of: datetime.date
    needed: int
    met_count: int
    enabled_count: int
    met_criteria: list[StoredRow]
    computed_at: datetime.datetime
    decision: None = None
    qualifies: bool = True
    is_candidate: bool = True


def stored_candidates(user: Any) -> list[Candidate]:
    """Qualifying clients the user may see, undecided, as `kamrad qualify` last stored them.

    Two queries whatever the number of clients: the enabled criteria and the stored rows.
    """
    criteria = {c.code: c for c in Criterion.objects.filter(enabled=True)}
    rows = (
        access.scope(StoredVerdict.objects.all(), user, "organization")
        .filter(qualifies=True, organization__vip_decision__isnull=True)
        .select_related("organization__account_manager")
        .order_by("-met_count", Lower("organization__name"), "organization_id")
    )
    return [
        Candidate(
            row.organization,
            StoredCandidateVerdict(  # type: ignore[arg-type]
                as_of=row.as_of,
                needed=row.needed,
                met_count=row.met_count,
                enabled_count=len(criteria),
                met_criteria=[StoredRow(criteria[c]) for c in row.met_codes if c in criteria],
                computed_at=row.computed_at,
            ),
        )
        for row in rows
    ]


def stored_evaluated_at(user: Any) -> tuple[datetime.datetime | None, bool]:
    """When the visible stored verdicts were last evaluated (None when never), and whether
    the criteria or the rule changed since (some are stale)."""
    rows = access.scope(StoredVerdict.objects.all(), user, "organization")
    found = rows.aggregate(last=Max("computed_at"), stale=Count("pk", filter=Q(stale=True)))
    return found["last"], bool(found["stale"])
