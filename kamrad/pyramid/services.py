"""Every write of the pyramid: the recompute of each client's value and tier, and its settings.

Definitions (also in docs/architecture.md and on the pyramid page):

- LTV of a client = Σ (amount − cost) of its sales − Σ its costs to serve, over its life up to
  the day of the recompute (records dated later are not counted yet); all in base-currency
  minor units.
- Quarterly profit = the same sum over one calendar quarter. The recent quarters are the
  `quarters` whole quarters before the quarter of the recompute day (the running quarter is
  not finished, so it would look like a fall).
- Coefficient of variation (CV) = population standard deviation of the recent quarterly
  profits ÷ |their mean|. All zero: no variation. Mean zero with variation: infinitely
  unstable.
- Trend: the least-squares line through the recent quarterly profits; its slope ÷ |mean| is
  the change a quarter. Beyond +band: growing; beyond −band: falling; within the band:
  unstable when CV > threshold, else stable.
- Tiers, over organizations of kind "client": ballast = LTV < 0; most valuable = the first
  ⌈n × top share⌉ of all n clients by LTV (largest first, ties by the older card, i.e. the
  smaller id) whose LTV is above 0; workers = of the rest, CV > threshold; strategic = the rest.

Comparisons with the thresholds are done in integers (no rounding decides a tier).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from operator import mul
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients.models import Organization
from kamrad.lib import background
from kamrad.pyramid.models import (
    TIER_RANK,
    ClientValue,
    PyramidSettings,
    RecomputeRun,
    Tier,
    TierMove,
    Trend,
)
from kamrad.users.models import User
from kamrad.value import totals as value_totals
from kamrad.value.models import QuarterTotal, Sale, ServiceCost

log = logging.getLogger("kamrad.pyramid")

CHUNK = 5000  # ids in one IN (…) list
# Rows written in one transaction: the page sees the progress between them, and other writers
# wait for one of them, not for the whole run (each commit costs a few milliseconds).
WRITE_CHUNK = 25_000
# A run that has not finished after this long died with its process; the next may start.
STALE_AFTER = timedelta(hours=1)

Progress = Callable[[int, int], None]


class StaleEdit(Exception):
    """The settings were saved by someone else after this editor read them."""

    def __init__(self, current: PyramidSettings) -> None:
        self.current = current
        super().__init__(
            _("Someone else saved the settings while you were editing them; nothing was saved.")
        )


class RecomputeBusy(Exception):
    """A recompute is already running: one at a time."""

    def __init__(self, running: RecomputeRun) -> None:
        self.running = running
        super().__init__(_("A recompute is already running."))


# --- Settings ---------------------------------------------------------------------------

SETTING_FIELDS = ("top_share_percent", "cv_threshold_percent", "quarters", "stable_band_percent")


@transaction.atomic
def pyramid_settings_update(
    *, user: User | None, data: Mapping[str, Any], expected_version: int
) -> PyramidSettings:
    """Change the thresholds. A stale version is refused; an unchanged save writes nothing.
    The tiers follow at the next recompute."""
    PyramidSettings.current()
    obj = PyramidSettings.objects.select_for_update().get(pk=1)
    if obj.version != expected_version:
        raise StaleEdit(obj)
    unknown = set(data) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a pyramid setting.") for name in unknown})
    if all(getattr(obj, name) == value for name, value in data.items()):
        return obj
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.version += 1
    obj._history_user = user  # type: ignore[attr-defined]
    obj.save()
    return obj


# --- The arithmetic ---------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def recent_quarters(on: date, count: int) -> list[date]:
    """The first days of the `count` whole quarters before the quarter of `on`, oldest first,
    and after them the first day of `on`'s quarter (where the last one ends)."""
    starts = [quarter_start(on)]
    for _i in range(count):
        previous = starts[0] - timedelta(days=1)
        starts.insert(0, quarter_start(previous))
    return starts


def _unstable(n: int, s1: int, s2: int, cv_threshold_percent: int) -> bool:
    return 10_000 * (n * s2 - s1 * s1) > cv_threshold_percent**2 * s1 * s1


def is_unstable(quarterly: list[int], cv_threshold_percent: int) -> bool:
    """CV > threshold ⇔ std > t·|mean| ⇔ 10⁴·(n·Σx² − (Σx)²) > p²·(Σx)², in integers."""
    s1, s2 = sum(quarterly), sum(x * x for x in quarterly)
    return _unstable(len(quarterly), s1, s2, cv_threshold_percent)


