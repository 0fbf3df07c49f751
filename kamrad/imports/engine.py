"""The import engine: rows in, counts and problems out, all or nothing.

One streaming pass inside one transaction: rows are read, parsed and checked one at a time,
gathered in batches, matched against the database by their key (a batched lookup per batch)
and written in batches — `executemany` on SQLite, `COPY` on PostgreSQL — for the work history,
and through the client card's services for organizations and contacts (so their audit history
and search documents are kept as for any edit). At the end the transaction is committed only
for a real run with no rejected row, or with rejected rows when the user chose to import the
good rows only; a dry run does the very same work and rolls it back, so its counts are exact.
Memory is one batch plus the problems kept for the report, whatever the file's size.
"""

from __future__ import annotations

import csv
import datetime
import functools
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamrad.clients import search, services
from kamrad.clients.models import Contact, DecisionRole, Organization, Product
from kamrad.imports import reading
from kamrad.imports.kinds import Kind
from kamrad.imports.models import ExternalKey
from kamrad.lib import money
from kamrad.lib.text import fold
from kamrad.users.models import User
from kamrad.value import services as value_services
from kamrad.value import totals
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost
from kamrad.value.rates import MissingRate, RateBook, base_currency

log = logging.getLogger("kamrad.imports")

BATCH = 5000
SAMPLE_ROWS = 5
KEPT_PROBLEMS = 500
ACTIONS = ("created", "updated", "unchanged", "rejected")


@dataclass
class Problem:
    row: int
    column: str
    reason: str


class RowProblem(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(reason)


@dataclass
class Report:
    kind: str
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    samples: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {a: [] for a in ACTIONS}
    )
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    written: bool = False
    dry_run: bool = True
    good_rows_only: bool = False
    file_error: str = ""
    seconds: float = 0.0
    # The organizations whose value may have changed (their work history or their kind), for
    # the pyramid to recompute; None: all of them (an exchange rate changed every conversion).
    touched: set[int] | None = field(default_factory=set)

    @property
    def refused(self) -> bool:
        """Bad rows kept the whole file out (a real run without 'good rows only')."""
        return not self.dry_run and not self.written

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "counts": self.counts,
            "samples": self.samples,
            "problems": [[p.row, p.column, p.reason] for p in self.problems],
            "problem_count": self.problem_count,
            "written": self.written,
            "dry_run": self.dry_run,
            "good_rows_only": self.good_rows_only,
            "file_error": self.file_error,
            "seconds": round(self.seconds, 2),
        }


def csv_safe(value: str) -> str:
    """Text a spreadsheet shows as text: never a formula, whatever the file's cells held."""
    if value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


@dataclass(slots=True)
class Parsed:
    number: int
    values: dict[str, Any]
    cells: list[Any]


class Context:
    """What every writer of one run shares: who imports, the rates, the organization index."""

    def __init__(self, *, user: User | None, source: str) -> None:
        self.user = user
        self.source = source
        self.now = timezone.now()
        self._rates: RateBook | None = None
        self._orgs: OrgIndex | None = None
        self.columns: dict[str, str] = {}  # field name → the header of its column
        self.base = base_currency()
        # Each imported rate's currency and its earliest date: what the stored records'
        # base amounts must be recomputed from once the rates are in.
        self.rates_from: dict[str, datetime.date] = {}
        self.touched: set[int] | None = set()
        # The quarters of every sale and cost to serve written, listed as stale at the end
        # of the run (`value.totals`).
        self.days = totals.Touched()

    def touch(self, organization_id: int | None) -> None:
        if self.touched is not None and organization_id is not None:
            self.touched.add(organization_id)

    def touch_all(self, organization_ids: set[int]) -> None:
        """Many at once: a writer gathers a batch's clients and hands them over together."""
        organization_ids.discard(None)  # type: ignore[arg-type]
        if self.touched is not None:
            self.touched |= organization_ids

    @property
    def rates(self) -> RateBook:
        if self._rates is None:
            self._rates = RateBook()
        return self._rates

    @property
    def orgs(self) -> OrgIndex:
        if self._orgs is None:
            self._orgs = OrgIndex()
        return self._orgs

    def column(self, field_name: str) -> str:
        return self.columns.get(field_name, field_name)


# --- Finding the organization a row names ------------------------------------------------

_SEVERAL = -1
SEVERAL_TAX = gettext_lazy("Several organizations have this tax number.")
SEVERAL_NAMES = gettext_lazy("Several organizations have this name.")
NO_SUCH_ORGANIZATION = gettext_lazy("No organization %(value)s.")


