"""Server time of the organization list and card on a large database, beside the raw SQL.

Run against a database of its own (it adds rows):

    KAMRAD_VAR_DIR=/tmp/bench .venv/bin/python benchmarks/bench_clients.py
    KAMRAD_VAR_DIR=/tmp/bench \\
    KAMRAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kamrad_bench \\
        .venv/bin/python benchmarks/bench_clients.py

It migrates, tops the database up to --clients generated organizations (`kamrad generate`),
adds one organization with 50 contact persons, signs in as a program head and requests each
page many times in-process (Django's test client: middleware, view, template — no network).
Beside each page it times every statement the page ran, run again straight on the connection
(the session and the user included), and for a search a `LIKE '%x%'` scan for contrast.
Figures go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
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

from kamrad.clients import search, selectors, services  # noqa: E402
from kamrad.clients.generate import generate  # noqa: E402
from kamrad.clients.models import Contact, Organization  # noqa: E402
from kamrad.users.models import Role, User  # noqa: E402
from kamrad.users.services import user_create  # noqa: E402

CARD_NAME = "Бенчмарк: 50 контактов"
COMMON_WORD = "сервис"


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


def cpu_timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median CPU time of this process in milliseconds: Python's share of a request, which
    other work on a busy machine disturbs less than the wall clock (on PostgreSQL it leaves
    out the server's own time)."""
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


class Recorder:
    """Records every statement a request runs (Django resets its own log per request)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        self.statements.append((sql, params))
        return execute(sql, params, many, ctx)


def recorded(fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        fn()
    return recorder.statements


def raw(sql: str, params: Any) -> Callable[[], Any]:
    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def prepare(clients: int) -> tuple[User, Organization]:
    call_command("migrate", interactive=False, verbosity=0)
    have = Organization.objects.count()
    if have < clients:
        print(f"Generating {clients - have:,} organizations…", file=sys.stderr)
        generate(clients=clients - have, contacts_per_client=3, seed=1)
    head = User.objects.filter(username="bench-head").first() or user_create(
        username="bench-head", role=Role.HEAD, password="bench-head", validate=False
    )
    org = Organization.objects.filter(name=CARD_NAME).first()
    if org is None:
        with search.deferred():
            org = services.organization_create(
                user=head, data={"name": CARD_NAME, "legal_name": f"ООО «{CARD_NAME}»"}
            )
            for i in range(50):
                contact = services.contact_create(
                    user=head,
                    organization=org,
                    data={"full_name": f"Сотрудник Номер {i:02d}", "position": "Инженер"},
                    roles=["decides", "signs"] if i == 0 else ["uses"],
                    phones=[f"+7 (495) 555-{i // 10:02d}-{i % 10:02d}"],
                    emails=[f"person{i}@bench.example"],
                )
                if i % 5 == 0:
                    services.relationship_create(
                        user=head, data={"staff": head, "contact": contact, "warmth": 3}
                    )
    return head, org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    head, card_org = prepare(args.clients)

    first = Organization.objects.order_by("id").values_list("name", flat=True).first()
    rare_word = (first or "").split()[0].lower()
    client = Client()
    client.force_login(head)

    orgs = Organization.objects.count()
    contacts = Contact.objects.count()
    print(f"Database: {connection.vendor}, {orgs:,} organizations, {contacts:,} contacts")
    print(f"Common word: {COMMON_WORD!r}, rare word: {rare_word!r}\n")
    print(
        "| what | matches | queries | page median ms | page p95 ms | page CPU ms "
        "| SQL ms (all its queries) | SQL ms (slowest) | `LIKE` scan ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")

    cases = [
        ("list, no filter", "/clients/?sort=name", ""),
        ("list, common word", f"/clients/?sort=name&q={COMMON_WORD}", COMMON_WORD),
        ("list, rare word", f"/clients/?sort=name&q={rare_word}", rare_word),
        ("card, 50 contacts", f"/clients/{card_org.pk}/", None),
    ]
    for label, url, word in cases:

        def page(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        captured = recorded(page)
        page_median, page_p95 = timed(page, args.repeat)
        cpu_median = cpu_timed(page, args.repeat)
        # The same statements straight on the connection: what the database itself costs.
        sql_times = [
            timed(raw(sql, params), max(5, args.repeat // 6))[0]
            for sql, params in captured
            if sql.lstrip().upper().startswith(("SELECT", "(SELECT"))
        ]
        if word is None:
            matches = "1"
        else:
            qs = selectors.organization_queryset(head, query=word, sort="name")
            matches = f"{qs.order_by().count():,}"
        like = "—"
        if word:
            like_sql = (
                "SELECT o.id FROM clients_organization o JOIN clients_searchdocument d "
                "ON d.organization_id = o.id WHERE d.text LIKE %s ORDER BY o.name, o.id LIMIT 51"
            )
            like = f"{timed(raw(like_sql, [f'%{word}%']), max(5, args.repeat // 6))[0]:.1f}"
        print(
            f"| {label} | {matches} | {len(captured)} | {page_median:.1f} | {page_p95:.1f} "
            f"| {cpu_median:.1f} | {sum(sql_times):.1f} | {max(sql_times):.1f} | {like} |"
        )


if __name__ == "__main__":
    main()
