"""Server time of a client's indicators by month on a client with 5,000 records, beside the
raw SQL GROUP BY the selector runs.

Run against a database of its own (it adds rows):

    KAMRAD_VAR_DIR=/tmp/bench-history .venv/bin/python benchmarks/bench_indicators.py
    KAMRAD_VAR_DIR=/tmp/bench-history \\
    KAMRAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kamrad_bench_history \\
        .venv/bin/python benchmarks/bench_indicators.py

It migrates, adds one client with --records work-history records over three years (sales,
payments, costs to serve, claims, account months, in roubles and dollars) beside --others
clients with the same history each, then times the selector, the htmx section (view,
template, chart) and the sales GROUP BY alone. Figures go to stdout as a Markdown table.
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from kamrad.clients import services as client_services  # noqa: E402
from kamrad.clients.models import Organization  # noqa: E402
from kamrad.users.models import Role, User  # noqa: E402
from kamrad.users.services import user_create  # noqa: E402
from kamrad.value import selectors, services  # noqa: E402
from kamrad.value.models import (  # noqa: E402
    AccountMonth,
    Claim,
    ExchangeRate,
    Payment,
    Sale,
    ServiceCost,
)

START = datetime.date(2023, 11, 1)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median, p95) in milliseconds over `repeat` runs, after two warm-up runs."""
    fn()
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def history(org: Organization, records: int, rng: random.Random) -> None:
    """`records` rows: about 60 % sales, 20 % payments, 15 % costs, claims, 36 months."""
    day = lambda: START + datetime.timedelta(days=rng.randint(0, 3 * 365 - 1))  # noqa: E731
    sales = [
        Sale(
            organization=org,
            date=day(),
            currency=rng.choice(("RUB", "RUB", "USD")),
            amount_minor=rng.randint(1_000_00, 900_000_00),
            cost_minor=rng.randint(500_00, 500_000_00),
            amount_base=0,
        )
        for _ in range(records * 60 // 100)
    ]
    payments = []
    for _ in range(records * 20 // 100):
        due = day()
        payments.append(
            Payment(
                organization=org,
                due_date=due,
                paid_date=due + datetime.timedelta(days=rng.randint(-5, 30)),
                currency="RUB",
                amount_minor=rng.randint(1_000_00, 900_000_00),
                amount_base=0,
            )
        )
    costs = [
        ServiceCost(
            organization=org,
            date=day(),
            currency="RUB",
            amount_minor=rng.randint(100_00, 90_000_00),
            amount_base=0,
        )
        for _ in range(records * 15 // 100)
    ]
    claims = [
        Claim(organization=org, date=day(), subject="Outage")
        for _ in range(records - len(sales) - len(payments) - len(costs) - 36)
    ]
    months = [
        AccountMonth(
            organization=org,
            month=datetime.date(
                START.year + (START.month - 1 + m) // 12, (START.month - 1 + m) % 12 + 1, 1
            ),
            currency="RUB",
            turnover_minor=rng.randint(10**9, 10**10),
        )
        for m in range(36)
    ]
    for model, rows in (
        (Sale, sales),
        (Payment, payments),
        (ServiceCost, costs),
        (Claim, claims),
        (AccountMonth, months),
    ):
        services.records_bulk_add(model, rows)


def prepare(records: int, others: int) -> tuple[User, Organization]:
    call_command("migrate", verbosity=0)
    head = User.objects.filter(username="bench-head").first() or user_create(
        username="bench-head", password="bench-head-password", role=Role.HEAD
    )
    existing = Organization.objects.filter(name="Бенчмарк: история работы").first()
    if existing is not None:
        return head, existing
    if not ExchangeRate.objects.filter(currency="USD").exists():
        services.rate_set(user=None, currency="USD", date=datetime.date(2023, 1, 1), rate="90")
    rng = random.Random(1)
    for i in range(others):
        org = client_services.organization_create(
            user=head, data={"name": f"Бенчмарк: сосед {i}", "tax_number": f"77{i:08d}"}
        )
        history(org, records, rng)
    org = client_services.organization_create(
        user=head, data={"name": "Бенчмарк: история работы", "tax_number": "7799999999"}
    )
    history(org, records, rng)
    return head, org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--others", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    head, org = prepare(args.records, args.others)
    client = Client()
    client.force_login(head)
    rows = sum(
        m.objects.filter(organization=org).count()
        for m in (Sale, Payment, ServiceCost, Claim, AccountMonth)
    )
    total = sum(m.objects.count() for m in (Sale, Payment, ServiceCost, Claim, AccountMonth))
    print(f"Database: {connection.vendor}; the client has {rows:,} records of {total:,}\n")
    print("| what | median ms | p95 ms |")
    print("|---|---|---|")
    today = datetime.date(2026, 11, 1)
    start = datetime.date(2023, 11, 1)
    for period in ("month", "quarter", "year"):
        median, p95 = timed(
            lambda period=period: selectors.indicators(
                org, period=period, start=start, end=today, today=today
            ),
            args.repeat,
        )
        print(f"| selector, by {period}, 3 years | {median:.1f} | {p95:.1f} |")

    def section() -> None:
        response = client.get(
            f"/clients/{org.pk}/indicators/",
            {"period": "month", "start": "2023-11-01", "end": "2026-10-31"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200

    median, p95 = timed(section, args.repeat)
    print(f"| card section (htmx: view, chart, table), by month | {median:.1f} | {p95:.1f} |")
    trunc = (
        "strftime('%Y-%m', date)" if connection.vendor == "sqlite" else "date_trunc('month', date)"
    )
    sql = (
        f"SELECT {trunc}, SUM(amount_base), SUM(cost_base) FROM value_sale "
        "WHERE organization_id = %s AND date BETWEEN %s AND %s GROUP BY 1 ORDER BY 1"
    )

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [org.pk, start, today])
            cursor.fetchall()

    median, p95 = timed(raw, args.repeat)
    print(f"| raw SQL: the sales GROUP BY month alone | {median:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
