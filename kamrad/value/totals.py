"""Each client's work-history sums per calendar quarter, kept by the database as records change.

The pyramid's recompute needs, for every client, the life sums of its sales and costs to
serve and the profit of each recent quarter. Summed from the records themselves that is a
pass over every sale (ten million rows on a big installation), with nine sums per row. Here
`value_quartertotal` holds one row per client and quarter with at least one sale or cost to
serve: how many records, Σ (amount − cost) of its sales and Σ its costs to serve, in
base-currency minor units, and the date of its latest record (never earlier than that: a
record taken away leaves it). The recompute reads those rows (a few per client); only a
quarter with records dated after the day of the recompute is summed from the records up to
that day (`pyramid.services.aggregate`).

Kept by triggers on `value_sale` and `value_servicecost` (migration `value/0003`), so every
writer keeps it: pages, the API, imports, a rate change's re-basing, an organization's
deletion, raw SQL. A row whose last record goes is deleted, so the table holds exactly the
quarters that have records.

Bulk writers (the importer, `records_bulk_add`, `rebase`, the benchmarks' loaders) wrap their
writes in `bulk()`: the triggers stand aside and the quarters they touched are listed as
stale (`value_quarterstale`, one row per client and quarter); `settle()`, which the
pyramid's recompute runs first, sums those quarters again from their records and empties the
list. So a bulk write costs a list of its quarters, and the summing happens once, when the
totals are next read.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection

TABLE = "value_quartertotal"
STALE = "value_quarterstale"  # quarters a bulk writer touched, to be summed again
CHUNK = 5000
# (table, what one record adds to sales_profit, what it adds to cost_to_serve, the columns
# whose change changes its totals)
SOURCES = (
    (
        "value_sale",
        "{r}.amount_base - {r}.cost_base",
        "0",
        "organization_id, date, amount_base, cost_base",
    ),
    ("value_servicecost", "0", "{r}.amount_base", "organization_id, date, amount_base"),
)


def quarter_sql(vendor: str, column: str) -> str:
    """The first day of the quarter of a date column: ISO text on SQLite, a date elsewhere."""
    if vendor == "sqlite":
        month = f"substr({column}, 6, 2)"
        return (
            f"substr({column}, 1, 5) || CASE WHEN {month} < '04' THEN '01' "
            f"WHEN {month} < '07' THEN '04' WHEN {month} < '10' THEN '07' ELSE '10' END || '-01'"
        )
    return f"CAST(date_trunc('quarter', CAST({column} AS timestamp)) AS date)"


def create_table_sql(vendor: str) -> list[str]:
    rowid = " WITHOUT ROWID" if vendor == "sqlite" else ""
    return [
        f"CREATE TABLE {TABLE} ("
        "organization_id bigint NOT NULL, quarter date NOT NULL, records integer NOT NULL, "
        "sales_profit bigint NOT NULL, cost_to_serve bigint NOT NULL, last_date date NOT NULL, "
        f"PRIMARY KEY (organization_id, quarter)){rowid}",
        f"CREATE TABLE {STALE} (organization_id bigint NOT NULL, quarter date NOT NULL, "
        f"next date NOT NULL, PRIMARY KEY (organization_id, quarter)){rowid}",
    ]


def _add(vendor: str, r: str, sign: str, profit: str, cost: str) -> str:
    """The upsert of one record's share into its quarter's row (sign '+' or '-'). A record
    added may move the row's last date on; one taken away leaves it (an upper bound)."""
    p, c = profit.format(r=r), cost.format(r=r)
    greatest = "max" if vendor == "sqlite" else "GREATEST"
    last = (
        f"{greatest}({TABLE}.last_date, excluded.last_date)" if not sign else f"{TABLE}.last_date"
    )
    return (
        f"INSERT INTO {TABLE} "
        "(organization_id, quarter, records, sales_profit, cost_to_serve, last_date) "
        f"VALUES ({r}.organization_id, {quarter_sql(vendor, f'{r}.date')}, {sign}1, "
        f"{sign}({p}), {sign}({c}), {r}.date) "
        "ON CONFLICT (organization_id, quarter) DO UPDATE SET "
        f"records = {TABLE}.records + excluded.records, "
        f"sales_profit = {TABLE}.sales_profit + excluded.sales_profit, "
        f"cost_to_serve = {TABLE}.cost_to_serve + excluded.cost_to_serve, last_date = {last}"
    )


def _prune(vendor: str, r: str) -> str:
    return (
        f"DELETE FROM {TABLE} WHERE organization_id = {r}.organization_id "
        f"AND quarter = {quarter_sql(vendor, f'{r}.date')} AND records <= 0"
    )


