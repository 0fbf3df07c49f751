"""A large synthetic data set for benchmarks: N organizations, their people, phones and e-mails.

Speed is the point, so nothing here goes through model instances or the services: rows are
built as tuples and written in batches inside one transaction — `executemany` on SQLite,
`COPY … FROM STDIN` on PostgreSQL — and the search documents are written the same way, with
the very text `search.document_text` gives, so search finds generated rows like any other.
No audit history is written for generated rows.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from queue import Empty
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from kamrad.clients import demo, search, services
from kamrad.lib import spawned
from kamrad.users.models import Role, User

BATCH = 2000  # organizations per batch: big enough for throughput, small for a live progress bar

# Syllables for made-up brand names: 20**3 = 8,000 words, so any one brand is rare (a handful
# of organizations in 100,000) while the sector words below are common (tens of thousands).
SYLLABLES = demo.words("ка ро ви на те ли мо ра до су ле бу ме ти зо фа ку ре по са")
SECTORS = (
    ("Сервис", 30),
    ("Строй", 10),
    ("Трейд", 10),
    ("Логистик", 8),
    ("Телеком", 6),
    ("Групп", 8),
    ("Проект", 8),
    ("Инвест", 6),
    ("Маркет", 7),
    ("Систем", 7),
)
EN_SECTORS = demo.words("Services Trading Logistics Holdings Systems Foods")
KINDS = (
    ("client", 75),
    ("prospect", 12),
    ("partner", 4),
    ("supplier", 4),
    ("intermediary", 3),
    ("competitor", 2),
)

ORG_COLUMNS = demo.words(
    "id version created_at updated_at kind is_private name legal_name tax_number "
    "registration_number legal_address postal_address website notes account_manager_id "
    "industry_id owner_id region_id"
)
CONTACT_COLUMNS = demo.words(
    "id version created_at updated_at full_name position department birthday personal_notes "
    "status left_on organization_id"
)
POINT_COLUMNS = demo.words("kind value label contact_id organization_id")
ROLE_COLUMNS = demo.words("role note contact_id")
EVENT_COLUMNS = demo.words(
    "version created_at updated_at kind title date recurs_yearly notes contact_id organization_id"
)
DOC_COLUMNS = demo.words("organization_id text")


class Progress:
    """A one-line progress bar on stderr: percent, rows/s, time left; updated in place.

    When the stream is not a terminal (a log, CI) only the final line is written.
    """

    def __init__(
        self,
        total: int,
        *,
        label: str = "",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = clock()
        self.last_drawn = 0.0
        self.done = 0

    def advance(self, rows: int) -> None:
        self.done += rows
        now = self.clock()
        if self.tty and now - self.last_drawn >= 0.1:
            self.last_drawn = now
            self.stream.write("\r" + self.line(now) + "\x1b[K")
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        share = min(self.done / self.total, 1.0)
        left = (self.total - self.done) / rate if rate and self.done < self.total else 0
        width = 30
        bar = "#" * int(share * width) + "-" * (width - int(share * width))
        return (
            f"{self.label} [{bar}] {share:4.0%}  {self.done:,} rows  {rate:,.0f} rows/s  "
            f"ETA {int(left) // 60}:{int(left) % 60:02d}"
        )

    def finish(self, message: str) -> None:
        elapsed = self.clock() - self.started
        rate = self.done / max(elapsed, 1e-9)
        prefix = "\r\x1b[K" if self.tty else ""
        self.stream.write(
            f"{prefix}{message}: {self.done:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)\n"
        )
        self.stream.flush()


@dataclasses.dataclass
class Generated:
    organizations: int
    contacts: int
    points: int
    roles: int
    events: int
    seconds: float
    first_id: int


class _Writer:
    """Appends rows to a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.raw = connection.connection  # the DB-API connection inside Django's transaction

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        elif self.vendor == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:  # pragma: no cover - other databases are not supported
            raise ValueError(f"kamrad generate supports SQLite and PostgreSQL, not {self.vendor}")


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        return int(cursor.fetchone()[0]) + 1