def coefficient_of_variation(quarterly: list[int]) -> float | None:
    n, s1, s2 = len(quarterly), sum(quarterly), sum(x * x for x in quarterly)
    return _cv(n, s1, s2)


def _cv(n: int, s1: int, s2: int) -> float | None:
    if s1 == 0:
        return 0.0 if s2 == 0 else None
    return round(math.sqrt(n * s2 - s1 * s1) / abs(s1), 4)


def trend_of(quarterly: list[int], *, cv_threshold_percent: int, stable_band_percent: int) -> str:
    """Slope of the least-squares line ÷ |mean| against ± band; within it, CV decides."""
    return classify(quarterly, cv_threshold_percent, stable_band_percent)[2]


def classify(
    quarterly: list[int], cv_threshold_percent: int, stable_band_percent: int
) -> tuple[float | None, bool, str]:
    """(CV, unstable, trend) of recent quarterly profits, each sum taken once."""
    return classifier(len(quarterly), cv_threshold_percent, stable_band_percent)(quarterly)


def classifier(
    n: int, cv_threshold_percent: int, stable_band_percent: int
) -> Callable[[Sequence[int]], tuple[float | None, bool, str]]:
    """`classify` for `n` quarters with the constants worked out once: the sums run in C
    (`sum`, `map`) rather than a Python loop."""
    by_moments = moments_classifier(n, cv_threshold_percent, stable_band_percent)
    places = range(n)

    def one(quarterly: Sequence[int]) -> tuple[float | None, bool, str]:
        decided = by_moments(
            sum(quarterly), sum(map(mul, places, quarterly)), sum(map(mul, quarterly, quarterly))
        )
        assert decided is not None  # integer moments always decide
        return decided

    return one


# The instability test in floating point is trusted only beyond this share of its terms' size:
# Σp² summed in doubles over at most 40 quarters is off by less than 10⁻¹⁴ of itself.
_FLOAT_MARGIN = 1e-12


def moments_classifier(
    n: int, cv_threshold_percent: int, stable_band_percent: int
) -> Callable[[int, int, int | float], tuple[float | None, bool, str] | None]:
    """(CV, unstable, trend) of `n` quarterly profits p₀ … pₙ₋₁ from their moments: Σp, Σk·pₖ
    and Σp², which the database sums for every client (`aggregate`), with the constants worked
    out once.

    Σp and Σk·pₖ are integers, and the trend is decided in integers. Σp² may come as a float
    (squares of kopeck sums overflow 64-bit integers, so the database sums them in doubles):
    the instability test is then decided in floats only where it is clear by far more than
    the rounding could move it; otherwise the answer is None and the caller sums that
    client's quarters exactly and asks `classifier`. So no rounding decides a tier."""
    sum_i = n * (n - 1) // 2
    sum_i2 = (n - 1) * n * (2 * n - 1) // 6
    slope_den = n * sum_i2 - sum_i * sum_i  # > 0 for n ≥ 2
    band = stable_band_percent * slope_den
    p2 = cv_threshold_percent**2
    scale = 10_000 * n
    sqrt = math.sqrt
    growing, falling, unstable_, stable = Trend.GROWING, Trend.FALLING, Trend.UNSTABLE, Trend.STABLE

    def one(s1: int, sxi: int, s2: int | float) -> tuple[float | None, bool, str] | None:
        square = s1 * s1
        if s2.__class__ is int or not s2:  # exact (a float zero: every quarter is zero)
            s2 = int(s2)
            spread: int | float = n * s2 - square
            unstable = 10_000 * spread > p2 * square  # CV > threshold, as _unstable
        else:
            scaled = scale * s2
            other = (10_000 + p2) * square
            difference = scaled - other
            if abs(difference) <= _FLOAT_MARGIN * (scaled + other):
                return None
            unstable = difference > 0
            spread = max(n * s2 - square, 0.0)
        # slope/|mean| = slope_num·n / (slope_den·|s1|), compared with band/100.
        lhs = 100 * (n * sxi - sum_i * s1) * n
        if s1 == 0:
            cv = 0.0 if not s2 else None
            rhs = 0
        else:
            magnitude = abs(s1)
            cv = round(sqrt(spread) / magnitude, 4)  # as _cv
            rhs = band * magnitude
        if lhs > rhs:
            trend = growing
        elif lhs < -rhs:
            trend = falling
        elif unstable:
            trend = unstable_
        else:
            trend = stable
        return cv, unstable, trend

    return one


