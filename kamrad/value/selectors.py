"""Reads of the work history: a client's indicators by month, quarter or year, and its records.

Every figure is summed by the database from the integer base-currency columns and grouped by
month, in one plain-SQL statement (six `GROUP BY`s joined by `UNION ALL`, on SQLite and
PostgreSQL alike), then filed under its month, quarter or year in Python: one query whatever
the length of the history. Periods without records are shown as rows of zeros.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamrad.clients.models import Organization
from kamrad.users import access
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost
from kamrad.value.rates import base_currency

PERIODS = {
    "month": gettext_lazy("Months"),
    "quarter": gettext_lazy("Quarters"),
    "year": gettext_lazy("Years"),
}
_STEP = {"month": 1, "quarter": 3, "year": 12}
# How far back a table reaches when no start is given, in periods.
DEFAULT_SPAN = {"month": 12, "quarter": 12, "year": 5}
MAX_PERIODS = 600


def period_start(day: datetime.date, period: str) -> datetime.date:
    month = day.month - (day.month - 1) % _STEP[period]
    return datetime.date(day.year, month, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_end(start: datetime.date, period: str) -> datetime.date:
    """The last day of the period that begins on `start`."""
    return add_months(start, _STEP[period]) - datetime.timedelta(days=1)


def period_label(start: datetime.date, period: str) -> str:
    if period == "year":
        return str(start.year)
    if period == "quarter":
        return _("Q%(quarter)d %(year)d") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    return f"{start:%Y-%m}"


EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2199, 12, 31)


def _clamp(day: datetime.date) -> datetime.date:
    return min(max(day, EARLIEST), LATEST)


def default_range(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = period_start(today, period)
    first = add_months(last, -_STEP[period] * (DEFAULT_SPAN[period] - 1))
    return first, period_end(last, period)


@dataclass
class Row:
    """One period's figures, in minor units of the base currency (counts are counts)."""

    start: datetime.date | None = None
    label: str = ""
    revenue: int = 0
    cost_of_sales: int = 0
    cost_to_serve: int = 0
    payments_received: int = 0
    payments_late: int = 0
    days_late_total: int = 0
    claims_opened: int = 0
    claims_open: int = 0
    turnover: int = 0
    balance_total: int = 0  # the sum of monthly average balances, for averaging
    balance_months: int = 0
    exports: int = 0

    @property
    def profit(self) -> int:
        return self.revenue - self.cost_of_sales

    @property
    def value(self) -> int:
        """What the period earned us: profit less the cost to serve."""
        return self.profit - self.cost_to_serve

    @property
    def average_days_late(self) -> Decimal | None:
        if not self.payments_late:
            return None
        return (Decimal(self.days_late_total) / self.payments_late).quantize(
            Decimal("0.1"), ROUND_HALF_EVEN
        )

    @property
    def average_balance(self) -> int:
        """The average daily balance: of the month, or the mean of the period's months."""
        if not self.balance_months:
            return 0
        q, r = divmod(self.balance_total, self.balance_months)
        return q + (
            1 if 2 * r > self.balance_months or (2 * r == self.balance_months and q % 2) else 0
        )

    def add(self, other: Row) -> None:
        for f in fields(self):
            if f.name not in {"start", "label"}:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Indicators:
    organization_id: int
    period: str
    start: datetime.date
    end: datetime.date
    currency: str
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=Row)
    has_accounts: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(
            r.revenue
            or r.cost_to_serve
            or r.payments_received
            or r.claims_opened
            or r.turnover
            or r.balance_months
            or r.payments_late
            for r in self.rows
        )


# The month of a date column, as 'YYYY-MM' text, computed by the database itself (a date is
# ISO text on SQLite), and whole days between two dates, as an integer on both databases.
_MONTH = {"sqlite": "substr({0}, 1, 7)", "postgresql": "to_char({0}, 'YYYY-MM')"}
_DAYS = {
    "sqlite": "CAST(julianday({0}) - julianday({1}) AS INTEGER)",
    "postgresql": "({0} - {1})",
}

# Every figure of a client's table in one statement: per kind of record, its sums per month
# (kind, month, three figures). Each part reads its (organization, date) index.
_PARTS = (
    # 1: sales: revenue and the cost of sales
    "SELECT 1, {m_date}, SUM(amount_base), SUM(cost_base), 0 FROM value_sale "
    "WHERE organization_id = %s AND date >= %s AND date <= %s GROUP BY 2",
    # 2: costs to serve
    "SELECT 2, {m_date}, SUM(amount_base), 0, 0 FROM value_servicecost "
    "WHERE organization_id = %s AND date >= %s AND date <= %s GROUP BY 2",
    # 3: payments received, in the month they were paid
    "SELECT 3, {m_paid}, SUM(amount_base), 0, 0 FROM value_payment "
    "WHERE organization_id = %s AND paid_date >= %s AND paid_date <= %s GROUP BY 2",
    # 4: late payments, in the month they were due: paid after the due date, or unpaid after it
    "SELECT 4, {m_due}, COUNT(*), SUM({late}), 0 FROM value_payment "
    "WHERE organization_id = %s AND due_date >= %s AND due_date <= %s "
    "AND (paid_date > due_date OR (paid_date IS NULL AND due_date < %s)) GROUP BY 2",
    # 5: claims opened, and those of them still open
    "SELECT 5, {m_date}, COUNT(*), "
    "COALESCE(SUM(CASE WHEN resolved_on IS NULL THEN 1 ELSE 0 END), 0), 0 FROM value_claim "
    "WHERE organization_id = %s AND date >= %s AND date <= %s GROUP BY 2",
    # 6: account months: turnover, the average balance, exports
    "SELECT 6, {m_month}, SUM(turnover_base), SUM(average_balance_base), SUM(exports_base) "
    "FROM value_accountmonth "
    "WHERE organization_id = %s AND month >= %s AND month <= %s GROUP BY 2",
)


