"""Questionnaire results across the program: what the recorded meetings yielded, counted.

Four blocks, each a fixed handful of grouped queries whatever the data:
- quality failures by service: the work items meetings opened for failed checks, how many are
  closed and how long closing took (closed_on minus the day the item was opened);
- opportunities by product: how many, their estimated value in the base currency (converted
  at the period's last known rate; a currency without a rate is summed apart, never mixed),
  won, lost and open;
- referrals gained and converted: the prospects meetings created, and how many are clients now;
- key people newly met: new key people and the first links of our people to theirs, by who
  recorded the meeting and by month.

Everything goes through `access.scope`: an account manager's figures are her clients' alone.
A member filter narrows to the clients that member manages.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients.models import Organization
from kamrad.meetings.models import MeetingOutcome, Opportunity, WorkItem
from kamrad.program.selectors import current_program
from kamrad.users import access
from kamrad.users.models import User
from kamrad.value.rates import MissingRate, RateBook

BLOCKS = ("quality", "opportunities", "referrals", "people")


@dataclass(frozen=True)
class Period:
    starts_on: datetime.date
    ends_on: datetime.date


def default_period(today: datetime.date | None = None) -> Period:
    """The running program's period; without a program, the year so far."""
    today = today or timezone.localdate()
    program = current_program()
    if program is not None:
        return Period(program.starts_on, program.ends_on)
    return Period(datetime.date(today.year, 1, 1), today)


def _in_period(period: Period, path: str) -> Q:
    return Q(**{f"{path}__gte": period.starts_on, f"{path}__lte": period.ends_on})


def _scoped[M](queryset: QuerySet[M], user: User, path: str, member: User | None) -> QuerySet[M]:
    queryset = access.scope(queryset, user, path)
    if member is not None:
        queryset = queryset.filter(**{f"{path}__account_manager": member})
    return queryset


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# --- 1. Quality failures by service -------------------------------------------------------------


@dataclass
class QualityRow:
    product_id: int | None
    label: str
    failed: int = 0
    closed: int = 0
    open: int = 0
    median_days: float | None = None
    average_days: float | None = None


def quality_failures(period: Period, user: User, member: User | None = None) -> list[QualityRow]:
    items = _scoped(
        WorkItem.objects.filter(meeting__isnull=False), user, "organization", member
    ).filter(_in_period(period, "created_at__date"))
    counts = (
        items.values("product_id", "product__name")
        .annotate(
            failed=Count("id"),
            closed=Count("id", filter=Q(status=WorkItem.Status.CLOSED)),
        )
        .order_by()
    )
    rows = {
        c["product_id"]: QualityRow(
            product_id=c["product_id"],
            label=c["product__name"] or _("No service named"),
            failed=c["failed"],
            closed=c["closed"],
            open=c["failed"] - c["closed"],
        )
        for c in counts
    }
    durations: dict[int | None, list[int]] = defaultdict(list)
    closed = items.filter(status=WorkItem.Status.CLOSED, closed_on__isnull=False)
    for product_id, created_at, closed_on in closed.values_list(
        "product_id", "created_at", "closed_on"
    ):
        durations[product_id].append((closed_on - timezone.localdate(created_at)).days)
    for product_id, days in durations.items():
        row = rows[product_id]
        row.median_days = float(statistics.median(days))
        row.average_days = round(sum(days) / len(days), 1)
    return sorted(rows.values(), key=lambda r: (-r.failed, r.label))


# --- 2. Opportunities by product and value ------------------------------------------------------


@dataclass
class OpportunityRow:
    label: str
    count: int = 0
    won: int = 0
    lost: int = 0
    open: int = 0
    value_base: int = 0  # minor units of the base currency
    # Sums in a currency with no known rate, by currency: shown apart, never added in.
    unconverted: dict[str, int] = field(default_factory=dict)


@dataclass
class OpportunityBlock:
    currency: str
    rows: list[OpportunityRow]
    rate_date: datetime.date

    @property
    def total(self) -> OpportunityRow:
        total = OpportunityRow(label=_("All products"))
        for row in self.rows:
            total.count += row.count
            total.won += row.won
            total.lost += row.lost
            total.open += row.open
            total.value_base += row.value_base
            for currency, minor in row.unconverted.items():
                total.unconverted[currency] = total.unconverted.get(currency, 0) + minor
        return total


def opportunities(
    period: Period,
    user: User,
    member: User | None = None,
    today: datetime.date | None = None,
) -> OpportunityBlock:
    found = _scoped(
        Opportunity.objects.filter(meeting__isnull=False), user, "organization", member
    ).filter(_in_period(period, "created_at__date"))
    counts = (
        found.values("product__name", "product_name", "currency")
        .annotate(
            count=Count("id"),
            won=Count("id", filter=Q(status=Opportunity.Status.WON)),
            lost=Count("id", filter=Q(status=Opportunity.Status.LOST)),
            open=Count("id", filter=Q(status=Opportunity.Status.OPEN)),
            value=Sum("estimated_minor"),
        )
        .order_by()
    )
    book = RateBook()
    rate_date = min(period.ends_on, today or timezone.localdate())
    rows: dict[str, OpportunityRow] = {}
    for c in counts:
        label = c["product__name"] or c["product_name"] or _("No product named")
        row = rows.setdefault(label, OpportunityRow(label=label))
        row.count += c["count"]
        row.won += c["won"]
        row.lost += c["lost"]
        row.open += c["open"]
        if not c["value"]:
            continue
        currency = c["currency"] or settings.KAMRAD_BASE_CURRENCY
        try:
            row.value_base += book.to_base(c["value"], currency, rate_date)
        except MissingRate:
            row.unconverted[currency] = row.unconverted.get(currency, 0) + c["value"]
    ordered = sorted(rows.values(), key=lambda r: (-r.value_base, -r.count, r.label))
    return OpportunityBlock(currency=book.base, rows=ordered, rate_date=rate_date)