def sqlite_triggers() -> dict[str, str]:
    """name → CREATE TRIGGER, three per source table."""
    triggers = {}
    for table, profit, cost, columns in SOURCES:
        add_new = _add("sqlite", "NEW", "", profit, cost)
        take_old = _add("sqlite", "OLD", "-", profit, cost)
        prune = _prune("sqlite", "OLD")
        triggers[f"{table}_totals_insert"] = (
            f"CREATE TRIGGER {table}_totals_insert AFTER INSERT ON {table} BEGIN {add_new}; END"
        )
        triggers[f"{table}_totals_delete"] = (
            f"CREATE TRIGGER {table}_totals_delete AFTER DELETE ON {table} "
            f"BEGIN {take_old}; {prune}; END"
        )
        triggers[f"{table}_totals_update"] = (
            f"CREATE TRIGGER {table}_totals_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {take_old}; {prune}; {add_new}; END"
        )
    return triggers


def postgresql_functions() -> list[str]:
    """One trigger function per source table, and its row and TRUNCATE triggers. A bulk writer
    sets `kamrad.totals_bulk` for its transaction and the row trigger is not even called."""
    statements = []
    for table, profit, cost, columns in SOURCES:
        take_old = _add("postgresql", "OLD", "-", profit, cost)
        add_new = _add("postgresql", "NEW", "", profit, cost)
        statements += [
            f"CREATE OR REPLACE FUNCTION {table}_totals() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {take_old}; "
            f"{_prune('postgresql', 'OLD')}; END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {add_new}; "
            "END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER {table}_totals AFTER INSERT OR DELETE OR UPDATE OF {columns} "
            f"ON {table} FOR EACH ROW "
            "WHEN (current_setting('kamrad.totals_bulk', true) IS DISTINCT FROM 'on') "
            f"EXECUTE FUNCTION {table}_totals()",
            # A TRUNCATE (a test database's flush) fires no row trigger: sum the rest again.
            f"CREATE OR REPLACE FUNCTION {table}_totals_truncate() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"{'; '.join([*_refresh_sql('postgresql', None), f'DELETE FROM {STALE}'])}; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {table}_totals_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_totals_truncate()",
        ]
    return statements


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in sqlite_triggers()] + [
            f"DROP TABLE IF EXISTS {TABLE}",
            f"DROP TABLE IF EXISTS {STALE}",
        ]
    statements = []
    for table, *_rest in SOURCES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_totals ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_totals_truncate ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_totals()",
            f"DROP FUNCTION IF EXISTS {table}_totals_truncate()",
        ]
    return [*statements, f"DROP TABLE IF EXISTS {TABLE}", f"DROP TABLE IF EXISTS {STALE}"]


def install(cursor: Any, vendor: str) -> None:
    """Create the table and its triggers, and sum every client's records into it."""
    for sql in create_table_sql(vendor):
        cursor.execute(sql)
    for sql in _refresh_sql(vendor, None):
        cursor.execute(sql)
    if vendor == "sqlite":
        for sql in sqlite_triggers().values():
            cursor.execute(sql)
    else:
        for sql in postgresql_functions():
            cursor.execute(sql)


def _refresh_sql(vendor: str, marks: str | None) -> list[str]:
    """Delete and sum again the rows of the organizations in `marks` (placeholders), or all."""
    where = f" WHERE organization_id IN ({marks})" if marks else ""
    parts = " UNION ALL ".join(
        f"SELECT r.organization_id AS organization_id, {quarter_sql(vendor, 'r.date')} AS quarter, "
        f"{profit.format(r='r')} AS sales_profit, {cost.format(r='r')} AS cost_to_serve, "
        "r.date AS day "
        f"FROM {table} AS r{where.replace('organization_id', 'r.organization_id')}"
        for table, profit, cost, _columns in SOURCES
    )
    return [
        f"DELETE FROM {TABLE}{where}",
        f"INSERT INTO {TABLE} "
        "(organization_id, quarter, records, sales_profit, cost_to_serve, last_date) "
        "SELECT organization_id, quarter, COUNT(*), SUM(sales_profit), SUM(cost_to_serve), "
        f"MAX(day) FROM ({parts}) AS t GROUP BY organization_id, quarter",
    ]


def _refresh_quarters_sql() -> list[str]:
    """Delete and sum again the (organization, quarter) rows listed as stale, and empty the
    list: each quarter's records are one range of the (organization, date) index."""
    parts = " UNION ALL ".join(
        f"SELECT k.organization_id AS organization_id, k.quarter AS quarter, "
        f"{profit.format(r='r')} AS sales_profit, {cost.format(r='r')} AS cost_to_serve, "
        f"r.date AS day FROM {STALE} AS k JOIN {table} AS r "
        "ON r.organization_id = k.organization_id AND r.date >= k.quarter AND r.date < k.next"
        for table, profit, cost, _columns in SOURCES
    )
    return [
        f"DELETE FROM {TABLE} WHERE (organization_id, quarter) IN "
        f"(SELECT organization_id, quarter FROM {STALE})",
        f"INSERT INTO {TABLE} "
        "(organization_id, quarter, records, sales_profit, cost_to_serve, last_date) "
        "SELECT organization_id, quarter, COUNT(*), SUM(sales_profit), SUM(cost_to_serve), "
        f"MAX(day) FROM ({parts}) AS t GROUP BY organization_id, quarter",
        f"DELETE FROM {STALE}",
    ]


