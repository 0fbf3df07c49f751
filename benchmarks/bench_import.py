"""`kamrad import sales` against the raw limit: wall time and peak memory, same rows, same run.

    KAMRAD_VAR_DIR=/tmp/bench-import .venv/bin/python benchmarks/bench_import.py --rows 1000000
    KAMRAD_VAR_DIR=/tmp/bench-import \\
    KAMRAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kamrad_bench_import \\
        .venv/bin/python benchmarks/bench_import.py --rows 1000000

It migrates, tops the database up to --clients generated organizations, writes a CSV of --rows
sales the way a Russian Excel export looks (`;`, dd.mm.yyyy, '1 234,56', UTF-8 with BOM), then
runs, each as a child process measured with os.wait4 (wall time, peak RSS):
1. raw: the same file read with the csv module, each row turned into a tuple with the least
   work possible (tax number → id from a dict, date and amount by slicing) and written with
   executemany (SQLite) or COPY (PostgreSQL) in one transaction, the quarterly totals'
   triggers set aside (the rows alone), the foreign keys checked as a commit checks them —
   then rolled back;
2. `kamrad import sales FILE` (every row parsed, checked, matched by its external key);
3. the same command again: the re-import, which must find every row unchanged (by default
   up to 2,000,000 rows; --again / --no-again).
The imported rows are deleted at the end, so the database can be used again.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from kamrad.clients.generate import generate  # noqa: E402
from kamrad.clients.models import Organization  # noqa: E402

PRODUCTS = ("Интернет 100 Мбит/с", "Интернет 1 Гбит/с", "IP-телефония", "Облачное хранилище")

RAW = textwrap.dedent(
    """
    import csv, os, sys, time
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")
    import django
    django.setup()
    import datetime
    from django.db import connection, transaction
    from django.utils import timezone
    from kamrad.clients.models import Organization
    from kamrad.value import totals
    path = sys.argv[1]
    orgs = dict(Organization.objects.values_list("tax_number", "id"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cols = ("organization_id, date, currency, amount_minor, amount_base, cost_minor, cost_base, "
            "quantity, product_line, description, external_id, source, version, created_at, "
            "updated_at")
    # The rows alone: the quarterly totals' triggers stand aside and nothing is summed after.
    with transaction.atomic():
        with totals.bulk(()):
            raw = connection.connection
            batch = []
            def flush():
                if connection.vendor == "postgresql":
                    copy = "COPY value_sale (" + cols + ") FROM STDIN"
                    with raw.cursor() as c, c.copy(copy) as cp:
                        for row in batch:
                            cp.write_row(row)
                else:
                    raw.executemany("INSERT INTO value_sale (" + cols + ") VALUES (" +
                                    ",".join("?" * 15) + ")", batch)
                batch.clear()
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = csv.reader(f, delimiter=";")
                next(rows)
                for tax, day, amount, currency, number, quantity, product in rows:
                    d = datetime.date(int(day[6:]), int(day[3:5]), int(day[:2]))
                    whole, _, frac = amount.replace(" ", "").partition(",")
                    minor = int(whole) * 100 + int(frac or 0)
                    batch.append((orgs[tax], d, currency, minor, minor, 0, 0, quantity, product, "",
                                  number, "bench", 1, now, now))
                    if len(batch) >= 5000:
                        flush()
                flush()
            # As a commit would: PostgreSQL checks the deferred foreign keys of every row.
            if connection.vendor == "postgresql":
                with connection.cursor() as c:
                    c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)
    """
)


def write_csv(path: Path, rows: int, taxes: list[str]) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        f.write("ИНН;Дата;Сумма;Валюта;Номер документа;Количество;Товар\r\n")
        for i in range(rows):
            minor = rng.randrange(100, 10**9)
            whole = f"{minor // 100:,}".replace(",", " ")
            f.write(
                f"{rng.choice(taxes)};{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
                f"{rng.randint(2018, 2025)};{whole},{minor % 100:02d};RUB;ДОК-{i};"
                f"{rng.randint(1, 12)};{rng.choice(PRODUCTS)}\r\n"
            )


def measure(command: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, exit code) of a child process."""
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    out = child.stdout.read().decode() if child.stdout else ""
    child.stdout.close()  # type: ignore[union-attr]
    if out.strip():
        print("   ", out.strip())
    return seconds, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument(
        "--again",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Time the re-import too (default: up to 2,000,000 rows; it costs as much again).",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    have = Organization.objects.count()
    if have < args.clients:
        generate(clients=args.clients - have, contacts_per_client=1)
    # Generated tax numbers may repeat; a row must name one organization, so use unique ones.
    taxes = list(
        Organization.objects.values("tax_number")
        .annotate(n=Count("id"))
        .filter(n=1)
        .values_list("tax_number", flat=True)[: args.clients]
    )
    path = args.dir / f"kamrad-sales-{args.rows}-{connection.vendor}.csv"
    if not path.exists():
        print(f"writing {path} …", flush=True)
        write_csv(path, args.rows, taxes)
    size = path.stat().st_size // 2**20
    python = str(Path(sys.executable))
    kamrad = str(Path(sys.executable).with_name("kamrad"))
    print(f"{connection.vendor}, {args.rows:,} rows ({size} MB), {len(taxes):,} clients")
    results = []
    runs = [
        ("raw executemany/COPY", [python, "-c", RAW, str(path)]),
        ("kamrad import sales", [kamrad, "import", "sales", str(path), "--no-recompute"]),
    ]
    if args.again if args.again is not None else args.rows <= 2_000_000:
        runs.append(
            (
                "kamrad import sales (again)",
                [kamrad, "import", "sales", str(path), "--no-recompute"],
            )
        )
    for label, command in runs:
        print(f"- {label} …", flush=True)
        seconds, rss, code = measure(command)
        results.append((label, seconds, rss, code))
    with connection.cursor() as cursor:
        # The command marks its rows with the file's name (cut to the column's 40 characters).
        cursor.execute("DELETE FROM value_sale WHERE source = %s", [f"import:{path.name}"[:40]])
    raw_rate = args.rows / results[0][1]
    print()
    print("| run | wall s | rows/s | share of raw | peak RSS MB | exit |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, seconds, rss, code in results:
        rate = args.rows / seconds
        print(f"| {label} | {seconds:.1f} | {rate:,.0f} | {rate / raw_rate:.2f} | {rss} | {code} |")


if __name__ == "__main__":
    main()
