"""The pyramid recompute on a large work history, beside the raw SQL GROUP BY in the same run.

Run against a database of its own (it adds rows):

    KAMRAD_VAR_DIR=/tmp/bench-pyramid .venv/bin/python benchmarks/bench_pyramid.py
    KAMRAD_VAR_DIR=/tmp/bench-pyramid \\
    KAMRAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kamrad_bench_pyramid \\
        .venv/bin/python benchmarks/bench_pyramid.py

It migrates, tops the database up to --clients generated organizations (`kamrad generate`,
three in four of them clients) and to --sales sales rows and a tenth as many costs to serve
(written straight with executemany / COPY, dates over five years), then times:

- the raw aggregate: `SELECT organization_id, SUM(amount_base - cost_base) … GROUP BY
  organization_id` on sales and the same on costs to serve, straight on the connection;
- the first full recompute on empty pyramid tables (every value row and tier move
  written; best of --repeat, each from empty tables), a second one (nothing changed:
  nothing written), one after 1,000 clients' records changed told which they are, and the
  pyramid page and a tier's first page as the program head sees them.

Figures go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from kamrad.clients.generate import _Writer, generate  # noqa: E402
from kamrad.clients.models import Organization  # noqa: E402
from kamrad.pyramid.models import ClientValue, RecomputeRun, TierMove  # noqa: E402
from kamrad.pyramid.services import pyramid_recompute  # noqa: E402
from kamrad.users.models import Role, User  # noqa: E402
from kamrad.users.services import user_create  # noqa: E402
from kamrad.value import totals  # noqa: E402
from kamrad.value.models import Sale, ServiceCost  # noqa: E402

BATCH = 50_000
SALE_COLUMNS = (
    "version",
    "created_at",
    "updated_at",
    "organization_id",
    "external_id",
    "source",
    "date",
    "product_line",
    "description",
    "quantity",
    "currency",
    "amount_minor",
    "cost_minor",
    "amount_base",
    "cost_base",
)
COST_COLUMNS = (
    "version",
    "created_at",
    "updated_at",
    "organization_id",
    "external_id",
    "source",
    "date",
    "description",
    "currency",
    "amount_minor",
    "amount_base",
)


def seconds(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    return min(seconds(fn) for _ in range(repeat))


def load_history(sales: int, seed: int) -> None:
    """Top value_sale up to `sales` rows and value_servicecost up to a tenth of that."""
    have_sales, have_costs = Sale.objects.count(), ServiceCost.objects.count()
    ids = list(Organization.objects.values_list("pk", flat=True))
    rng = random.Random(seed)
    now = timezone.now()
    first = timezone.localdate() - timedelta(days=5 * 365)
    writer = _Writer()
    started = time.perf_counter()
    # The triggers keeping the quarterly totals stand aside; all are summed once at the end.
    adding = sales > have_sales or sales // 10 > have_costs
    with transaction.atomic(), totals.bulk(None) if adding else nullcontext():
        for table, columns, missing, make in (
            ("value_sale", SALE_COLUMNS, sales - have_sales, _sale_row),
            ("value_servicecost", COST_COLUMNS, sales // 10 - have_costs, _cost_row),
        ):
            done = 0
            while done < missing:
                size = min(BATCH, missing - done)
                rows = [make(rng, ids, first, now) for _ in range(size)]
                writer.write(table, columns, rows)
                done += size
                print(f"\r{table}: {done:,} / {missing:,}", end="", file=sys.stderr)
            if missing > 0:
                print(file=sys.stderr)
    with connection.cursor() as cursor:
        for table in ("value_sale", "value_servicecost"):
            cursor.execute(f"ANALYZE {table}")
    if sales > have_sales:
        rate = (sales - have_sales) * 1.1 / (time.perf_counter() - started)
        print(f"loaded the work history at {rate:,.0f} rows/s", file=sys.stderr)


def _sale_row(rng: random.Random, ids: list[int], first: date, now: Any) -> tuple[Any, ...]:
    amount = rng.randrange(1_000_00, 500_000_00)
    cost = amount * rng.randrange(40, 95) // 100
    day = first + timedelta(days=rng.randrange(5 * 365))
    org = rng.choice(ids)
    return (1, now, now, org, "", "bench", day, "", "", 1, "RUB", amount, cost, amount, cost)


def _cost_row(rng: random.Random, ids: list[int], first: date, now: Any) -> tuple[Any, ...]:
    amount = rng.randrange(100_00, 300_000_00)
    day = first + timedelta(days=rng.randrange(5 * 365))
    return (1, now, now, rng.choice(ids), "", "bench", day, "", "RUB", amount, amount)


RAW = [
    "SELECT organization_id, SUM(amount_base - cost_base) FROM value_sale "
    "WHERE date <= %s GROUP BY organization_id",
    "SELECT organization_id, SUM(amount_base) FROM value_servicecost "
    "WHERE date <= %s GROUP BY organization_id",
]


def raw_aggregate() -> None:
    with connection.cursor() as cursor:
        for sql in RAW:
            cursor.execute(sql, [timezone.localdate()])
            cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--load-only", action="store_true", help="top the data up and stop (time it later)"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    have = Organization.objects.count()
    if have < args.clients:
        generate(clients=args.clients - have, contacts_per_client=1, seed=have + 1)
    load_history(args.sales, seed=Sale.objects.count() + 1)
    if args.load_only:
        return
    head = User.objects.filter(username="bench-head").first() or user_create(
        username="bench-head", password="a long benchmark password 7", role=Role.HEAD
    )
    clients = Organization.objects.filter(kind=Organization.Kind.CLIENT).count()

    raw = best_of(raw_aggregate, args.repeat)
    firsts = []  # each from empty tables, as the raw figure, the best of --repeat
    for _ in range(args.repeat):
        _empty_the_pyramid()
        firsts.append(seconds(lambda: pyramid_recompute(user=None)))
    first = min(firsts)
    again = best_of(lambda: pyramid_recompute(user=None), args.repeat)
    raw_after = best_of(raw_aggregate, args.repeat)

    # 1,000 clients get a new sale each; the recompute is told which.
    touched = list(
        Organization.objects.filter(kind=Organization.Kind.CLIENT)
        .order_by("?")
        .values_list("pk", flat=True)[:1000]
    )
    now = timezone.now()
    with transaction.atomic():
        _Writer().write(
            "value_sale",
            SALE_COLUMNS,
            [
                (
                    1,
                    now,
                    now,
                    pk,
                    "",
                    "bench",
                    timezone.localdate(),
                    "",
                    "",
                    1,
                    "RUB",
                    9_999_00,
                    0,
                    9_999_00,
                    0,
                )
                for pk in touched
            ],
        )
    partial_run: list[RecomputeRun] = []
    partial = seconds(
        lambda: partial_run.append(pyramid_recompute(user=None, organization_ids=touched))
    )

    settings.ALLOWED_HOSTS.append("testserver")
    client = Client()
    client.force_login(head)
    page = _page_time(client, "/pyramid/", args.repeat)
    tier = _page_time(client, "/pyramid/clients/?tier=strategic", args.repeat)

    sales, costs = Sale.objects.count(), ServiceCost.objects.count()
    print(
        f"\n{connection.vendor}: {clients:,} clients, {sales:,} sales, {costs:,} costs to serve\n"
    )
    print("| what | seconds | × raw GROUP BY |")
    print("|---|---:|---:|")
    base = min(raw, raw_after)
    print(
        f"| raw GROUP BY of sales and costs to serve (best of {args.repeat}) | {base:.2f} | 1.0 |"
    )
    print(
        f"| first recompute (writes every value and move; best of {args.repeat}: "
        f"{', '.join(f'{t:.2f}' for t in firsts)}) | {first:.2f} | {first / base:.1f} |"
    )
    print(
        f"| recompute again, nothing changed (writes nothing) | {again:.2f} | {again / base:.1f} |"
    )
    print(
        f"| recompute of 1,000 touched clients ({partial_run[0].changed:,} rows written) "
        f"| {partial:.2f} | {partial / base:.2f} |"
    )
    print(f"| pyramid page, median | {page:.3f} | |")
    print(f"| a tier's first page, median | {tier:.3f} | |")


def _empty_the_pyramid() -> None:
    """As before the first recompute of an installation: the pyramid's tables empty (on
    PostgreSQL truncated, so the first run does not write among 75,000 dead rows)."""
    tables = [m._meta.db_table for m in (TierMove, ClientValue, RecomputeRun)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            with transaction.atomic():
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")


def _page_time(client: Client, url: str, repeat: int) -> float:
    client.get(url)
    samples = []
    for _ in range(max(repeat, 5)):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples)


if __name__ == "__main__":
    main()
