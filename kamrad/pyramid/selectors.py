"""Reads for the pyramid pages, API and exports: precomputed figures, scoped to the user.

An account manager sees the counts, sums and lists of their own clients only (the tiers
themselves are computed over all clients); the head, viewers and administrators see all.
Each function runs a fixed number of queries whatever the number of clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField, Count, F, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from kamrad.pyramid.models import TIER_RANK, ClientValue, RecomputeRun, Tier, TierMove
from kamrad.users import access
from kamrad.users.models import User
from kamrad.value.models import Sale, ServiceCost

TIERS_TOP_DOWN = sorted(Tier, key=lambda t: TIER_RANK[t])


def values_visible_to(user: User) -> QuerySet[ClientValue]:
    return access.scope(ClientValue.objects.all(), user, "organization")


def moves_visible_to(user: User) -> QuerySet[TierMove]:
    return access.scope(TierMove.objects.all(), user, "organization")


# --- The pyramid ----------------------------------------------------------------------------


@dataclass
class TierSummary:
    tier: str
    label: str
    count: int
    ltv: int
    share: float | None  # of the LTV of the clients above the ballast; None with nothing there
    url: str
    points: str = ""  # the SVG band
    label_y: float = 0


# The bands of the SVG pyramid, top to bottom: a triangle's tip, then widening trapezoids.
_SVG_WIDTH, _BAND, _GAP = 420, 64, 4


def _totals(user: User) -> dict[str, dict[str, int]]:
    """Each tier's count and LTV: for whoever sees every client, as the last recompute left
    them (one row read); for an account manager, summed over their own clients."""
    if user.sees_all_clients:
        last = (
            RecomputeRun.objects.filter(status=RecomputeRun.Status.DONE)
            .order_by("-started_at", "-id")
            .values_list("summary", flat=True)
            .first()
        )
        if last:
            return {tier: {"count": c, "total": t} for tier, (c, t) in last.items()}
    return {
        row["tier"]: row
        for row in values_visible_to(user)
        .order_by()
        .values("tier")
        .annotate(count=Count("pk"), total=Sum("ltv", output_field=BigIntegerField()))
    }


def summary(user: User) -> list[TierSummary]:
    """Each tier with its count, its LTV and its share: one query."""
    rows = _totals(user)
    positive = sum(
        int(rows[t]["total"] or 0) for t in rows if t != Tier.BALLAST and rows[t]["total"]
    )
    labels = dict(Tier.choices)
    url = reverse("pyramid:clients")
    found = []
    for index, tier in enumerate(TIERS_TOP_DOWN):
        row = rows.get(tier, {})
        total = int(row.get("total") or 0)
        item = TierSummary(
            tier=tier,
            label=str(labels[tier]),
            count=int(row.get("count") or 0),
            ltv=total,
            share=round(100 * total / positive, 1) if positive else None,
            url=f"{url}?tier={tier}",
        )
        _band(item, index, len(TIERS_TOP_DOWN))
        found.append(item)
    return found


def _band(item: TierSummary, index: int, bands: int) -> None:
    height = bands * (_BAND + _GAP)
    half = _SVG_WIDTH / 2

    def half_width(y: float) -> float:
        return half * y / height

    top, bottom = index * (_BAND + _GAP), index * (_BAND + _GAP) + _BAND
    a, b = half_width(top), half_width(bottom)
    item.points = (
        f"{half - a:.1f},{top} {half + a:.1f},{top} {half + b:.1f},{bottom} {half - b:.1f},{bottom}"
    )
    item.label_y = top + _BAND * (0.72 if index == 0 else 0.5)


SVG_SIZE = (_SVG_WIDTH, len(Tier) * (_BAND + _GAP))


# --- A tier's clients -------------------------------------------------------------------------


@dataclass
class TierPage:
    rows: list[ClientValue]
    number: int
    has_next: bool
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def tier_queryset(user: User, tier: str) -> QuerySet[ClientValue]:
    qs = values_visible_to(user).select_related("organization__account_manager")
    if tier:
        qs = qs.filter(tier=tier)
    return qs.order_by("-ltv", "organization_id")


def tier_page(
    user: User, tier: str, *, page: int, start: date | None = None, end: date | None = None
) -> TierPage:
    """One page of a tier's clients by LTV, with the LTV of a chosen period when asked."""
    size = settings.KAMRAD_PAGE_SIZE
    page = max(page, 1)
    qs = tier_queryset(user, tier)
    rows = list(qs[(page - 1) * size : page * size + 1])
    count = qs.order_by().count()
    card = reverse("clients:card", args=[0]).removesuffix("0/")
    for row in rows:
        row.card_url = f"{card}{row.organization_id}/"  # type: ignore[attr-defined]
    if start or end:
        period = period_ltv([r.organization_id for r in rows], start=start, end=end)
        for row in rows:
            row.period_ltv = period.get(row.organization_id, 0)  # type: ignore[attr-defined]
    return TierPage(rows=rows[:size], number=page, has_next=len(rows) > size, count=count)


def period_ltv(
    organization_ids: list[int], *, start: date | None, end: date | None
) -> dict[int, int]:
    """LTV (profit − cost to serve) of these clients between two dates, both included."""
    found: dict[int, int] = dict.fromkeys(organization_ids, 0)
    if not organization_ids:
        return found
    for model, amount, sign in (
        (Sale, F("amount_base") - F("cost_base"), 1),
        (ServiceCost, F("amount_base"), -1),
    ):
        qs = model.objects.filter(organization_id__in=organization_ids)
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        sums = (
            qs.order_by()
            .values("organization_id")
            .annotate(total=Sum(amount, output_field=BigIntegerField()))
            .values_list("organization_id", "total")
        )
        for pk, total in sums:
            found[pk] += sign * int(total or 0)
    return found


def export_rows(user: User, tier: str) -> QuerySet[ClientValue]:
    return tier_queryset(user, tier)


# --- Tier moves --------------------------------------------------------------------------------

MOVES_SHOWN = 100


def moves_since(user: User, since: date, *, falls_only: bool = False) -> dict[str, Any]:
    """The tier moves from a day on, newest first (at most MOVES_SHOWN), falls marked."""
    # From midnight of that day here: a range on the indexed column, not a date of each row.
    start = timezone.make_aware(datetime.combine(since, time.min))
    qs = moves_visible_to(user).filter(at__gte=start)
    if falls_only:
        qs = qs.filter(is_fall=True)
    rows = list(qs.select_related("organization").order_by("-at", "-id")[: MOVES_SHOWN + 1])
    card = reverse("clients:card", args=[0]).removesuffix("0/")
    for move in rows:
        move.card_url = f"{card}{move.organization_id}/"  # type: ignore[attr-defined]
    return {"moves": rows[:MOVES_SHOWN], "more": len(rows) > MOVES_SHOWN}


# --- Recomputes -------------------------------------------------------------------------------


def last_runs() -> tuple[RecomputeRun | None, RecomputeRun | None]:
    """The run going on now, if any, and the last one finished."""
    running = RecomputeRun.objects.filter(status=RecomputeRun.Status.RUNNING).first()
    finished = (
        RecomputeRun.objects.exclude(status=RecomputeRun.Status.RUNNING)
        .select_related("started_by")
        .order_by("-started_at", "-id")
        .first()
    )
    return running, finished


def tier_of(organization_id: int) -> ClientValue | None:
    return ClientValue.objects.filter(organization_id=organization_id).first()