def assign_tiers(
    ltv_by_client: Mapping[int, int],
    unstable: Mapping[int, bool],
    *,
    top_share_percent: int,
) -> dict[int, str]:
    """The tier of each client, from its LTV and whether its quarterly profit is unstable."""
    # Largest LTV first, ties to the smaller id: sorted by id, then a stable sort on the
    # integer LTV alone (reverse keeps equal keys in their order), no tuple per client.
    ordered = sorted(sorted(ltv_by_client), key=ltv_by_client.__getitem__, reverse=True)
    top = math.ceil(len(ordered) * top_share_percent / 100)
    tiers = {}
    for place, pk in enumerate(ordered):
        ltv = ltv_by_client[pk]
        if ltv < 0:
            tiers[pk] = Tier.BALLAST
        elif place < top and ltv > 0:
            tiers[pk] = Tier.MOST_VALUABLE
        elif unstable.get(pk, False):
            tiers[pk] = Tier.WORKERS
        else:
            tiers[pk] = Tier.STRATEGIC
    return tiers


# --- Reading the work history -------------------------------------------------------------


def aggregate(
    on: date, quarters: list[date], organization_ids: Iterable[int] | None = None
) -> dict[int, tuple[Any, ...]]:
    """Each organization's sums from sales and costs to serve up to `on`.

    Each value is `(profit, cost_to_serve, s1, sxi, s2)`: the life sums of sales (amount −
    cost) and of costs to serve, then the moments of the recent quarters' profits p₀ … pₙ₋₁
    (sales minus costs to serve, oldest first) that `moments_classifier` reads: Σp, Σk·pₖ and
    Σp² (a float where the database summed squares too large for integers). Organizations
    without records up to `on` may be left out or come with zeros.

    The sums come from the quarterly totals the database keeps (`value.totals`: a few rows
    a client); where on's quarter holds records dated after `on`, that quarter is summed
    from the records themselves up to `on`.
    """
    count = len(quarters) - 1
    current = quarters[-1]  # the first day of on's quarter: the recent ones end there
    real = "REAL" if connection.vendor == "sqlite" else "DOUBLE PRECISION"
    profit = "(sales_profit - cost_to_serve)"
    window = "FILTER (WHERE quarter >= %s AND quarter < %s)"
    place = "CASE quarter " + " ".join(f"WHEN %s THEN {k}" for k in range(count)) + " END"
    # Cast: PostgreSQL sums bigints as numeric, which arrives as a slow Decimal.
    moments = (
        f"COALESCE(CAST(SUM({profit}) {window} AS BIGINT), 0), "
        f"COALESCE(CAST(SUM(({place}) * {profit}) {window} AS BIGINT), 0), "
        f"COALESCE(SUM(CAST({profit} AS {real}) * CAST({profit} AS {real})) {window}, 0)"
    )
    moment_params = [
        quarters[0],
        current,
        *quarters[:count],
        quarters[0],
        current,
        quarters[0],
        current,
    ]
    totals, sales, costs = (
        QuarterTotal._meta.db_table,
        Sale._meta.db_table,
        ServiceCost._meta.db_table,
    )
    figures: dict[int, tuple[Any, ...]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Quarters a bulk write (an import) listed as stale are summed again first.
        value_totals.settle()
        planner = _PlannerSettings(cursor)
        for chunk in _id_chunks(organization_ids):
            params = chunk or []
            # Every quarter before on's, and on's own when it holds nothing dated after `on`.
            with planner:
                cursor.execute(
                    "SELECT organization_id, CAST(SUM(sales_profit) AS BIGINT), "
                    f"CAST(SUM(cost_to_serve) AS BIGINT), {moments} FROM {totals} "
                    "WHERE (quarter < %s OR (quarter = %s AND last_date <= %s))"
                    f"{_among('organization_id', chunk)} GROUP BY organization_id",
                    [*moment_params, current, current, on, *params],
                )
                rows = cursor.fetchall()
            for row in rows:
                figures[row[0]] = row[1:]
            # On's quarter where it holds records dated later (not counted yet): its records
            # up to `on`, one index range each. Rare when `on` is today.
            cursor.execute(
                "SELECT t.organization_id, "
                f"(SELECT CAST(SUM(s.amount_base - s.cost_base) AS BIGINT) FROM {sales} AS s "
                "WHERE s.organization_id = t.organization_id AND s.date >= %s AND s.date <= %s), "
                f"(SELECT CAST(SUM(c.amount_base) AS BIGINT) FROM {costs} AS c "
                "WHERE c.organization_id = t.organization_id AND c.date >= %s AND c.date <= %s) "
                f"FROM {totals} AS t WHERE t.quarter = %s AND t.last_date > %s"
                f"{_among('t.organization_id', chunk)}",
                [current, on, current, on, current, on, *params],
            )
            for pk, sales_profit, cost in cursor.fetchall():
                if sales_profit is None and cost is None:
                    continue
                found = figures.get(pk, (0, 0, 0, 0, 0))
                figures[pk] = (
                    found[0] + (sales_profit or 0),
                    found[1] + (cost or 0),
                    *found[2:],
                )
    return figures


def quarterly_profits(
    quarters: list[date], organization_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The recent quarters' profits (sales minus costs to serve, oldest first) of these
    organizations, exactly, from the quarterly totals: for the few clients whose instability
    floating point cannot call (`moments_classifier`). Run after `aggregate`, which settles
    the stale quarters first."""
    count = len(quarters) - 1
    in_quarter = "SUM(sales_profit - cost_to_serve) FILTER (WHERE quarter = %s)"
    filtered = ", ".join([f"COALESCE(CAST({in_quarter} AS BIGINT), 0)"] * count)
    found: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        for chunk in _id_chunks(organization_ids):
            cursor.execute(
                f"SELECT organization_id, {filtered} FROM {QuarterTotal._meta.db_table} "
                "WHERE quarter >= %s AND quarter < %s"
                f"{_among('organization_id', chunk)} GROUP BY organization_id",
                [*quarters[:count], quarters[0], quarters[-1], *(chunk or [])],
            )
            for row in cursor.fetchall():
                found[row[0]] = list(row[1:])
    return found


def _id_chunks(organization_ids: Iterable[int] | None) -> list[list[int] | None]:
    """The ids sorted, in chunks of at most CHUNK for an IN (…); None: one pass over all."""
    if organization_ids is None:
        return [None]
    ids = sorted(set(organization_ids))
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _among(column: str, chunk: list[int] | None) -> str:
    """` AND column IN (…)` for a chunk of `_id_chunks` (its ids are the parameters)."""
    return "" if chunk is None else f" AND {column} IN ({', '.join(['%s'] * len(chunk))})"


class _PlannerSettings:
    """PostgreSQL, around the statement that reads all the quarterly totals: two million rows
    and ten sums are best scanned and sorted by the parallel workers, then grouped in order
    (1.3 s), rather than read by the key's index (1.7 s) or hashed (2.2 s); compiling the
    statement (JIT) took longer than it saved. The settings are put back after it."""

    NAMES = ("enable_indexscan", "enable_bitmapscan", "enable_hashagg", "jit")

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.active = connection.vendor == "postgresql"
        self.saved: list[str] = []

    def __enter__(self) -> None:
        if self.active:
            self.cursor.execute(
                "SELECT " + ", ".join(f"current_setting('{name}')" for name in self.NAMES)
            )
            self.saved = list(self.cursor.fetchone())
            self._set(["off"] * len(self.NAMES))

    def __exit__(self, *exc: object) -> None:
        if self.active and exc[0] is None:
            self._set(self.saved)

    def _set(self, values: list[str]) -> None:
        self.cursor.execute(
            "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in self.NAMES),
            values,
        )


# --- The recompute ------------------------------------------------------------------------

_COLUMNS = ("ltv", "profit", "cost_to_serve", "recent_ltv", "cv", "is_unstable", "trend", "tier")


def _start_run(user: User | None, on: date, now: datetime) -> RecomputeRun:
    RecomputeRun.objects.filter(
        status=RecomputeRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
    ).update(status=RecomputeRun.Status.FAILED, finished_at=now, error="Did not finish: stopped.")
    try:
        with transaction.atomic():
            return RecomputeRun.objects.create(started_by=user, started_at=now, on=on)
    except IntegrityError:
        running = RecomputeRun.objects.filter(status=RecomputeRun.Status.RUNNING).first()
        if running is None:  # it finished in between: try once more
            return RecomputeRun.objects.create(started_by=user, started_at=now, on=on)
        raise RecomputeBusy(running) from None


def recompute_start(*, user: User | None, on: date | None = None) -> RecomputeRun:
    """Claim the one recompute slot (RecomputeBusy when taken); run it with `pyramid_recompute`."""
    return _start_run(user, on or timezone.localdate(), timezone.now())


def recompute_launch(
    *, user: User | None, organization_ids: Iterable[int] | None = None
) -> RecomputeRun:
    """Start a recompute for a page or the API: in a thread of this process, so the request
    returns at once and the page polls the run's progress. RecomputeBusy when one runs."""
    run = recompute_start(user=user)
    ids = list(organization_ids) if organization_ids is not None else None
    # A thread cannot see rows of a transaction not yet committed (tests run inside one),
    # so within a transaction the run happens while the caller waits.
    if settings.KAMRAD_RECOMPUTE_IN_BACKGROUND and not connection.in_atomic_block:
        background.start(f"pyramid-{run.pk}", _run_in_thread, run.pk, ids)
    else:
        pyramid_recompute(user=user, on=run.on, organization_ids=ids, run=run)
        run.refresh_from_db()
    return run


def _run_in_thread(run_pk: int, organization_ids: list[int] | None) -> None:
    run = RecomputeRun.objects.select_related("started_by").get(pk=run_pk)
    pyramid_recompute(user=run.started_by, on=run.on, organization_ids=organization_ids, run=run)


def pyramid_recompute(
    *,
    user: User | None,
    on: date | None = None,
    organization_ids: Iterable[int] | None = None,
    run: RecomputeRun | None = None,
    progress: Progress | None = None,
) -> RecomputeRun:
    """Recompute every client's value, trend and tier as of `on`; write what changed.

    `organization_ids`: only these clients' records changed since the last finished run (an
    import says which clients it touched); their sums are read again and everyone is ranked
    anew from the stored figures of the rest. It falls back to all clients when the recent
    quarters or the settings differ from those of the last run.
    """
    on = on or timezone.localdate()
    if run is None:
        run = recompute_start(user=user, on=on)
    try:
        _recompute(run, on, organization_ids, progress)
    except Exception as error:
        log.exception("pyramid recompute %s failed", run.pk)
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    return run


def _recompute(
    run: RecomputeRun, on: date, organization_ids: Iterable[int] | None, progress: Progress | None
) -> None:
    limits = PyramidSettings.current()
    quarters = recent_quarters(on, limits.quarters)
    last = (
        RecomputeRun.objects.filter(status=RecomputeRun.Status.DONE)
        .exclude(pk=run.pk)
        .order_by("-started_at", "-id")
        .first()
    )
    partial = (
        organization_ids is not None
        and last is not None
        and last.window_start == quarters[0]
        and last.settings_version == limits.version
    )
    # Plain SQL and tuples throughout: reading 75,000 stored rows through the ORM and
    # comparing them field by field took most of an incremental run.
    clients = _client_ids()
    client_set = set(clients)
    brief: dict[int, tuple[int, int, bool, str]]
    if partial:
        touched = set(organization_ids or ()) & client_set
        fresh = aggregate(on, quarters, touched)
        # Everyone else keeps the sums stored by the last run (only their LTV, instability
        # and tier are read); a client new since then has no records yet (else it would be
        # among the touched) and no stored row, so it is computed as empty.
        brief = _stored_brief()
        touched |= {pk for pk in clients if pk not in brief}
        stored = _stored_rows(touched)
        stored_ids: Iterable[int] = brief
    else:
        touched = client_set
        fresh = aggregate(on, quarters)
        brief = {}
        stored = _stored_rows(None)
        stored_ids = stored
    gone = sorted(pk for pk in stored_ids if pk not in client_set)
    total = len(clients) + len(gone)
    RecomputeRun.objects.filter(pk=run.pk).update(
        total=total, clients=len(clients), window_start=quarters[0], settings_version=limits.version
    )
    if progress:
        progress(0, total)

    # Each touched client's figures: (ltv, profit, cost to serve, recent ltv, cv, unstable,
    # trend), in the order of _COLUMNS (the tier follows from the ranking).
    count = len(quarters) - 1
    by_moments = moments_classifier(count, limits.cv_threshold_percent, limits.stable_band_percent)
    empty = (0, 0, 0, 0, *by_moments(0, 0, 0))
    values: dict[int, tuple[Any, ...]] = {}
    close: list[int] = []  # floating point could not call their instability
    for pk in touched:
        sums = fresh.get(pk)
        if sums is None:
            values[pk] = empty
            continue
        profit, cost_to_serve, s1, sxi, s2 = sums
        decided = by_moments(s1, sxi, s2)
        if decided is None:
            close.append(pk)
            continue
        values[pk] = (profit - cost_to_serve, profit, cost_to_serve, s1, *decided)
    if close:
        classify_one = classifier(count, limits.cv_threshold_percent, limits.stable_band_percent)
        exact = quarterly_profits(quarters, close)
        for pk in close:
            profit, cost_to_serve, s1 = fresh[pk][:3]
            figures = classify_one(exact.get(pk) or [0] * count)
            values[pk] = (profit - cost_to_serve, profit, cost_to_serve, s1, *figures)
    ltv = {pk: figures[0] for pk, figures in values.items()}
    unstable = {pk: figures[5] for pk, figures in values.items()}
    for pk, stored_ltv, stored_unstable, _tier in brief.values():
        if pk not in values and pk in client_set:
            ltv[pk] = stored_ltv
            unstable[pk] = bool(stored_unstable)
    tiers = assign_tiers(ltv, unstable, top_share_percent=limits.top_share_percent)

    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    moves: list[tuple[int, str, str, int]] = []  # organization, from, to, ltv
    # A first run (no value rows yet) creates every row: each client's move into the pyramid
    # is then copied from the rows just written, a chunk's range of organizations at a time.
    all_new = not partial and not stored
    entries = 0
    summary = {tier.value: [0, 0] for tier in Tier}
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    for pk in clients:
        tier = tiers[pk]
        summary[tier][0] += 1
        summary[tier][1] += ltv[pk]
        figures = values.get(pk)
        if figures is None:  # not touched: only its place in the ranking can change
            before_tier = brief[pk][3]
            if before_tier != tier:
                updates.append((pk, None, tier))
                moves.append((pk, before_tier, tier, ltv[pk]))
            continue
        row = (*figures, tier)
        before = stored.get(pk)
        if before is None:
            creates.append((pk, *row, stamp))
            if all_new:  # its move into the pyramid is copied from its row
                entries += 1
            else:
                moves.append((pk, "", tier, row[0]))
            continue
        if before != row:
            updates.append((pk, row, tier))
        if before[-1] != tier:
            moves.append((pk, before[-1], tier, row[0]))
    for pk in gone:
        before_ltv, before_tier = (
            (brief[pk][1], brief[pk][3]) if partial else (stored[pk][0], stored[pk][-1])
        )
        moves.append((pk, before_tier, "", before_ltv))

    written = len(creates) + len(updates) + len(gone)
    work: list[tuple[str, list[Any]]] = [
        ("create", creates),
        ("update", updates),
        ("delete", gone),
        ("moves", moves),
    ]
    # Written chunk by chunk, each in its own transaction: the page sees the progress, and
    # other writers wait for a chunk, not for the whole run. A run that dies half way leaves
    # each client either before or after; the next run finishes the rest.
    done = 0
    for kind, items in work:
        size = CHUNK if kind == "delete" else WRITE_CHUNK  # the deletion's ids go in an IN
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            with transaction.atomic():
                if kind == "create":
                    _create(chunk)
                    if all_new:
                        _write_entries(chunk[0][0], chunk[-1][0], now, run)
                elif kind == "update":
                    _update(chunk, now)
                elif kind == "delete":
                    ClientValue.objects.filter(organization_id__in=chunk).delete()
                else:
                    _write_moves(chunk, now, run)
            if kind != "moves":
                done += len(chunk)
                _report(run, done, total, progress)
    _report(run, total, total, progress)
    RecomputeRun.objects.filter(pk=run.pk).update(
        summary=summary,
        status=RecomputeRun.Status.DONE,
        finished_at=timezone.now(),
        done=total,
        changed=written,
        moves=len(moves) + entries,
    )
    run.refresh_from_db()


def _client_ids() -> list[int]:
    """The ids of all organizations of kind client, smallest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Organization._meta.db_table} WHERE kind = %s ORDER BY id",
            [Organization.Kind.CLIENT.value],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _stored_brief() -> dict[int, tuple[int, int, bool, str]]:
    """(organization, ltv, unstable, tier) of every stored value row, by organization: what
    ranking the untouched clients needs. The rows are kept as they come (no unpacking)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT organization_id, ltv, is_unstable, tier FROM {ClientValue._meta.db_table}"
        )
        return {row[0]: row for row in cursor.fetchall()}


def _stored_rows(organization_ids: Iterable[int] | None) -> dict[int, tuple[Any, ...]]:
    """The stored value rows (all, or of these organizations) as tuples in _COLUMNS order."""
    select = f"SELECT organization_id, {', '.join(_COLUMNS)} FROM {ClientValue._meta.db_table}"
    found: dict[int, tuple[Any, ...]] = {}
    with connection.cursor() as cursor:
        if organization_ids is None:
            cursor.execute(select)
            rows = cursor.fetchall()
        else:
            ids = sorted(organization_ids)
            rows = []
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                cursor.execute(
                    f"{select} WHERE organization_id IN ({', '.join(['%s'] * len(chunk))})", chunk
                )
                rows += cursor.fetchall()
    # SQLite returns the flag as 0 or 1: made a bool, so that rows compare as tuples.
    unstable = _COLUMNS.index("is_unstable") + 1
    for row in rows:
        found[row[0]] = (*row[1:unstable], bool(row[unstable]), *row[unstable + 1 :])
    return found


def _insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows: COPY on PostgreSQL (psycopg 3), one executemany elsewhere."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _create(rows: list[tuple[Any, ...]]) -> None:
    """Rows of (organization, *_COLUMNS, computed_at as the database takes it)."""
    _insert(ClientValue._meta.db_table, ["organization_id", *_COLUMNS, "computed_at"], rows)


def _update(rows: list[tuple[int, tuple[Any, ...] | None, str]], now: datetime) -> None:
    """One UPDATE per row by executemany (bulk_update's CASE per field grows with the batch
    and took seconds for a thousand rows); a client whose figures are unchanged and only
    moved in the ranking gets its tier alone."""
    table = ClientValue._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    assignments = ", ".join(f"{name} = %s" for name in (*_COLUMNS, "computed_at"))
    full = [(*row, stamp, pk) for pk, row, _tier in rows if row is not None]
    tier_only = [(tier, stamp, pk) for pk, row, tier in rows if row is None]
    with connection.cursor() as cursor:
        if full:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE organization_id = %s", full)
        if tier_only:
            cursor.executemany(
                f"UPDATE {table} SET tier = %s, computed_at = %s WHERE organization_id = %s",
                tier_only,
            )


def _report(run: RecomputeRun, done: int, total: int, progress: Progress | None) -> None:
    RecomputeRun.objects.filter(pk=run.pk).update(done=min(done, total))
    if progress:
        progress(min(done, total), total)


def _write_moves(moves: list[tuple[int, str, str, int]], now: datetime, run: RecomputeRun) -> None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    _insert(
        TierMove._meta.db_table,
        ["organization_id", "from_tier", "to_tier", "is_fall", "at", "run_id", "ltv"],
        [
            (pk, before, after, _is_fall(before, after), stamp, run.pk, ltv)
            for pk, before, after, ltv in moves
        ],
    )


def _write_entries(first: int, last: int, now: datetime, run: RecomputeRun) -> None:
    """The moves into the pyramid of the clients first to last, whose value rows a first run
    has just written (there were none before it): copied from those rows by the database,
    in a third of the time of sending each move."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TierMove._meta.db_table} (organization_id, from_tier, to_tier, "
            "is_fall, at, run_id, ltv) SELECT organization_id, '', tier, %s, %s, %s, ltv "
            f"FROM {ClientValue._meta.db_table} WHERE organization_id BETWEEN %s AND %s "
            "ORDER BY organization_id",
            [False, stamp, run.pk, first, last],
        )


def _is_fall(before: str, after: str) -> bool:
    return bool(before) and bool(after) and TIER_RANK[after] > TIER_RANK[before]