def _phone(rng: random.Random, code: str) -> str:
    n = rng.randrange(10_000_000)
    return f"+7 ({code}) {n // 10000:03d}-{n // 100 % 100:02d}-{n % 100:02d}"


def generate(
    *,
    clients: int,
    contacts_per_client: int = 3,
    seed: int = 1,
    stream: TextIO | None = None,
    parallel: bool | None = None,
) -> Generated:
    """Add `clients` organizations with `contacts_per_client` people each, in one transaction.

    `parallel`: make the rows in a second process (default: from PARALLEL_FROM on); the rows
    are the same either way.
    """
    if clients < 1 or contacts_per_client < 1:
        raise ValueError("clients and contacts_per_client must be at least 1")
    if parallel is None:
        parallel = clients >= PARALLEL_FROM
    per_org = 1 + 1 + contacts_per_client * 3 + 2 + contacts_per_client // 3 + 1
    progress = Progress(clients * per_org, label="generate", stream=stream)
    started = time.monotonic()
    counts = {"contacts": 0, "points": 0, "roles": 0, "events": 0}
    with transaction.atomic():
        head = User.objects.filter(role=Role.HEAD).order_by("id").first()
        industries = [services.industry_ensure(user=head, name=name).pk for name in demo.INDUSTRIES]
        regions = [services.region_ensure(user=head, name=city.name).pk for city in demo.CITIES]
        managers: list[int | None] = list(
            User.objects.filter(role=Role.MANAGER).order_by("id").values_list("id", flat=True)
        )
        managers = managers or [None]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Ids are handed out here; keep other writers out until the sequences are set.
                cursor.execute("LOCK TABLE clients_organization, clients_contact IN EXCLUSIVE MODE")
        first_org = _next_id("clients_organization")
        plan = _Plan(
            seed=seed,
            clients=clients,
            contacts_per_client=contacts_per_client,
            first_org=first_org,
            first_contact=_next_id("clients_contact"),
            managers=tuple(managers),
            industries=tuple(industries),
            regions=tuple(regions),
            now=timezone.now(),
            vendor=connection.vendor,
        )
        writer = _Writer()
        # Search documents get their place in name order and one FTS5 pass at the end.
        with search.bulk_load():
            rows = _made_elsewhere(plan) if parallel else _batches(plan)
            for orgs, people, points, roles, events, docs in rows:
                writer.write("clients_organization", ORG_COLUMNS, orgs)
                writer.write("clients_contact", CONTACT_COLUMNS, people)
                writer.write("clients_contactpoint", POINT_COLUMNS, points)
                writer.write("clients_decisionrole", ROLE_COLUMNS, roles)
                writer.write("clients_event", EVENT_COLUMNS, events)
                writer.write("clients_searchdocument", DOC_COLUMNS, docs)
                counts["contacts"] += len(people)
                counts["points"] += len(points)
                counts["roles"] += len(roles)
                counts["events"] += len(events)
                progress.advance(
                    len(orgs) + len(people) + len(points) + len(roles) + len(events) + len(docs)
                )
        _after_load()
    result = Generated(
        organizations=clients,
        contacts=counts["contacts"],
        points=counts["points"],
        roles=counts["roles"],
        events=counts["events"],
        seconds=time.monotonic() - started,
        first_id=first_org,
    )
    progress.finish(f"Generated {clients:,} organizations")
    return result


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What the rows depend on: the same plan gives the same rows, in this process or another."""

    seed: int
    clients: int
    contacts_per_client: int
    first_org: int
    first_contact: int
    managers: tuple[int | None, ...]
    industries: tuple[int, ...]
    regions: tuple[int, ...]
    now: datetime
    vendor: str


Batch = tuple[list[tuple[Any, ...]], ...]  # organizations, people, points, roles, events, docs


def _moment_and_date(vendor: str) -> tuple[Callable[[datetime], Any], Callable[[date], Any]]:
    """How a datetime and a date go into a raw row: what Django's own `adapt_datetimefield_value`
    and `adapt_datefield_value` give (SQLite: text, in UTC; PostgreSQL: the value itself)."""
    if vendor == "sqlite":
        return (lambda moment: str(moment.astimezone(UTC).replace(tzinfo=None))), str
    return (lambda moment: moment), (lambda day: day)


def _batches(plan: _Plan) -> Iterator[Batch]:
    """Every row of the plan, BATCH organizations at a time."""
    rng = random.Random(plan.seed)
    contacts_per_client = plan.contacts_per_client
    managers, industries, regions, now = plan.managers, plan.industries, plan.regions, plan.now
    moment_of, date_of = _moment_and_date(plan.vendor)
    cities = demo.CITIES
    sector_names = [s for s, _w in SECTORS]
    sector_weights = [w for _s, w in SECTORS]
    kinds = [k for k, _w in KINDS]
    kind_weights = [w for _k, w in KINDS]
    org_id, contact_id = plan.first_org, plan.first_contact
    done = 0
    while done < plan.clients:
        size = min(BATCH, plan.clients - done)
        orgs: list[tuple[Any, ...]] = []
        people: list[tuple[Any, ...]] = []
        points: list[tuple[Any, ...]] = []
        roles: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        docs: list[tuple[Any, ...]] = []
        for _ in range(size):
            city_index = rng.choices(range(len(cities)), demo.CITY_WEIGHTS)[0]
            city = cities[city_index]
            brand = "".join(rng.choice(SYLLABLES) for _ in range(3))
            foreign = rng.random() < 0.08
            if foreign:
                brand_latin = demo.translit(brand).capitalize()
                name = f"{brand_latin} {rng.choice(EN_SECTORS)} Ltd"
                legal_name = name
                domain = f"{demo.slug(brand)}.com"
            else:
                sector = rng.choices(sector_names, sector_weights)[0]
                name = f"{brand.capitalize()} {sector}"
                form = "ООО" if rng.random() < 0.8 else "АО"
                legal_name = f"{form} «{name}»"
                domain = f"{demo.slug(brand)}-{demo.slug(sector)}.ru"
            office = rng.choice(city.tax_offices)
            tax = office + f"{rng.randrange(100000):05d}"
            tax += demo.check_digit(tax, (2, 4, 10, 3, 5, 9, 4, 6, 8))
            reg = f"1{rng.randrange(2, 24):02d}{office[:2]}{rng.randrange(10**7):07d}"
            reg += str(int(reg) % 11 % 10)
            address = (
                f"{city.postcodes[0]}, г. {city.name}, {rng.choice(city.streets)}, "
                f"д. {rng.randint(1, 150)}"
            )
            manager = rng.choice(managers) if rng.random() < 0.9 else None
            created = moment_of(now - timedelta(minutes=rng.randrange(60 * 24 * 365 * 3)))
            orgs.append(
                (
                    org_id,
                    1,
                    created,
                    created,
                    rng.choices(kinds, kind_weights)[0],
                    False,
                    name,
                    legal_name,
                    tax,
                    reg,
                    address,
                    address,
                    f"https://www.{domain}",
                    "",
                    manager,
                    rng.choice(industries),
                    manager,
                    regions[city_index],
                )
            )
            org_phone = _phone(rng, city.phone_code)
            points.append(("phone", org_phone, "", None, org_id))
            names: list[str] = []
            values: list[str] = [org_phone]
            for i in range(contacts_per_client):
                male = rng.random() < 0.55
                surname = rng.choice(demo.MALE_SURNAMES)
                root = rng.choice(demo.PATRONYMIC_ROOTS)
                if male:
                    full = f"{surname} {rng.choice(demo.MALE_NAMES)} {root}ич"
                else:
                    full = f"{surname}а {rng.choice(demo.FEMALE_NAMES)} {root}на"
                position, department, extra = (
                    (demo.DIRECTOR[0], demo.DIRECTOR[1], ("decides", "signs"))
                    if i == 0
                    else (demo.FINANCE[0][0], demo.FINANCE[0][1], ("approves_budget",))
                    if i == 1
                    else rng.choice(demo.STAFF)
                )
                birthday = date(rng.randint(1958, 2000), rng.randint(1, 12), rng.randint(1, 28))
                people.append(
                    (
                        contact_id,
                        1,
                        created,
                        created,
                        full,
                        position,
                        department,
                        date_of(birthday),
                        "",
                        "active",
                        None,
                        org_id,
                    )
                )
                phone = _phone(rng, city.phone_code)
                email = f"{demo.translit(full.split()[1])[0]}.{demo.slug(surname)}{i}@{domain}"
                points.append(("phone", phone, "", contact_id, org_id))
                points.append(("email", email, "", contact_id, org_id))
                values += (phone, email)
                names.append(full)
                for role in extra if i < 2 or rng.random() < 0.5 else ():
                    roles.append((role, "", contact_id))
                if i == 0 and rng.random() < 0.3:
                    events.append(
                        (
                            1,
                            created,
                            created,
                            "birthday",
                            f"День рождения: {full}",
                            date_of(birthday),
                            True,
                            "",
                            contact_id,
                            org_id,
                        )
                    )
                contact_id += 1
            if rng.random() < 0.3:
                founded = date(rng.randint(1993, 2022), rng.randint(1, 12), rng.randint(1, 28))
                events.append(
                    (
                        1,
                        created,
                        created,
                        "anniversary",
                        f"День основания компании ({founded.year})",
                        date_of(founded),
                        True,
                        "",
                        None,
                        org_id,
                    )
                )
            docs.append(
                (
                    org_id,
                    search.document_text(
                        name=name,
                        legal_name=legal_name,
                        tax_number=tax,
                        registration_number=reg,
                        contact_names=names,
                        points=values,
                    ),
                )
            )
            org_id += 1
        done += size
        yield orgs, people, points, roles, events, docs


# From this many organizations on, the rows are made in a second process while this one
# writes them: making them is about a third of the work, and a second core is idle meanwhile.
PARALLEL_FROM = 20_000


def _made_elsewhere(plan: _Plan) -> Iterator[Batch]:
    """The batches of `_batches(plan)`, made by a child process (spawned: nothing of this
    process's open transaction goes with it) and handed over through a bounded queue."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=4)
    child = context.Process(
        target=spawned.call,
        args=(f"{__name__}._make_rows", dataclasses.asdict(plan), queue),
        daemon=True,
    )
    child.start()
    finished = False
    try:
        while True:
            try:
                kind, value = queue.get(timeout=1)
            except Empty:
                if not child.is_alive():
                    raise RuntimeError(
                        f"the process making the rows ended early (exit code {child.exitcode})"
                    ) from None
                continue
            if kind == "rows":
                yield value
            elif kind == "error":
                raise RuntimeError(f"the process making the rows failed:\n{value}")
            else:
                finished = True
                return
    finally:
        # A child that sent everything is left to exit; one cut short is stopped.
        child.join(timeout=5 if finished else 0)
        if child.is_alive():
            child.terminate()
            child.join(timeout=5)
        queue.close()


def _make_rows(plan: dict[str, Any], queue: Any) -> None:
    """The child process of `_made_elsewhere`: it never opens the database."""
    try:
        for batch in _batches(_Plan(**plan)):
            queue.put(("rows", batch))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        queue.put(("error", traceback.format_exc()))
    else:
        queue.put(("done", None))


def _after_load() -> None:
    """Move the id sequences past the ids handed out, and refresh the planner's statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("clients_organization", "clients_contact"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        # Without fresh statistics the planner may pick a scan over the new indexes.
        _analyze(
            cursor,
            (
                "clients_organization",
                "clients_contact",
                "clients_contactpoint",
                "clients_decisionrole",
                "clients_event",
                "clients_searchdocument",
            ),
        )


def _analyze(cursor: Any, tables: Iterable[str]) -> None:
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA analysis_limit=1000")
    for table in tables:
        cursor.execute(f"ANALYZE {table}")
