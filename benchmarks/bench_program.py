"""The VIP program's split on a large database, beside the raw read-and-write limit in the same run.

Run against a database of its own (it adds rows):

    KAMRAD_VAR_DIR=/tmp/bench-program .venv/bin/python benchmarks/bench_program.py
    KAMRAD_VAR_DIR=/tmp/bench-program \\
    KAMRAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kamrad_bench_program \\
        .venv/bin/python benchmarks/bench_program.py

It migrates, adds --staff account managers, tops the database up with generated organizations
(`kamrad generate`) until exactly --clients of them are corporate clients, and gives a fifth of
the clients an owner other than their account manager and a tenth none. Each run then starts a
program afresh (the previous run's is deleted), puts those staff on it (a third dedicated, the
rest part-time at half their time), and times:

- `services.clients_add_corporate`: every corporate client onto the list, with its history row;
- the owners' assessments, written straight (half rated excellent, one in ten of those doubted,
  one in fifty guarding, a tenth good, a tenth poor, the rest not rated);
- `services.proposal_create` --repeat times (each one supersedes the draft before it), best and
  median; the pure `assignment.propose` on the same inputs; `services.proposal_confirm` once;
- the raw limit: one plain SELECT of the same inputs and as many lines written with executemany
  (SQLite) / COPY (PostgreSQL), committed, best of --repeat.

With --profile, one more proposal is run under cProfile and its top functions are printed.
Each figure carries the machine's one-minute load average. Figures go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
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
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from kamrad.clients.generate import _Writer, generate  # noqa: E402
from kamrad.clients.models import Organization  # noqa: E402
from kamrad.program import assignment, services  # noqa: E402
from kamrad.program.models import Member, Program, ProgramClient, Proposal  # noqa: E402
from kamrad.users.models import Role, User  # noqa: E402

PROGRAM = "Benchmark program"
LINE_COLUMNS = (
    "proposal_id",
    "client_id",
    "organization_id",
    "member_id",
    "rule",
    "proposed_rule",
    "grouped",
    "over_capacity",
    "locked",
    "reason",
)


def load() -> float:
    return os.getloadavg()[0]


Timing = tuple[float, float]  # (wall-clock seconds, this process's CPU seconds)


def measure(fn: Callable[[], Any]) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - started, time.process_time() - cpu


def samples(fn: Callable[[], Any], repeat: int) -> list[Timing]:
    return [measure(fn) for _ in range(repeat)]


def ensure_staff(count: int) -> tuple[User, list[int]]:
    head = User.objects.filter(username="bench-head").first()
    if head is None:
        head = User(username="bench-head", role=Role.HEAD, first_name="Bench", last_name="Head")
        head.set_unusable_password()
        head.save()
    have = set(
        User.objects.filter(username__startswith="bench-staff-").values_list("username", flat=True)
    )
    missing = []
    for i in range(count):
        username = f"bench-staff-{i:03d}"
        if username not in have:
            user = User(
                username=username, role=Role.MANAGER, first_name="Staff", last_name=f"{i:03d}"
            )
            user.set_unusable_password()
            missing.append(user)
    User.objects.bulk_create(missing)
    staff = list(
        User.objects.filter(username__startswith="bench-staff-")
        .order_by("username")
        .values_list("pk", flat=True)[:count]
    )
    return head, staff


def ensure_clients(clients: int, staff: list[int]) -> None:
    """Exactly `clients` corporate clients; owners mostly their account manager."""
    corporate = Organization.objects.filter(kind=Organization.Kind.CLIENT, is_private=False)
    have = corporate.count()
    if have < clients:
        # Three in four generated organizations are clients; a little more, then trim.
        generate(clients=(clients - have) * 4 // 3 + 2_000, contacts_per_client=1, seed=have + 1)
    surplus = list(
        corporate.order_by("-id").values_list("pk", flat=True)[
            : max(0, corporate.count() - clients)
        ]
    )
    for start in range(0, len(surplus), 900):
        Organization.objects.filter(pk__in=surplus[start : start + 900]).update(
            kind=Organization.Kind.PROSPECT
        )
    assert corporate.count() == clients, corporate.count()
    # Account managers and owners from the id, so that every run starts from the same cards: a
    # tenth of the clients has no account manager; a fifth was brought by another salesperson,
    # a tenth by nobody on the staff.
    first, n = staff[0], len(staff)
    assert staff == list(range(first, first + n)), "the staff's ids are expected in one run"
    table = Organization._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            f"UPDATE {table} SET account_manager_id = CASE WHEN id %% 10 = 9 THEN NULL"
            f" ELSE %s + (id * 31) %% %s END WHERE kind = 'client'",
            f"UPDATE {table} SET owner_id = CASE WHEN id %% 10 IN (1, 2)"
            f" THEN %s + (id * 7919) %% %s WHEN id %% 10 = 3 THEN NULL"
            f" ELSE account_manager_id END WHERE kind = 'client'",
        ):
            cursor.execute(sql, [first, n])
        cursor.execute(f"ANALYZE {table}")


def fresh_program(head: User, staff: list[int]) -> Program:
    """Delete the previous run's program (straight SQL: it has hundreds of thousands of rows)
    and start a new one with the staff on it."""
    old = list(Program.objects.filter(name=PROGRAM).values_list("pk", flat=True))
    if old:
        marks = ", ".join(["%s"] * len(old))
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in (
                "DELETE FROM program_reassignment WHERE program_id IN ({})",
                "DELETE FROM program_proposalline WHERE proposal_id IN"
                " (SELECT id FROM program_proposal WHERE program_id IN ({}))",
                "DELETE FROM program_proposal WHERE program_id IN ({})",
                "DELETE FROM program_historicalprogramclient WHERE program_id IN ({})",
                "DELETE FROM program_programclient WHERE program_id IN ({})",
                "DELETE FROM program_historicalmember WHERE program_id IN ({})",
                "DELETE FROM program_member WHERE program_id IN ({})",
                "DELETE FROM program_historicalgoal WHERE program_id IN ({})",
                "DELETE FROM program_goal WHERE program_id IN ({})",
                "DELETE FROM program_historicalprogram WHERE id IN ({})",
                "DELETE FROM program_program WHERE id IN ({})",
            ):
                cursor.execute(sql.format(marks), old)
    Program.objects.filter(status=Program.Status.RUNNING).update(status=Program.Status.CLOSED)
    today = timezone.localdate()
    program = services.program_create(
        user=head,
        data={
            "name": PROGRAM,
            "starts_on": today.replace(month=1, day=1),
            "ends_on": today.replace(month=12, day=31),
            "head": head,
            "status": Program.Status.RUNNING,
        },
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=staff)}
    for i, pk in enumerate(staff):
        capacity = Member.Capacity.DEDICATED if i % 3 == 0 else Member.Capacity.PART_TIME
        services.member_add(
            user=head, program=program, data={"user": users[pk], "capacity": capacity}
        )
    return program


def assess(program: Program) -> None:
    """Half of the owners rated excellent (one in ten of those doubted, one in fifty guarding),
    a tenth good, a tenth poor, the rest not rated: bulk, straight SQL."""
    table = ProgramClient._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            f"UPDATE {table} SET owner_relation = 'excellent' WHERE program_id = %s"
            f" AND organization_id %% 10 < 5",
            f"UPDATE {table} SET owner_doubted = TRUE WHERE program_id = %s"
            f" AND organization_id %% 100 < 5",
            f"UPDATE {table} SET owner_guards = TRUE WHERE program_id = %s"
            f" AND organization_id %% 100 = 7",
            f"UPDATE {table} SET owner_relation = 'good' WHERE program_id = %s"
            f" AND organization_id %% 10 = 5",
            f"UPDATE {table} SET owner_relation = 'poor' WHERE program_id = %s"
            f" AND organization_id %% 10 = 6",
        ):
            cursor.execute(sql, [program.pk])
        cursor.execute(f"ANALYZE {table}")


def raw_limit(program: Program, members: list[int]) -> int:
    """Read the same inputs with one SELECT and write as many lines, the fastest way there is."""
    pc, org = ProgramClient._meta.db_table, Organization._meta.db_table
    sql = (
        f"SELECT pc.id, pc.organization_id, o.owner_id, pc.owner_relation, pc.owner_doubted,"
        f" pc.owner_guards, o.industry_id, o.region_id"
        f" FROM {pc} pc JOIN {org} o ON o.id = pc.organization_id"
        f" WHERE pc.program_id = %s"
    )
    with transaction.atomic():
        scratch = Proposal.objects.create(
            program=program, status=Proposal.Status.SUPERSEDED, created_at=timezone.now()
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [program.pk])
            rows = cursor.fetchall()
        n = len(members)
        lines = [
            (
                scratch.pk,
                r[0],
                r[1],
                members[i % n],
                "no_owner",
                "no_owner",
                False,
                False,
                False,
                "",
            )
            for i, r in enumerate(rows)
        ]
        _Writer().write("program_proposalline", LINE_COLUMNS, lines)
    return scratch.pk


def drop_scratch(proposal_id: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM program_proposalline WHERE proposal_id = %s", [proposal_id])
        cursor.execute("DELETE FROM program_proposal WHERE id = %s", [proposal_id])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    head, staff = ensure_staff(args.staff)
    ensure_clients(args.clients, staff)
    program = fresh_program(head, staff)
    figures: list[tuple[str, Timing, float]] = []

    def note(what: str, timing: Timing) -> None:
        figures.append((what, timing, load()))
        print(
            f"{what}: {timing[0]:.2f} s, CPU {timing[1]:.2f} s (load {load():.2f})", file=sys.stderr
        )

    added: list[int] = []
    note(
        "`clients_add_corporate` (the list and its history rows)",
        measure(lambda: added.append(services.clients_add_corporate(user=head, program=program))),
    )
    assert added[0] == args.clients
    note("owners' assessments (straight SQL)", measure(lambda: assess(program)))

    members = list(Member.objects.filter(program=program).values_list("pk", flat=True))
    raw_runs: list[Timing] = []
    for _ in range(args.repeat):
        scratch: list[int] = []
        raw_runs.append(measure(lambda out=scratch: out.append(raw_limit(program, members))))
        drop_scratch(scratch[0])
    raw = min(raw_runs)
    note(f"raw limit: one SELECT, {args.clients:,} lines written (best of {args.repeat})", raw)

    proposals: list[Proposal] = []
    runs = samples(
        lambda: proposals.append(services.proposal_create(user=head, program=program)),
        args.repeat,
    )
    note(f"`proposal_create`, best of {args.repeat}", min(runs))
    note(f"`proposal_create`, median of {args.repeat}", sorted(runs)[len(runs) // 2])

    member_in = services._member_inputs(program)
    client_in = services._client_inputs(program, {})
    note(
        f"`assignment.propose` alone (best of {args.repeat})",
        min(samples(lambda: assignment.propose(member_in, client_in), args.repeat)),
    )
    note(
        f"reading its inputs (`services._client_inputs`, best of {args.repeat})",
        min(samples(lambda: services._client_inputs(program, {}), args.repeat)),
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        proposals.append(services.proposal_create(user=head, program=program))
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)

    draft = Proposal.objects.get(pk=proposals[-1].pk)
    changed: list[int] = []
    note(
        "`proposal_confirm` (the cards follow, each change recorded)",
        measure(
            lambda: changed.append(
                services.proposal_confirm(user=head, proposal=draft, expected_version=draft.version)
            )
        ),
    )

    rules = dict(draft.lines.values_list("rule").annotate(n=Count("id")).order_by())
    dedicated = Member.objects.filter(program=program, capacity=Member.Capacity.DEDICATED).count()
    print(
        f"\n{connection.vendor}: {args.clients:,} clients, {len(members)} members "
        f"({dedicated} dedicated), {changed[0]:,} clients changed hands at confirmation; "
        f"rules: {', '.join(f'{k} {v:,}' for k, v in sorted(rules.items()))}\n"
    )
    print("| what | seconds | CPU s (this process) | × raw limit | load |")
    print("|---|---:|---:|---:|---:|")
    for what, (wall, spent), at in figures:
        print(f"| {what} | {wall:.2f} | {spent:.2f} | {wall / raw[0]:.1f} | {at:.2f} |")


if __name__ == "__main__":
    main()
