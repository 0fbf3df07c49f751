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
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients.models import Organization
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
from kamrad.value.models import Sale, ServiceCost

log = logging.getLogger("kamrad.pyramid")

CHUNK = 5000
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
    n = len(quarterly)
    s1 = s2 = sxy = 0
    for i, x in enumerate(quarterly):
        s1 += x
        s2 += x * x
        sxy += i * x
    unstable = _unstable(n, s1, s2, cv_threshold_percent)
    sum_i = n * (n - 1) // 2
    sum_i2 = (n - 1) * n * (2 * n - 1) // 6
    slope_num = n * sxy - sum_i * s1
    slope_den = n * sum_i2 - sum_i * sum_i  # > 0 for n ≥ 2
    # slope/|mean| = slope_num·n / (slope_den·|s1|), compared with band/100.
    lhs = 100 * slope_num * n
    rhs = stable_band_percent * slope_den * abs(s1)
    if lhs > rhs:
        trend = Trend.GROWING
    elif lhs < -rhs:
        trend = Trend.FALLING
    elif unstable:
        trend = Trend.UNSTABLE
    else:
        trend = Trend.STABLE
    return _cv(n, s1, s2), unstable, trend


@dataclass
class Figures:
    """One client's sums: over its life, and by recent quarter."""

    profit: int = 0
    cost_to_serve: int = 0
    quarterly: list[int] | None = None

    @property
    def ltv(self) -> int:
        return self.profit - self.cost_to_serve


def assign_tiers(
    ltv_by_client: Mapping[int, int],
    unstable: Mapping[int, bool],
    *,
    top_share_percent: int,
) -> dict[int, str]:
    """The tier of each client, from its LTV and whether its quarterly profit is unstable."""
    ordered = sorted(ltv_by_client, key=lambda pk: (-ltv_by_client[pk], pk))
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
) -> dict[int, Figures]:
    """Each organization's sums from sales and costs to serve: one pass over each table.

    Plain SQL: the life sum and one `SUM(…) FILTER (WHERE date in the quarter)` per recent
    quarter, grouped by organization (SQLite ≥ 3.30 and PostgreSQL). Grouping by organization
    and quarter instead returned eight times the rows and took twice as long on PostgreSQL.
    """
    count = len(quarters) - 1
    # Cast: PostgreSQL sums bigints as numeric, which arrives as a slow Decimal.
    filtered = ", ".join(
        ["CAST(SUM({amount}) FILTER (WHERE date >= %s AND date < %s) AS BIGINT)"] * count
    )
    bounds = [day for i in range(count) for day in (quarters[i], quarters[i + 1])]
    figures: dict[int, Figures] = {}
    id_chunks: list[list[int] | None]
    if organization_ids is None:
        id_chunks = [None]
    else:
        ids = sorted(set(organization_ids))
        id_chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    sources = (
        (Sale._meta.db_table, "amount_base - cost_base", "profit", 1),
        (ServiceCost._meta.db_table, "amount_base", "cost_to_serve", -1),
    )
    with connection.cursor() as cursor:
        for table, amount, column, sign in sources:
            for chunk in id_chunks:
                where, params = "date <= %s", [on]
                if chunk is not None:
                    where += f" AND organization_id IN ({', '.join(['%s'] * len(chunk))})"
                    params += chunk
                cursor.execute(
                    f"SELECT organization_id, CAST(SUM({amount}) AS BIGINT), "
                    f"{filtered.format(amount=amount)} "
                    f"FROM {table} WHERE {where} GROUP BY organization_id",
                    [*bounds, *params],
                )
                for pk, total, *by_quarter in cursor.fetchall():
                    found = figures.get(pk)
                    if found is None:
                        found = figures[pk] = Figures(quarterly=[0] * count)
                    setattr(found, column, total or 0)
                    quarterly = found.quarterly
                    for i, value in enumerate(by_quarter):
                        if value:
                            quarterly[i] += sign * value  # type: ignore[index]
    return figures


# --- The recompute ------------------------------------------------------------------------

_COMPARED = ("ltv", "profit", "cost_to_serve", "recent_ltv", "cv", "is_unstable", "trend", "tier")


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
        threading.Thread(
            target=_run_in_thread, args=(run.pk, ids), name=f"pyramid-{run.pk}", daemon=True
        ).start()
    else:
        pyramid_recompute(user=user, on=run.on, organization_ids=ids, run=run)
        run.refresh_from_db()
    return run


