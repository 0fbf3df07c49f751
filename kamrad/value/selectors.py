"""Reads of the work history: a client's indicators by month, quarter or year, and its records.

Every figure is summed by the database from the integer base-currency columns, grouped by
month in the database (`MonthOf`, on SQLite and PostgreSQL alike), then filed under its
month, quarter or year: six queries whatever the length of the history. Periods without records
are shown as rows of zeros.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
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


class MonthOf(Func):
    """The 'YYYY-MM' of a date column, computed by the database itself.

    Django's Trunc* functions call a Python function per row on SQLite; a date there is
    ISO text, so its first seven characters are the month. PostgreSQL formats it.
    """

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')")


class DaysBetween(Func):
    """Whole days from the second date to the first, as an integer on both databases."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        (end, end_params), (begin, begin_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            sql = f"CAST(julianday({end}) - julianday({begin}) AS INTEGER)"
        else:
            sql = f"({end} - {begin})"
        return sql, (*end_params, *begin_params)


def _grouped(
    qs: QuerySet[Any], date_field: str, period: str, **aggregates: Any
) -> Iterable[tuple[datetime.date, dict[str, Any]]]:
    """Sums per month in SQL; each month is then filed under its period (at most a few
    hundred rows, whatever the number of records)."""
    for item in qs.annotate(m=MonthOf(date_field)).values("m").order_by("m").annotate(**aggregates):
        month = datetime.date(int(item["m"][:4]), int(item["m"][5:7]), 1)
        yield period_start(month, period), item


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
    span = {"gte": start, "lte": end}

    def within(name: str) -> Q:
        return Q(**{f"{name}__{op}": day for op, day in span.items()})

    for key, item in _grouped(
        Sale.objects.filter(within("date"), organization_id=org),
        "date",
        period,
        revenue=Sum("amount_base"),
        cost=Sum("cost_base"),
    ):
        rows[key].revenue += item["revenue"] or 0
        rows[key].cost_of_sales += item["cost"] or 0

    for key, item in _grouped(
        ServiceCost.objects.filter(within("date"), organization_id=org),
        "date",
        period,
        total=Sum("amount_base"),
    ):
        rows[key].cost_to_serve += item["total"] or 0

    for key, item in _grouped(
        Payment.objects.filter(within("paid_date"), organization_id=org),
        "paid_date",
        period,
        total=Sum("amount_base"),
    ):
        rows[key].payments_received += item["total"] or 0

    # Late: paid after the due date, or still unpaid after it; counted in the period it was due.
    paid_or_today = Coalesce("paid_date", Value(today), output_field=DateField())
    late = Payment.objects.filter(within("due_date"), organization_id=org).filter(
        Q(paid_date__gt=F("due_date")) | Q(paid_date__isnull=True, due_date__lt=today)
    )
    for key, item in _grouped(
        late,
        "due_date",
        period,
        count=Count("id"),
        lateness=Sum(DaysBetween(paid_or_today, F("due_date"))),
    ):
        rows[key].payments_late += item["count"]
        rows[key].days_late_total += item["lateness"] or 0

    for key, item in _grouped(
        Claim.objects.filter(within("date"), organization_id=org),
        "date",
        period,
        opened=Count("id"),
        still_open=Count("id", filter=Q(resolved_on__isnull=True)),
    ):
        rows[key].claims_opened += item["opened"]
        rows[key].claims_open += item["still_open"]

    has_accounts = False
    for key, item in _grouped(
        AccountMonth.objects.filter(within("month"), organization_id=org),
        "month",
        period,
        turnover=Sum("turnover_base"),
        balance=Sum("average_balance_base"),
        exports=Sum("exports_base"),
    ):
        has_accounts = True
        row = rows[key]
        row.turnover += item["turnover"] or 0
        row.exports += item["exports"] or 0
        # Balances of several accounts (currencies) in one month add up; months average.
        row.balance_total += item["balance"] or 0
        row.balance_months += 1

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
