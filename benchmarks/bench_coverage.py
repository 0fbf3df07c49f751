"""The VIP program's coverage reads on a program's own database, as the head sees them.

    KAMRAD_VAR_DIR=/tmp/bench-program .venv/bin/python benchmarks/bench_coverage.py [--program ID]

Times (best of --repeat, in-process) the selectors behind the overview and the coverage page:
the tables per member, tier and region, the chart over time, the goal figures and the staff
workload, beside the raw limit: one plain `COUNT(*) … GROUP BY assigned_to_id` over the same
program's clients.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from kamrad.program import selectors  # noqa: E402
from kamrad.program.models import Program  # noqa: E402


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--program", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    programs = Program.objects.all()
    program = programs.get(pk=args.program) if args.program else programs.order_by("-id").first()
    if program is None:
        raise SystemExit("No program in this database.")
    head, today = program.head, timezone.localdate()

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT assigned_to_id, COUNT(*) FROM program_programclient"
                " WHERE program_id = %s GROUP BY assigned_to_id",
                [program.pk],
            )
            cursor.fetchall()

    cases = {
        "raw: COUNT(*) GROUP BY assigned_to_id": raw,
        "coverage (per member, tier, region)": lambda: selectors.coverage(program, head),
        "coverage over time": lambda: selectors.coverage_over_time(program, head, today),
        "goal figures": lambda: selectors.goal_figures(program, head, today),
        "staff workload": lambda: selectors.member_loads(program),
    }
    print(
        f"{connection.vendor}: {program.clients.count():,} clients, load {os.getloadavg()[0]:.2f}"
    )
    print(f"\n| what | ms (best of {args.repeat}) |\n|---|---:|")
    for name, fn in cases.items():
        print(f"| {name} | {best(fn, args.repeat) * 1000:.0f} |")


if __name__ == "__main__":
    main()