# --- 3. Referrals gained and converted ----------------------------------------------------------


@dataclass
class ReferralRow:
    organization_id: int | None
    label: str
    gained: int = 0
    converted: int = 0

    @property
    def percent(self) -> int:
        return _percent(self.converted, self.gained)


def referrals(
    period: Period, user: User, member: User | None = None
) -> tuple[list[ReferralRow], ReferralRow]:
    found = _scoped(
        MeetingOutcome.objects.filter(
            kind=MeetingOutcome.Kind.REFERRAL, target_organization__isnull=False
        ),
        user,
        "meeting__organization",
        member,
    ).filter(_in_period(period, "meeting__held_on"))
    is_client = Q(target_organization__kind=Organization.Kind.CLIENT)
    measures = {
        "gained": Count("target_organization", distinct=True),
        "converted": Count("target_organization", filter=is_client, distinct=True),
    }
    by_client = (
        found.values("meeting__organization_id", "meeting__organization__name")
        .annotate(**measures)
        .order_by("-gained", "meeting__organization__name")
    )
    rows = [
        ReferralRow(
            organization_id=r["meeting__organization_id"],
            label=r["meeting__organization__name"],
            gained=r["gained"],
            converted=r["converted"],
        )
        for r in by_client
    ]
    overall = found.aggregate(**measures)
    return rows, ReferralRow(None, _("All clients"), overall["gained"], overall["converted"])


# --- 4. Key people newly met --------------------------------------------------------------------


@dataclass
class PeopleRow:
    member_id: int | None
    member: str
    month: datetime.date
    new_people: int = 0
    first_met: int = 0


def people_met(period: Period, user: User, member: User | None = None) -> list[PeopleRow]:
    # A relationship outcome with an object made a new link (a refreshed touch names none).
    new_link = Q(kind=MeetingOutcome.Kind.RELATIONSHIP, object_id__isnull=False)
    found = (
        _scoped(MeetingOutcome.objects.all(), user, "meeting__organization", member)
        .filter(_in_period(period, "meeting__held_on"))
        .filter(Q(kind=MeetingOutcome.Kind.PERSON_NEW) | new_link)
    )
    grouped = (
        found.annotate(month=TruncMonth("meeting__held_on"))
        .values("meeting__recorded_by", "month")
        .annotate(
            new_people=Count("id", filter=Q(kind=MeetingOutcome.Kind.PERSON_NEW)),
            first_met=Count("id", filter=new_link),
        )
        .order_by("month", "meeting__recorded_by")
    )
    grouped = list(grouped)
    names = {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in={g["meeting__recorded_by"] for g in grouped})
    }
    rows = [
        PeopleRow(
            member_id=g["meeting__recorded_by"],
            member=names.get(g["meeting__recorded_by"], _("Nobody named")),
            month=g["month"],
            new_people=g["new_people"],
            first_met=g["first_met"],
        )
        for g in grouped
    ]
    return sorted(rows, key=lambda r: (r.month, r.member))


# --- The whole report ---------------------------------------------------------------------------


@dataclass
class MeetingsReport:
    period: Period
    member: User | None
    quality: list[QualityRow]
    opportunities: OpportunityBlock
    referrals: list[ReferralRow]
    referrals_total: ReferralRow
    people: list[PeopleRow]

    @property
    def quality_total(self) -> QualityRow:
        total = QualityRow(product_id=None, label=_("All services"))
        for row in self.quality:
            total.failed += row.failed
            total.closed += row.closed
            total.open += row.open
        return total

    @property
    def people_total(self) -> tuple[int, int]:
        return sum(r.new_people for r in self.people), sum(r.first_met for r in self.people)


def meetings_report(
    period: Period, user: User, member: User | None = None, today: datetime.date | None = None
) -> MeetingsReport:
    referral_rows, referral_total = referrals(period, user, member)
    return MeetingsReport(
        period=period,
        member=member,
        quality=quality_failures(period, user, member),
        opportunities=opportunities(period, user, member, today),
        referrals=referral_rows,
        referrals_total=referral_total,
        people=people_met(period, user, member),
    )


def as_data(report: MeetingsReport) -> dict[str, Any]:
    """The report as plain data (the API's answer)."""
    opp = report.opportunities
    return {
        "from": report.period.starts_on,
        "to": report.period.ends_on,
        "member": report.member.pk if report.member else None,
        "quality": [vars(r) for r in report.quality],
        "opportunities": {
            "currency": opp.currency,
            "rate_date": opp.rate_date,
            "rows": [vars(r) for r in opp.rows],
            "total": vars(opp.total),
        },
        "referrals": {
            "rows": [{**vars(r), "percent": r.percent} for r in report.referrals],
            "total": {**vars(report.referrals_total), "percent": report.referrals_total.percent},
        },
        "people": [vars(r) for r in report.people],
    }