def _indicators_sql(vendor: str) -> str:
    month = _MONTH[vendor]
    return " UNION ALL ".join(
        part.format(
            m_date=month.format("date"),
            m_paid=month.format("paid_date"),
            m_due=month.format("due_date"),
            m_month=month.format("month"),
            late=_DAYS[vendor].format("COALESCE(paid_date, %s)", "due_date"),
        )
        for part in _PARTS
    )


def indicators(
    organization: Organization,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Indicators:
    """The client's figures per period between `start` and `end` (whole periods)."""
    if period not in _STEP:
        raise ValueError(period)
    today = today or timezone.localdate()
    default_start, default_end = default_range(period, today)
    start = period_start(_clamp(start or default_start), period)
    end = period_end(period_start(_clamp(end or default_end), period), period)
    if end < start:
        start, end = period_start(end, period), period_end(start, period)
    # A bounded table: a range of centuries by month is cut to its last MAX_PERIODS.
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months // _STEP[period] > MAX_PERIODS:
        start = add_months(period_start(end, period), -_STEP[period] * (MAX_PERIODS - 1))

    rows: dict[datetime.date, Row] = {}
    cursor = start
    while cursor <= end:
        rows[cursor] = Row(start=cursor, label=period_label(cursor, period))
        cursor = add_months(cursor, _STEP[period])

    org = organization.pk
    adapt = connection.ops.adapt_datefield_value
    first, last, day = adapt(start), adapt(end), adapt(today)
    span = [org, first, last]
    params = [*span, *span, *span, day, *span, day, *span, *span]
    with connection.cursor() as cursor:
        cursor.execute(_indicators_sql(connection.vendor), params)
        figures = cursor.fetchall()

    has_accounts = False
    for kind, month, a, b, c in figures:
        row = rows[period_start(datetime.date(int(month[:4]), int(month[5:7]), 1), period)]
        a, b, c = int(a or 0), int(b or 0), int(c or 0)
        if kind == 1:
            row.revenue += a
            row.cost_of_sales += b
        elif kind == 2:
            row.cost_to_serve += a
        elif kind == 3:
            row.payments_received += a
        elif kind == 4:
            row.payments_late += a
            row.days_late_total += b
        elif kind == 5:
            row.claims_opened += a
            row.claims_open += b
        else:
            has_accounts = True
            row.turnover += a
            # Balances of several accounts (currencies) in one month add up; months average.
            row.balance_total += b
            row.balance_months += 1
            row.exports += c

    result = Indicators(
        organization_id=org,
        period=period,
        start=start,
        end=end,
        currency=base_currency(),
        rows=list(rows.values()),
        has_accounts=has_accounts,
    )
    total = Row(label=_("Total"))
    for row in result.rows:
        total.add(row)
    result.total = total
    return result


# --- The records of a client --------------------------------------------------------------

RECORD_KINDS = {
    "sales": Sale,
    "payments": Payment,
    "claims": Claim,
    "costs": ServiceCost,
    "accounts": AccountMonth,
}
PAGE_SIZE = 25


def records_page(
    organization: Organization, kind: str, *, page: int = 1, size: int = PAGE_SIZE
) -> Page:
    model = RECORD_KINDS[kind]
    qs = model.objects.filter(organization_id=organization.pk)
    if model is Sale:
        qs = qs.select_related("product")
    paginator = Paginator(qs, size)
    return paginator.get_page(page)


def visible_record(user: Any, kind: str, pk: int, *, write: bool = False) -> Any:
    """One record the user may see (another manager's client's record is a 404)."""
    model = RECORD_KINDS[kind]
    return access.get_visible_or_404(
        model.objects.select_related("organization"), user, "organization", write=write, pk=pk
    )


def rates_page(*, currency: str = "", page: int = 1, size: int = 50) -> Page:
    qs = ExchangeRate.objects.all()
    if currency:
        qs = qs.filter(currency=currency.upper())
    return Paginator(qs, size).get_page(page)


def currencies_in_use() -> list[str]:
    """Currencies with a rate, for the rates page's filter."""
    return list(
        ExchangeRate.objects.order_by("currency").values_list("currency", flat=True).distinct()
    )
