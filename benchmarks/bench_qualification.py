"""VIP qualification on a large database: one card's verdict, the candidates list, every client.

Run against a database of its own (it adds rows):

    KAMRAD_VAR_DIR=/tmp/bench-q .venv/bin/python benchmarks/bench_qualification.py

It migrates, tops the database up to --clients generated organizations (`kamrad generate`),
gives them --sales-per-client sales over the last two years (in a few product lines) and a
fifth of them two years of monthly account figures, written straight with executemany. Then it
times, beside the plain SQL GROUP BY over the same rows (the floor): one client's verdict, the
candidates list for the program head (all clients) and for one account manager, and the
evaluation of every client as `kamrad qualify` does it, storing every verdict, and the
candidates page read from the stored verdicts. Figures go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from kamrad.clients.generate import generate  # noqa: E402
from kamrad.clients.models import Organization  # noqa: E402
from kamrad.qualification import selectors, services  # noqa: E402
from kamrad.users.models import Role, User  # noqa: E402
from kamrad.value.models import AccountMonth, ExchangeRate, Sale  # noqa: E402

LINES = ["Loans", "Deposits", "Cards", "Payroll", "Leasing", "Cash", "FX", "Guarantees"]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """Median and best time in ms, and the queries of one run."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), len(captured.captured_queries)


def prepare(clients: int, sales_per_client: int) -> None:
    call_command("migrate", verbosity=0)
    have = Organization.objects.count()
    if have < clients:
        generate(clients=clients - have, contacts_per_client=1, seed=1)
    if Sale.objects.exists():
        ExchangeRate.objects.get_or_create(
            currency="USD", date=datetime.date(2020, 1, 1), defaults={"rate_scaled": 90 * 10**8}
        )
        return
    rng = random.Random(7)
    today = timezone.localdate()
    now = timezone.now()
    ids = list(Organization.objects.order_by("id").values_list("id", flat=True)[:clients])
    sale_rows, month_rows = [], []
    for org_id in ids:
        # A few big clients, most small: about one in fifty reaches the VIP thresholds.
        scale = 10 ** rng.choice([6, 7, 8, 9, 10, 11, 12]) if rng.random() < 0.3 else 10**7
        for _ in range(sales_per_client):
            day = today - datetime.timedelta(days=rng.randrange(730))
            amount = rng.randrange(scale // 2, scale)
            sale_rows.append(
                (
                    1,
                    now,
                    now,
                    org_id,
                    "",
                    "bench",
                    day,
                    rng.choice(LINES),
                    "",
                    1,
                    "RUB",
                    amount,
                    0,
                    amount,
                    0,
                )
            )
        if org_id % 5 == 0:
            for back in range(24):
                index = today.year * 12 + today.month - 1 - back
                month = datetime.date(index // 12, index % 12 + 1, 1)
                t, b, e = rng.randrange(10**9), rng.randrange(10**8), rng.randrange(10**8)
                month_rows.append(
                    (1, now, now, org_id, "", "bench", month, "RUB", t, b, e, t, b, e)
                )
    sale_table, month_table = Sale._meta.db_table, AccountMonth._meta.db_table
    sale_columns = (
        "version, created_at, updated_at, organization_id, external_id, source, date, "
        "product_line, description, quantity, currency, amount_minor, cost_minor, amount_base, "
        "cost_base"
    )
    month_columns = (
        "version, created_at, updated_at, organization_id, external_id, source, month, "
        "currency, turnover_minor, average_balance_minor, exports_minor, turnover_base, "
        "average_balance_base, exports_base"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        marks = ", ".join(["%s"] * 15)
        cursor.executemany(f"INSERT INTO {sale_table} ({sale_columns}) VALUES ({marks})", sale_rows)
        marks = ", ".join(["%s"] * 14)
        cursor.executemany(
            f"INSERT INTO {month_table} ({month_columns}) VALUES ({marks})", month_rows
        )
    ExchangeRate.objects.get_or_create(
        currency="USD",
        date=today - datetime.timedelta(days=30),
        defaults={"rate_scaled": 90 * 10**8},
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--sales-per-client", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    prepare(args.clients, args.sales_per_client)

    head = User.objects.filter(role=Role.HEAD).first() or User.objects.create(
        username="bench-head", role=Role.HEAD
    )
    manager = User.objects.filter(username="bench-manager").first()
    if manager is None:
        manager = User.objects.create(username="bench-manager", role=Role.MANAGER)
        # An account manager with a thousand clients of her own, spread over the whole range.
        ids = list(Organization.objects.order_by("id").values_list("id", flat=True)[::100])
        Organization.objects.filter(id__in=ids[:1000]).update(account_manager=manager)
    one = Organization.objects.order_by("id").first()
    setup = selectors.load_setup()
    periods = setup.periods
    floor_sql = (
        f"SELECT organization_id, SUM(amount_base), COUNT(DISTINCT product_line) "
        f"FROM {Sale._meta.db_table} WHERE date >= %s AND date <= %s GROUP BY organization_id"
    )

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(floor_sql, [periods.before_start, periods.as_of])
            cursor.fetchall()

    def every_client() -> None:
        bounds = Organization.objects.aggregate(first=Min("id"), last=Max("id"))
        for first in range(bounds["first"], bounds["last"] + 1, 5000):
            selectors.verdicts_in_range(first, first + 4999, setup)

    found: dict[str, int] = {}

    def candidates_head() -> None:
        found["head"] = len(selectors.candidates(head))

    def candidates_manager() -> None:
        found["manager"] = len(selectors.candidates(manager))

    def store_every_client() -> None:
        services.verdicts_store_all()

    def stored_head() -> None:
        found["stored head"] = len(selectors.stored_candidates(head))

    def stored_manager() -> None:
        found["stored manager"] = len(selectors.stored_candidates(manager))

    rows = [
        ("plain SQL: sales per client over two years (GROUP BY)", floor),
        ("one client's verdict", lambda: selectors.verdict_for(one)),
        ("candidates list, program head (every client)", candidates_head),
        ("candidates list, one account manager", candidates_manager),
        ("every client, as `kamrad qualify` (batches of 5,000)", every_client),
        (
            "storing every verdict (`kamrad qualify`; after the first run nothing changed)",
            store_every_client,
        ),
        ("candidates page from the stored verdicts, program head", stored_head),
        ("candidates page from the stored verdicts, one account manager", stored_manager),
    ]
    print(
        f"{Organization.objects.count():,} organizations, {Sale.objects.count():,} sales, "
        f"{AccountMonth.objects.count():,} account months; {connection.vendor}"
    )
    print()
    print("| what | median ms | best ms | queries |")
    print("|---|---|---|---|")
    for label, fn in rows:
        median, best, queries = timed(fn, args.repeat)
        print(f"| {label} | {median:,.1f} | {best:,.1f} | {queries} |")
    print()
    head_found, manager_found = found.get("head", 0), found.get("manager", 0)
    print(f"candidates: {head_found:,} for the head, {manager_found:,} for a manager")
    print(
        f"from the stored verdicts: {found.get('stored head', 0):,} for the head, "
        f"{found.get('stored manager', 0):,} for a manager"
    )


if __name__ == "__main__":
    main()