class OrgIndex:
    """Organizations by external key, tax number and exact name, loaded once per run."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = dict(
            ExternalKey.objects.filter(kind=ExternalKey.Kind.ORGANIZATION).values_list(
                "key", "object_id"
            )
        )
        self.by_tax: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        rows = Organization.objects.values_list("id", "tax_number", "name")
        for org_id, tax, name in rows.iterator(chunk_size=20000):
            self.add(org_id, tax=tax, name=name)

    @staticmethod
    def _put(index: dict[str, int], value: str, org_id: int) -> None:
        if not value:
            return
        found = index.get(value)
        index[value] = org_id if found in (None, org_id) else _SEVERAL

    def add(self, org_id: int, *, key: str = "", tax: str = "", name: str = "") -> None:
        if key:
            self.by_key[key] = org_id
        self._put(self.by_tax, tax.strip(), org_id)
        self._put(self.by_name, name.strip(), org_id)

    @functools.cache  # noqa: B019 (one index per run, a handful of prefixes)
    def _lookups(self, prefix: str) -> tuple[tuple[str, dict[str, int], str], ...]:
        return (
            ("key", self.by_key, prefix + "key"),
            ("tax_number", self.by_tax, prefix + "tax_number"),
            ("name", self.by_name, prefix + "name"),
        )

    def find(self, values: dict[str, Any], prefix: str = "org_") -> int:
        """The id of the organization a row names, or RowProblem saying why there is none."""
        for what, index, name in self._lookups(prefix):
            value = values.get(name)
            if not value:
                continue
            found = index.get(value)
            if found is None or found == _SEVERAL:
                raise RowProblem(
                    prefix + what,
                    str(
                        NO_SUCH_ORGANIZATION % {"value": value}
                        if found is None
                        else SEVERAL_TAX
                        if what == "tax_number"
                        else SEVERAL_NAMES
                    ),
                )
            return found
        raise RowProblem(prefix + "name", str(NO_ORGANIZATION))


# --- Bulk writers for the work history -----------------------------------------------------


class _Sql:
    """Raw batched writes inside Django's transaction: executemany on SQLite, COPY on PostgreSQL.

    On PostgreSQL a batch's new rows can be copied behind (`insert_behind`): the COPY runs in
    a thread while the import reads and checks the next batch, so the server's writing (most
    of a big import's time) overlaps Python's. Nothing else may use the connection meanwhile:
    every other method here waits for it first (`settle`), and so must any caller that uses
    the connection otherwise."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.raw = connection.connection
        self._behind: threading.Thread | None = None
        self._failure: BaseException | None = None

    def settle(self) -> None:
        """Wait for a COPY still running behind; raise what it raised."""
        if self._behind is None:
            return
        self._behind.join()
        self._behind = None
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def insert_behind(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """`insert`, on PostgreSQL in a thread of its own; call `settle` before anything else
        on the connection."""
        self.settle()
        if self.vendor != "postgresql" or not rows:
            self.insert(table, columns, rows)
            return

        def copy() -> None:
            try:
                self._copy(table, columns, rows)
            except BaseException as error:  # raised again by settle()
                self._failure = error

        self._behind = threading.Thread(target=copy, name="import-copy", daemon=True)
        self._behind.start()

    def insert(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        self.settle()
        if not rows:
            return
        self._copy(table, columns, rows)

    def _copy(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _c in columns)
            self.raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """`sql` written with %s placeholders."""
        self.settle()
        if not rows:
            return
        if self.vendor == "postgresql":
            with self.raw.cursor() as cursor:
                cursor.executemany(sql, rows)
        else:
            self.raw.executemany(sql.replace("%s", "?"), rows)

    def select(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        self.settle()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


@dataclass(frozen=True)
class RecordSpec:
    model: type
    build: Callable[[dict[str, Any], Context], dict[str, Any]]
    natural: tuple[str, ...]  # the key's columns (besides the organization) without an external key
    lookup: str  # the indexed column next to the organization that narrows the lookup
    external: bool = True  # the rows carry an external key
    scoped: bool = True  # rows belong to an organization
    versioned: bool = True


def _base(ctx: Context, values: dict[str, Any], name: str, date: Any) -> int:
    minor = values.get(name) or 0
    if not minor or values["currency"] == ctx.base:
        return minor
    try:
        return ctx.rates.to_base(minor, values["currency"], date)
    except MissingRate as error:
        raise RowProblem("currency", str(error)) from None


def _build_sale(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    get = values.get
    quantity = get("quantity")
    if quantity is None:
        quantity = 1
    elif quantity < 0:
        raise RowProblem("quantity", _("The quantity cannot be negative."))
    cost = get("cost") or 0
    if cost < 0:
        raise RowProblem("cost", _("The cost cannot be negative."))
    product_id, line = None, get("product_line") or ""
    product = get("product")
    if product:
        found = ctx_products(ctx).get(product)
        if found:
            product_id, category = found
            line = line or category or product
        else:
            line = line or product
    date, currency, amount = values["date"], values["currency"], values["amount"]
    if currency == ctx.base:
        amount_base, cost_base = amount, cost
    else:
        amount_base = _base(ctx, values, "amount", date)
        cost_base = _base(ctx, values, "cost", date)
    return {
        "date": date,
        "product_id": product_id,
        "product_line": line[:200],
        "description": get("description") or "",
        "quantity": quantity,
        "currency": currency,
        "amount_minor": amount,
        "cost_minor": cost,
        "amount_base": amount_base,
        "cost_base": cost_base,
        "external_id": get("external_id") or "",
    }


def ctx_products(ctx: Context) -> dict[str, tuple[int, str]]:
    products = getattr(ctx, "_products", None)
    if products is None:
        products = {
            name.strip(): (pk, category)
            for pk, name, category in Product.objects.values_list("id", "name", "category")
        }
        ctx._products = products  # type: ignore[attr-defined]
    return products


_METHODS: dict[str, str] | None = None


def _method(text: str) -> str:
    global _METHODS
    if _METHODS is None:
        _METHODS = _choice_map(Payment.Method.choices)
        _METHODS.update({"безнал": "transfer", "перевод": "transfer", "наличные": "cash"})
    if not text:
        return Payment.Method.TRANSFER
    found = _METHODS.get(fold(text))
    if not found:
        raise RowProblem("method", _("%(value)s is not a way of paying.") % {"value": text})
    return found


def _choice_map(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A choice by its code or its label in English or Russian, case folded."""
    found: dict[str, str] = {}
    for code, label in choices:
        found[fold(code)] = code
        found[fold(code.replace("_", " "))] = code
        for language in ("en", "ru"):
            with translation.override(language):
                found[fold(str(label))] = code
    return found


def _build_payment(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "due_date": values["due_date"],
        "paid_date": values.get("paid_date"),
        "method": _method(values.get("method") or ""),
        "description": values.get("description") or "",
        "currency": values["currency"],
        "amount_minor": values["amount"],
        # Converted at the rate of the day it was paid, else of the day it was due — as the
        # work-history services do (kamrad.value.services.rate_date).
        "amount_base": _base(ctx, values, "amount", values.get("paid_date") or values["due_date"]),
        "external_id": values.get("external_id") or "",
    }


def _build_claim(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    resolved = values.get("resolved_on")
    if resolved and resolved < values["date"]:
        raise RowProblem("resolved_on", _("A claim cannot be resolved before it was made."))
    return {
        "date": values["date"],
        "subject": values["subject"][:300],
        "description": values.get("description") or "",
        "resolved_on": resolved,
        "external_id": values.get("external_id") or "",
    }


def _build_cost(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "date": values["date"],
        "description": (values.get("description") or "")[:300],
        "currency": values["currency"],
        "amount_minor": values["amount"],
        "amount_base": _base(ctx, values, "amount", values["date"]),
        "external_id": values.get("external_id") or "",
    }


def _build_month(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    month = values["month"]
    row = {"month": month, "currency": values["currency"]}
    for name in ("turnover", "average_balance", "exports"):
        row[f"{name}_minor"] = values.get(name) or 0
        row[f"{name}_base"] = _base(ctx, values, name, month)
    return row


def _build_rate(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    try:
        scaled = money.rate_to_scaled(values["rate"])
    except money.MoneyError:
        raise RowProblem("rate", _("A rate must be a positive number.")) from None
    known = ctx.rates_from.get(values["currency"])
    if known is None or values["date"] < known:
        ctx.rates_from[values["currency"]] = values["date"]
    return {"currency": values["currency"], "date": values["date"], "rate_scaled": scaled}


SPECS: dict[str, RecordSpec] = {
    "sales": RecordSpec(
        Sale,
        _build_sale,
        ("date", "currency", "amount_minor", "product_line", "description"),
        "date",
    ),
    "payments": RecordSpec(
        Payment, _build_payment, ("due_date", "currency", "amount_minor"), "due_date"
    ),
    "claims": RecordSpec(Claim, _build_claim, ("date", "subject"), "date"),
    "service_costs": RecordSpec(
        ServiceCost, _build_cost, ("date", "currency", "amount_minor", "description"), "date"
    ),
    "account_months": RecordSpec(
        AccountMonth, _build_month, ("month", "currency"), "month", external=False
    ),
    "exchange_rates": RecordSpec(
        ExchangeRate,
        _build_rate,
        ("currency", "date"),
        "currency",
        external=False,
        scoped=False,
        versioned=False,
    ),
}

LOOKUP_CHUNK = 400  # pairs per lookup query: well under every database's parameter limit


class BulkWriter:
    """Writes one kind of work-history record in batches, matching each row by its key."""

    def __init__(self, spec: RecordSpec, ctx: Context) -> None:
        self.spec, self.ctx = spec, ctx
        self.sql = _Sql()
        self.table = spec.model._meta.db_table
        self.created_at = connection.ops.adapt_datetimefield_value(ctx.now)
        self._made: set[str] = set()
        # Account months carry an external key column that is not their key: write it blank.
        self.blank_external = not spec.external and any(
            f.name == "external_id" for f in spec.model._meta.fields
        )
        self.dated = spec.model in (Sale, ServiceCost)

    def _key(self, org_id: int | None, row: dict[str, Any]) -> tuple[Any, ...]:
        if self.spec.external and row["external_id"]:
            return ("x", org_id, row["external_id"])
        return ("n", org_id, itemgetter(*self.spec.natural)(row))

    def _existing(
        self, rows: list[tuple[int | None, dict[str, Any]]], columns: list[str]
    ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """The stored rows with the keys of this batch: key → (id, *columns).

        The batch's keys go into a temporary table that drives an index lookup per key
        (a long `IN (VALUES …)` list is scanned instead on SQLite).
        """
        spec, found = self.spec, {}
        select = ", ".join(["s.id", *(f's."{c}"' for c in columns)])
        if not spec.scoped:
            values = sorted({r[spec.lookup] for _o, r in rows}, key=repr)
            for start in range(0, len(values), LOOKUP_CHUNK):
                chunk = values[start : start + LOOKUP_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                sql = f'SELECT {select} FROM "{self.table}" s WHERE s.{spec.lookup} IN ({marks})'
                for stored in self.sql.select(sql, chunk):
                    key = self._key(None, dict(zip(columns, stored[1:], strict=True)))
                    found.setdefault(key, stored)
            return found
        pairs_x = {(o, r["external_id"]) for o, r in rows if spec.external and r["external_id"]}
        pairs_n = {(o, r[spec.lookup]) for o, r in rows if not (spec.external and r["external_id"])}
        for pairs, table, column, extra in (
            (pairs_x, "kamrad_import_x", "external_id", "NOT (s.external_id = '')"),
            (
                pairs_n,
                "kamrad_import_n",
                spec.lookup,
                "s.external_id = ''" if spec.external else "1 = 1",
            ),
        ):
            if not pairs:
                continue
            self._keys_table(table, column)
            self.sql.insert(table, ["org", "k"], list(pairs))
            match = f"s.organization_id = t.org AND s.{column} = t.k AND {extra}"
            if connection.vendor == "postgresql":
                # The keys drive an index probe each, whatever the planner believes: inside
                # the import's transaction it cannot see how many rows the import itself has
                # added, and once read a near-empty index of external keys as the outer side
                # of the join, scanning the keys table for each of its 200,000 entries (92 s
                # for one batch). A lateral subquery (kept apart by OFFSET 0) runs per key.
                sql = (
                    f"SELECT {select}, s.organization_id FROM {table} t CROSS JOIN LATERAL "
                    f'(SELECT * FROM "{self.table}" s WHERE {match} OFFSET 0) s'
                )
            else:  # SQLite joins in the order written after CROSS JOIN
                sql = (
                    f"SELECT {select}, s.organization_id FROM {table} t "
                    f'CROSS JOIN "{self.table}" s WHERE {match}'
                )
            for stored in self.sql.select(sql, []):
                values = dict(zip(columns, stored[1:-1], strict=True))
                key = self._key(stored[-1], values)
                found.setdefault(key, stored[:-1])
        return found

    def _keys_table(self, table: str, column: str) -> None:
        if table not in self._made:
            field = self.spec.model._meta.get_field(column)
            kind = "date" if field.get_internal_type() == "DateField" else "varchar(200)"
            drop = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(f"CREATE TEMPORARY TABLE {table} (org bigint, k {kind}){drop}")
            self._made.add(table)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")

    def write(self, batch: list[Parsed]) -> list[tuple[Parsed, str | RowProblem]]:
        self.sql.settle()  # the last batch's rows are in before this one is looked up
        spec, ctx = self.spec, self.ctx
        outcomes: list[tuple[Parsed, str | RowProblem]] = []
        built: list[tuple[Parsed, int | None, dict[str, Any]]] = []
        find, build, scoped = ctx.orgs.find, spec.build, spec.scoped
        for parsed in batch:
            try:
                org_id = find(parsed.values) if scoped else None
                row = build(parsed.values, ctx)
            except RowProblem as problem:
                outcomes.append((parsed, problem))
                continue
            built.append((parsed, org_id, row))
        if not built:
            return outcomes
        columns = list(built[0][2])
        compare = [c for c in columns if c != "external_id"]
        existing = self._existing([(o, r) for _p, o, r in built], columns)
        stored_at = [1 + columns.index(c) for c in compare]
        take = itemgetter(*compare)  # the row's values in column order, at C speed
        natural = itemgetter(*spec.natural)
        external = spec.external
        inserts: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        updates: dict[int, tuple[Any, ...]] = {}
        width = len(compare)
        touched: set[int] = set()
        # Sales and costs to serve: each client and date written (and a moved row's old
        # date): the quarters whose totals are listed to be summed again.
        days = ctx.days if self.dated else None
        date_at = 1 + columns.index("date") if self.dated else 0
        append = outcomes.append
        for parsed, org_id, row in built:
            if external and row["external_id"]:
                key: tuple[Any, ...] = ("x", org_id, row["external_id"])
            else:
                key = ("n", org_id, natural(row))
            values = take(row)
            if key in inserts:
                pending = inserts[key]
                action = "unchanged" if pending[:width] == values else "updated"
                inserts[key] = values + pending[width:]
            elif key in existing:
                stored = existing[key]
                pk = stored[0]
                current = updates.get(pk) or tuple(stored[i] for i in stored_at)
                if _same(current, values):
                    action = "unchanged"
                else:
                    action = "updated"
                    updates[pk] = values
                    touched.add(org_id)
                    if days is not None:
                        days.add(org_id, stored[date_at])
                        days.add(org_id, row["date"])
            else:
                action = "created"
                touched.add(org_id)
                if days is not None:
                    days.add(org_id, row["date"])
                if not scoped:
                    inserts[key] = values
                elif external:
                    inserts[key] = (*values, org_id, row["external_id"])
                else:
                    inserts[key] = (*values, org_id)
            append((parsed, action))
        ctx.touch_all(touched)
        self._flush(compare, inserts, updates)
        return outcomes

    def _flush(
        self,
        compare: list[str],
        inserts: dict[tuple[Any, ...], tuple[Any, ...]],
        updates: dict[int, tuple[Any, ...]],
    ) -> None:
        spec = self.spec
        columns = list(compare)
        tail: tuple[Any, ...] = ()
        if spec.scoped:
            columns.append("organization_id")
        if spec.external:
            columns.append("external_id")
        if self.blank_external:
            columns.append("external_id")
            tail += ("",)
        if spec.versioned:
            columns += ["source", "version", "created_at", "updated_at"]
            tail += (self.ctx.source, 1, self.created_at, self.created_at)
        if updates:
            sets = ", ".join(f'"{c}" = %s' for c in compare)
            if spec.versioned:
                sets += ", version = version + 1, updated_at = %s"
            rows = [
                (*values, *([self.created_at] if spec.versioned else []), pk)
                for pk, values in updates.items()
            ]
            self.sql.execute_many(f'UPDATE "{self.table}" SET {sets} WHERE id = %s', rows)
        # Copied while the next batch is read (PostgreSQL); settled by the next write or finish.
        self.sql.insert_behind(self.table, columns, [values + tail for values in inserts.values()])

    def finish(self) -> None:
        self.sql.settle()

    def abandon(self) -> None:
        """The run failed: wait for a COPY still running, whatever it raised."""
        try:
            self.sql.settle()
        except Exception:
            log.exception("the import's last COPY failed too")


def _same(current: tuple[Any, ...], values: tuple[Any, ...]) -> bool:
    for a, b in zip(current, values, strict=True):
        if a == b:
            continue
        # SQLite gives dates back as text through a raw cursor, decimals as numbers.
        if a is not None and b is not None and str(a) == str(b):
            continue
        try:
            if a is not None and b is not None and float(a) == float(b):
                continue
        except (TypeError, ValueError):
            pass
        return False
    return True


# --- Organizations and contacts through the client card's services -----------------------


def _validation_problem(error: ValidationError, default: str) -> RowProblem:
    if hasattr(error, "error_dict"):
        name, errors = next(iter(error.error_dict.items()))
        return RowProblem(name, " ".join(str(m) for e in errors for m in e.messages))
    return RowProblem(default, " ".join(error.messages))


class OrganizationWriter:
    TEXT = (
        "name",
        "legal_name",
        "tax_number",
        "registration_number",
        "legal_address",
        "postal_address",
        "website",
        "notes",
    )

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.kinds = _choice_map(Organization.Kind.choices)
        self.users: dict[str, User] = {u.username: u for u in User.objects.all()}

    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.TEXT:
            if name in values:
                data[name] = values[name] or ""
        if "kind" in values:
            text = values["kind"] or ""
            kind = self.kinds.get(fold(text)) if text else Organization.Kind.CLIENT
            if not kind:
                raise RowProblem(
                    "kind", _("%(value)s is not a kind of organization.") % {"value": text}
                )
            data["kind"] = kind
        if "is_private" in values:
            data["is_private"] = bool(values["is_private"])
        for name, ensure in (
            ("industry", services.industry_ensure),
            ("region", services.region_ensure),
        ):
            if name in values:
                data[name] = ensure(user=self.ctx.user, name=values[name]) if values[name] else None
        if "account_manager" in values:
            username = values["account_manager"]
            if username and username not in self.users:
                raise RowProblem("account_manager", _("No user %(value)s.") % {"value": username})
            data["account_manager"] = self.users.get(username) if username else None
        return data

    def _find(self, values: dict[str, Any]) -> int | None:
        """The organization a row updates: by its external key, else its tax number when the
        row gives one (a new tax number is a new organization, whatever its name), else its
        exact name."""
        orgs = self.ctx.orgs
        key = (values.get("external_key") or "").strip()
        if key and key in orgs.by_key:
            return orgs.by_key[key]
        tax = (values.get("tax_number") or "").strip()
        name = (values.get("name") or "").strip()
        for which, value, index, several in (
            ("tax_number", tax, orgs.by_tax, SEVERAL_TAX),
            ("name", "" if tax else name, orgs.by_name, SEVERAL_NAMES),
        ):
            if value:
                found = index.get(value)
                if found == _SEVERAL:
                    raise RowProblem(which, str(several))
                return found
        return None

    def write(self, batch: list[Parsed]) -> list[tuple[Parsed, str | RowProblem]]:
        outcomes: list[tuple[Parsed, str | RowProblem]] = []
        for parsed in batch:
            try:
                outcomes.append((parsed, self._one(parsed.values)))
            except RowProblem as problem:
                outcomes.append((parsed, problem))
        return outcomes

    def _one(self, values: dict[str, Any]) -> str:
        data = self._data(values)
        org_id = self._find(values)
        key = (values.get("external_key") or "").strip()
        try:
            if org_id is None:
                org = services.organization_create(user=self.ctx.user, data=data)
                if key:
                    ExternalKey.objects.create(
                        kind=ExternalKey.Kind.ORGANIZATION, key=key, object_id=org.pk
                    )
                self.ctx.orgs.add(org.pk, key=key, tax=org.tax_number, name=org.name)
                self.ctx.touch(org.pk)
                return "created"
            org = Organization.objects.get(pk=org_id)
            if key and key not in self.ctx.orgs.by_key:
                # Known by its tax number or name until now; from now on by its key too.
                ExternalKey.objects.create(
                    kind=ExternalKey.Kind.ORGANIZATION, key=key, object_id=org.pk
                )
                self.ctx.orgs.add(org.pk, key=key)
            if not _differs(org, data):
                return "unchanged"
            services.organization_update(
                user=self.ctx.user, organization=org, data=data, expected_version=org.version
            )
            self.ctx.orgs.add(org.pk, tax=org.tax_number, name=org.name)
            self.ctx.touch(org.pk)
            return "updated"
        except ValidationError as error:
            raise _validation_problem(error, "name") from None

    def finish(self) -> None:
        pass


def _differs(obj: Any, data: dict[str, Any]) -> bool:
    for name, value in data.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)
        wanted = getattr(value, "pk", value) if field.is_relation else value
        if current != wanted:
            return True
    return False


class ContactWriter:
    FIELDS = ("full_name", "position", "department", "birthday", "personal_notes")

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.roles = _choice_map(DecisionRole.Role.choices)
        self.roles.update(
            {
                "approves": "approves_budget",
                "budget": "approves_budget",
                "бюджет": "approves_budget",
                "подписывает": "signs",
                "принимает решение": "decides",
                "готовит решение": "prepares",
                "влияет": "influences",
                "пользователь": "uses",
                "привратник": "gatekeeper",
                "секретарь": "gatekeeper",
            }
        )
        self.keys = dict(
            ExternalKey.objects.filter(kind=ExternalKey.Kind.CONTACT).values_list(
                "key", "object_id"
            )
        )

    def write(self, batch: list[Parsed]) -> list[tuple[Parsed, str | RowProblem]]:
        outcomes: list[tuple[Parsed, str | RowProblem]] = []
        for parsed in batch:
            try:
                outcomes.append((parsed, self._one(parsed.values)))
            except RowProblem as problem:
                outcomes.append((parsed, problem))
        return outcomes

    def _one(self, values: dict[str, Any]) -> str:
        org_id = self.ctx.orgs.find(values)
        data = {
            name: values.get(name) or ("" if name != "birthday" else None)
            for name in self.FIELDS
            if name in values
        }
        roles = None
        if "roles" in values:
            roles = []
            for text in values["roles"] or []:
                role = self.roles.get(fold(text))
                if not role:
                    raise RowProblem(
                        "roles", _("%(value)s is not a decision role.") % {"value": text}
                    )
                roles.append(role)
        phones = values.get("phones") if "phones" in values else None
        emails = values.get("emails") if "emails" in values else None
        key = (values.get("external_key") or "").strip()
        contact = None
        if key and key in self.keys:
            contact = Contact.objects.filter(pk=self.keys[key]).first()
        elif not key:
            contact = (
                Contact.objects.filter(organization_id=org_id, full_name=values["full_name"])
                .order_by("id")
                .first()
            )
        try:
            if contact is None:
                organization = Organization.objects.get(pk=org_id)
                contact = services.contact_create(
                    user=self.ctx.user,
                    organization=organization,
                    data=data,
                    roles=roles or (),
                    phones=phones,
                    emails=emails,
                )
                if key:
                    ExternalKey.objects.create(
                        kind=ExternalKey.Kind.CONTACT, key=key, object_id=contact.pk
                    )
                    self.keys[key] = contact.pk
                return "created"
            if not self._contact_differs(contact, data, roles, phones, emails):
                return "unchanged"
            services.contact_update(
                user=self.ctx.user,
                contact=contact,
                data=data,
                expected_version=contact.version,
                roles=roles,
                phones=phones,
                emails=emails,
            )
            return "updated"
        except ValidationError as error:
            raise _validation_problem(error, "full_name") from None

    @staticmethod
    def _contact_differs(
        contact: Contact,
        data: dict[str, Any],
        roles: list[str] | None,
        phones: list[str] | None,
        emails: list[str] | None,
    ) -> bool:
        if _differs(contact, data):
            return True
        if roles is not None and set(roles) != set(
            contact.decision_roles.values_list("role", flat=True)
        ):
            return True
        for kind, wanted in (("phone", phones), ("email", emails)):
            if wanted is not None and set(wanted) != set(
                contact.contact_points.filter(kind=kind).values_list("value", flat=True)
            ):
                return True
        return False

    def finish(self) -> None:
        pass


def writer_for(kind: Kind, ctx: Context) -> Any:
    if kind.name == "organizations":
        return OrganizationWriter(ctx)
    if kind.name == "contacts":
        return ContactWriter(ctx)
    return BulkWriter(SPECS[kind.name], ctx)


# --- The run ---------------------------------------------------------------------------------


TEXT = "text"  # a plan's parser for plain text: stripping is all it needs
MONEY = "money"  # an amount: parsed once the row's currency is known


@dataclass(frozen=True)
class Plan:
    """How to read one row: the mapped cells in order, with each field's parser."""

    kind: Kind
    cells: tuple[tuple[int, str, Any, bool], ...]  # (index, field, parser, required)
    base: str

    @classmethod
    def make(cls, kind: Kind, mapping: dict[int, str], base: str) -> Plan:
        cells = []
        for index, name in sorted(mapping.items()):
            f = kind.field(name)
            parse = TEXT if f.parse is reading.text else MONEY if f.parse is None else f.parse
            cells.append((index, name, parse, f.required))
        return cls(kind, tuple(cells), base)


def parse_row(plan: Plan, number: int, cells: list[Any]) -> tuple[Parsed | None, list[Any]]:
    """The row's values by field, or the (field, reason) of every cell that is wrong.

    This runs for every row of a file of millions: it strips each cell once and calls a
    parser only where there is something to parse.
    """
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    money_raw: list[tuple[str, Any]] = []
    width = len(cells)
    for index, name, parse, required in plan.cells:
        raw = cells[index] if index < width else None
        if raw.__class__ is str:
            raw = raw.strip()
            if not raw:
                raw = None
        elif raw is not None and parse is TEXT:
            raw = reading.text(raw) or None
        if raw is None:
            if required:
                problems.append((name, str(AMOUNT_REQUIRED if parse is MONEY else REQUIRED)))
            elif parse is not MONEY:
                values[name] = "" if parse is TEXT else None
        elif parse is TEXT:
            values[name] = raw
        elif parse is MONEY:
            money_raw.append((name, raw))
        else:
            try:
                values[name] = parse(raw)
            except reading.CellError as error:
                problems.append((name, str(error)))
    kind = plan.kind
    if kind.money_fields:
        currency = values.get("currency")
        if not currency:
            currency = values["currency"] = plan.base
        for name, raw in money_raw:
            try:
                values[name] = reading.parse_minor(raw, currency)
            except reading.CellError as error:
                problems.append((name, str(error)))
    if problems:
        return None, problems
    if kind.one_of and not (
        values.get("org_key") or values.get("org_tax_number") or values.get("org_name")
    ):
        return None, [(kind.one_of[-1], str(NO_ORGANIZATION))]
    return Parsed(number, values, cells), problems


REQUIRED = gettext_lazy("A value is required.")
AMOUNT_REQUIRED = gettext_lazy("An amount is required.")
NO_ORGANIZATION = gettext_lazy("The row does not name its organization.")


def run_import(
    kind: Kind,
    table: reading.Table,
    mapping: dict[int, str],
    *,
    user: User | None,
    dry_run: bool,
    good_rows_only: bool = False,
    source: str = "import",
    errors_to: TextIO | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Import a table; see the module's docstring for what is written when."""
    started = time.monotonic()
    report = Report(kind=kind.name, dry_run=dry_run, good_rows_only=good_rows_only)
    ctx = Context(user=user, source=source[:40])
    ctx.columns = {
        name: table.header[i] if i < len(table.header) else str(i + 1)
        for i, name in mapping.items()
    }
    errors = csv.writer(errors_to) if errors_to is not None else None
    if errors is not None:
        errors.writerow([_("Row"), _("Column"), _("Problem")])
    plan = Plan.make(kind, mapping, base_currency())

    def note(number: int, cells: list[Any], action: str, counted: bool = False) -> None:
        if not counted:
            report.counts[action] += 1
        samples = report.samples[action]
        if len(samples) < SAMPLE_ROWS:
            samples.append({"row": number, "cells": [reading.text(c) for c in cells]})

    def reject(number: int, cells: list[Any], problems: list[tuple[str, str]]) -> None:
        note(number, cells, "rejected")
        for name, reason in problems:
            report.problem_count += 1
            problem = Problem(number, ctx.column(name), reason)
            if len(report.problems) < KEPT_PROBLEMS:
                report.problems.append(problem)
            if errors is not None:
                errors.writerow([number, csv_safe(problem.column), csv_safe(reason)])

    counts, samples = report.counts, report.samples

    def flush(batch: list[Parsed]) -> None:
        for parsed, outcome in writer.write(batch):
            if outcome.__class__ is str:
                counts[outcome] += 1  # type: ignore[index]
                if len(samples[outcome]) < SAMPLE_ROWS:  # type: ignore[index]
                    note(parsed.number, parsed.cells, outcome, counted=True)  # type: ignore[arg-type]
            else:
                reject(parsed.number, parsed.cells, [(outcome.field, outcome.reason)])  # type: ignore[union-attr]
        if progress is not None:
            progress(report.rows)
        gc.collect(0)  # the batch's own garbage (a rejected row's exception), young only

    # A big file makes millions of short-lived objects without a single reference cycle;
    # the cyclic collector would walk the run's large indexes again and again for nothing.
    # It is off during the run; each batch sweeps only its own young objects (`flush`).
    # Only in a process of its own (the command): the switch is process-wide, and a web
    # server's other threads keep their collector.
    collecting = gc.isenabled()
    if threading.current_thread() is threading.main_thread():
        gc.disable()
    try:
        with transaction.atomic():
            with search.deferred():
                writer = writer_for(kind, ctx)
                with _totals_kept(writer, ctx, dry_run):
                    batch: list[Parsed] = []
                    try:
                        for number, cells in table.rows:
                            report.rows += 1
                            parsed, problems = parse_row(plan, number, cells)
                            if parsed is None:
                                reject(number, cells, problems)
                            else:
                                batch.append(parsed)
                            if len(batch) >= BATCH or (not batch and report.rows % BATCH == 0):
                                flush(batch)
                                batch = []
                        flush(batch)
                    except BaseException:
                        if hasattr(writer, "abandon"):
                            writer.abandon()
                        raise
                    writer.finish()
            report.written = not dry_run and (report.counts["rejected"] == 0 or good_rows_only)
            if report.written:
                for currency, since in ctx.rates_from.items():
                    # New or changed rates govern records already stored.
                    if value_services.rebase(currencies=[currency], since=since):
                        ctx.touched = None
                report.touched = ctx.touched
            if not report.written:
                transaction.set_rollback(True)
    except reading.FileRefused as error:
        report.file_error = str(error)
        report.written = False
    finally:
        if collecting:
            gc.enable()
    report.seconds = time.monotonic() - started
    return report


def _totals_kept(writer: Any, ctx: Context, dry_run: bool) -> AbstractContextManager[None]:
    """Sales and costs to serve are written with the quarterly totals' triggers aside; the
    quarters the run touched are listed as stale at its end, for the next recompute to sum
    again (none for a dry run, which is rolled back)."""
    spec = getattr(writer, "spec", None)
    if spec is None or spec.model not in (Sale, ServiceCost):
        return nullcontext()
    # The writer adds each client and date to ctx.days as it goes (the same object).
    return totals.bulk(() if dry_run else ctx.days)


def open_and_map(
    kind: Kind,
    path: Path,
    *,
    encoding: str = "",
    delimiter: str = "",
    overrides: dict[str, str] | None = None,
) -> tuple[reading.Table, dict[int, str]]:
    """Open a file and map its columns: the guesses, then `overrides` (header → field or '-')."""
    from kamrad.imports.kinds import guess_mapping

    table = reading.open_table(path, encoding=encoding, delimiter=delimiter)
    mapping = guess_mapping(kind, table.header)
    for column, name in (overrides or {}).items():
        index = _column_index(table.header, column)
        if index is None:
            raise reading.FileRefused(_("The file has no column %(name)s.") % {"name": column})
        for other, taken in list(mapping.items()):
            if taken == name:
                del mapping[other]
        if name in {"-", ""}:
            mapping.pop(index, None)
        else:
            if name not in kind.names:
                raise reading.FileRefused(
                    _("%(kind)s have no field %(name)s.") % {"kind": kind.label, "name": name}
                )
            mapping[index] = name
    return table, mapping


def _column_index(header: list[str], column: str) -> int | None:
    for i, name in enumerate(header):
        if name == column:
            return i
    folded = fold(column)
    for i, name in enumerate(header):
        if fold(name) == folded:
            return i
    if column.isdigit() and 1 <= int(column) <= len(header):
        return int(column) - 1
    return None