def quarter_of(day: date | str) -> date:
    """The first day of the quarter of a date (or of its ISO text, as SQLite may return it)."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class Touched:
    """The quarters a bulk writer touched: per client, one bit per quarter since 1900 (a
    client's whole history where a date is earlier). Small whatever the number of rows: a
    hundred thousand clients take a few megabytes, where ten million (client, date) pairs
    would take gigabytes."""

    __slots__ = ("quarters",)

    def __init__(self, days: Iterable[tuple[int, date | str]] = ()) -> None:
        self.quarters: dict[int, int] = {}  # client → bits of its quarters; -1: all of them
        for org, day in days:
            self.add(org, day)

    def add(self, org: int, day: date | str) -> None:
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        index = (day.year - 1900) * 4 + (day.month - 1) // 3
        bits = self.quarters.get(org, 0)
        self.quarters[org] = -1 if index < 0 or bits == -1 else bits | (1 << index)

    def __bool__(self) -> bool:
        return bool(self.quarters)

    def whole(self) -> list[int]:
        return [org for org, bits in self.quarters.items() if bits == -1]

    def pairs(self) -> Iterator[tuple[int, date]]:
        for org, bits in sorted(self.quarters.items()):
            index = 0
            while bits > 0:
                if bits & 1:
                    yield org, date(1900 + index // 4, index % 4 * 3 + 1, 1)
                bits >>= 1
                index += 1


def _next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def refresh(touched: Touched | Iterable[tuple[int, date | str]] | None = None) -> None:
    """Sum again, from their records, the quarters a bulk writer touched (a `Touched`, or the
    (client, day) pairs it wrote, old dates included), or every quarter (None)."""
    if touched is None:
        with connection.cursor() as cursor:
            _lock(cursor)
            for sql in [*_refresh_sql(connection.vendor, None), f"DELETE FROM {STALE}"]:
                cursor.execute(sql)
        return
    mark_stale(touched)
    settle()


def mark_stale(touched: Touched | Iterable[tuple[int, date | str]]) -> None:
    """List these quarters to be summed again from their records by the next `settle()` (the
    pyramid's recompute settles first). A client touched before 1900 is summed again now."""
    if not isinstance(touched, Touched):
        touched = Touched(touched)
    if not touched:
        return
    vendor = connection.vendor
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        whole = touched.whole()
        for start in range(0, len(whole), CHUNK):
            chunk = whole[start : start + CHUNK]
            delete, insert = _refresh_sql(vendor, ", ".join(["%s"] * len(chunk)))
            cursor.execute(delete, chunk)
            cursor.execute(insert, chunk * len(SOURCES))
        rows = ((org, adapt(q), adapt(_next_quarter(q))) for org, q in touched.pairs())
        sql = f"INSERT INTO {STALE} VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
        if vendor == "sqlite":  # the driver's own executemany, past Django's wrapper
            raw, sql = cursor.connection, sql.replace("%s", "?")
        else:
            raw = cursor
        while batch := list(itertools.islice(rows, CHUNK)):
            raw.executemany(sql, batch)


def settle() -> int:
    """Sum again the quarters listed as stale and empty the list; how many there were. Call it
    inside a transaction before reading the totals."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {STALE}")
        stale = cursor.fetchone()[0]
        if not stale:
            return 0
        _lock(cursor)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {STALE}")
        for sql in _refresh_quarters_sql():
            cursor.execute(sql)
    return int(stale)


def _lock(cursor: Any) -> None:
    """PostgreSQL: writers of records wait while quarters are summed from them (their triggers
    would otherwise add to a row this transaction is about to replace). SQLite's one writer
    at a time already holds."""
    if connection.vendor == "postgresql":
        tables = ", ".join(table for table, *_rest in SOURCES)
        cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")


@contextmanager
def bulk(touched: Touched | Iterable[tuple[int, date | str]] | None = None) -> Iterator[None]:
    """For bulk writers of sales and costs to serve, inside their transaction: the triggers
    stand aside, and at the end the quarters in `touched` (a `Touched` the writer fills in
    as it goes, or (client, day) pairs: the dates it wrote and the old dates of rows it
    moved; None: all) are summed again from their records."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for name in sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            cursor.execute("SELECT set_config('kamrad.totals_bulk', 'on', true)")
    try:
        yield
    except BaseException:
        # The rollback brings the triggers back; but a caller may catch the error and go on
        # in the same transaction (SQLite's stays usable), so they are put back here too.
        if vendor == "sqlite":
            _restore(vendor)
        raise
    _restore(vendor)
    if touched is None:
        refresh()
    else:
        mark_stale(touched)


def _restore(vendor: str) -> None:
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for sql in sqlite_triggers().values():
                cursor.execute(sql)
        else:
            cursor.execute("SELECT set_config('kamrad.totals_bulk', 'off', true)")