def _run_in_thread(run_pk: int, organization_ids: list[int] | None) -> None:
    close_old_connections()
    try:
        run = RecomputeRun.objects.select_related("started_by").get(pk=run_pk)
        pyramid_recompute(
            user=run.started_by, on=run.on, organization_ids=organization_ids, run=run
        )
    except Exception:  # recorded on the run and logged; nobody waits for this thread
        log.exception("background recompute %s failed", run_pk)
    finally:
        connection.close()


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
    clients = set(
        Organization.objects.filter(kind=Organization.Kind.CLIENT).values_list("pk", flat=True)
    )
    stored = {
        row["organization_id"]: row
        for row in ClientValue.objects.values("organization_id", *_COMPARED)
    }
    if partial:
        touched = set(organization_ids or ()) & clients
        fresh = aggregate(on, quarters, touched)
        # Everyone else keeps the sums stored by the last run; a client new since then has
        # no records yet (else it would be among the touched).
        others = clients - touched
    else:
        touched = clients
        fresh = aggregate(on, quarters)
        others = set()
    total = len(clients) + len(set(stored) - clients)
    RecomputeRun.objects.filter(pk=run.pk).update(
        total=total, clients=len(clients), window_start=quarters[0], settings_version=limits.version
    )
    if progress:
        progress(0, total)

    count = len(quarters) - 1
    computed: dict[int, dict[str, Any]] = {}
    unstable: dict[int, bool] = {}
    for pk in touched:
        figures = fresh.get(pk) or Figures(quarterly=[0] * count)
        quarterly = figures.quarterly or [0] * count
        cv, unstable[pk], trend = classify(
            quarterly, limits.cv_threshold_percent, limits.stable_band_percent
        )
        computed[pk] = {
            "ltv": figures.ltv,
            "profit": figures.profit,
            "cost_to_serve": figures.cost_to_serve,
            "recent_ltv": sum(quarterly),
            "cv": cv,
            "is_unstable": unstable[pk],
            "trend": trend,
        }
    for pk in others:
        row = stored.get(pk)
        if row is None:
            computed[pk] = {
                "ltv": 0,
                "profit": 0,
                "cost_to_serve": 0,
                "recent_ltv": 0,
                "cv": 0.0,
                "is_unstable": False,
                "trend": Trend.STABLE,
            }
            unstable[pk] = False
        else:
            computed[pk] = {name: row[name] for name in _COMPARED if name != "tier"}
            unstable[pk] = row["is_unstable"]
    tiers = assign_tiers(
        {pk: c["ltv"] for pk, c in computed.items()},
        unstable,
        top_share_percent=limits.top_share_percent,
    )
    now = timezone.now()
    to_create: list[ClientValue] = []
    to_update: list[ClientValue] = []
    moves: list[TierMove] = []
    for pk, values in computed.items():
        values["tier"] = tiers[pk]
        before = stored.get(pk)
        if before is None:
            to_create.append(ClientValue(organization_id=pk, computed_at=now, **values))
            moves.append(_move(pk, "", values["tier"], values["ltv"], now, run))
            continue
        if any(before[name] != values[name] for name in _COMPARED):
            to_update.append(ClientValue(organization_id=pk, computed_at=now, **values))
        if before["tier"] != values["tier"]:
            moves.append(_move(pk, before["tier"], values["tier"], values["ltv"], now, run))
    gone = sorted(set(stored) - clients)
    for pk in gone:
        moves.append(_move(pk, stored[pk]["tier"], "", stored[pk]["ltv"], now, run))

    done = 0
    fields = [*_COMPARED, "computed_at"]
    written = len(to_create) + len(to_update) + len(gone)
    work = [("create", to_create), ("update", to_update), ("delete", gone), ("moves", moves)]
    # Written chunk by chunk, each in its own transaction: the page sees the progress, and
    # other writers wait for a chunk, not for the whole run. A run that dies half way leaves
    # each client either before or after; the next run finishes the rest.
    for kind, items in work:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            with transaction.atomic():
                if kind == "create":
                    ClientValue.objects.bulk_create(chunk)
                elif kind == "update":
                    _update(chunk, fields)
                elif kind == "delete":
                    ClientValue.objects.filter(organization_id__in=chunk).delete()
                else:
                    TierMove.objects.bulk_create(chunk)
            if kind != "moves":
                done += len(chunk)
                _report(run, done, total, progress)
    _report(run, total, total, progress)
    summary = {tier.value: [0, 0] for tier in Tier}
    for pk, values in computed.items():
        summary[tiers[pk]][0] += 1
        summary[tiers[pk]][1] += values["ltv"]
    RecomputeRun.objects.filter(pk=run.pk).update(
        summary=summary,
        status=RecomputeRun.Status.DONE,
        finished_at=timezone.now(),
        done=total,
        changed=written,
        moves=len(moves),
    )
    run.refresh_from_db()


def _update(rows: list[ClientValue], fields: list[str]) -> None:
    """One UPDATE per row by executemany: bulk_update's CASE per field grows with the batch
    and took seconds for a thousand rows."""
    table = ClientValue._meta.db_table
    columns = [ClientValue._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(c.column)} = %s" for c in columns)
    params = [
        [*(c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns), row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE organization_id = %s", params)


def _report(run: RecomputeRun, done: int, total: int, progress: Progress | None) -> None:
    RecomputeRun.objects.filter(pk=run.pk).update(done=min(done, total))
    if progress:
        progress(min(done, total), total)


def _move(pk: int, before: str, after: str, ltv: int, now: datetime, run: RecomputeRun) -> TierMove:
    fall = bool(before) and bool(after) and TIER_RANK[after] > TIER_RANK[before]
    return TierMove(
        organization_id=pk, from_tier=before, to_tier=after, is_fall=fall, at=now, run=run, ltv=ltv
    )
