"""The organization search index: a trigram index over one folded text per organization.

SQLite: an FTS5 table with the trigram tokenizer, kept in step with `SearchDocument` by
triggers (migration 0002). PostgreSQL: a pg_trgm GIN index on `SearchDocument.text`.
Both answer a substring query ("%term%") from the index for terms of three characters or more;
shorter terms fall back to a scan of the folded text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import F, Func, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

from kamrad.clients.models import Contact, ContactPoint, Organization, SearchDocument
from kamrad.lib.text import digits, fold, search_terms


def document_text(
    *,
    name: str,
    legal_name: str = "",
    tax_number: str = "",
    registration_number: str = "",
    contact_names: Iterable[str] = (),
    points: Iterable[str] = (),
) -> str:
    parts = [name, legal_name, tax_number, registration_number, *contact_names]
    for value in points:
        parts.append(value)
        if "@" not in value:
            parts.append(digits(value))
    return fold(" | ".join(p for p in parts if p))


# Inside `deferred()`: the organizations whose documents wait to be rebuilt.
_pending: ContextVar[set[int] | None] = ContextVar("kamrad_search_pending", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block, collect refreshes and rebuild each document once at its end.

    For bulk loads (the demo set, imports): a hundred writes to one organization then cost
    one rebuild instead of a hundred. Use it inside the transaction that does the writes.
    """
    if _pending.get() is not None:  # nested: the outermost block rebuilds
        yield
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    refresh(pending)


def refresh(organization_ids: Iterable[int]) -> None:
    """Rebuild the search text of these organizations (three queries, whatever their number)."""
    pending = _pending.get()
    if pending is not None:
        pending.update(organization_ids)
        return
    ids = sorted(set(organization_ids))
    if not ids:
        return
    names: dict[int, list[str]] = defaultdict(list)
    for org_id, full_name in Contact.objects.filter(organization_id__in=ids).values_list(
        "organization_id", "full_name"
    ):
        names[org_id].append(full_name)
    points: dict[int, list[str]] = defaultdict(list)
    for org_id, value in ContactPoint.objects.filter(organization_id__in=ids).values_list(
        "organization_id", "value"
    ):
        points[org_id].append(value)
    docs = [
        SearchDocument(
            organization_id=org["id"],
            text=document_text(
                name=org["name"],
                legal_name=org["legal_name"],
                tax_number=org["tax_number"],
                registration_number=org["registration_number"],
                contact_names=names[org["id"]],
                points=points[org["id"]],
            ),
        )
        for org in Organization.objects.filter(id__in=ids).values(
            "id", "name", "legal_name", "tax_number", "registration_number"
        )
    ]
    SearchDocument.objects.filter(organization_id__in=ids).delete()
    SearchDocument.objects.bulk_create(docs)


# A search matching at least this many organizations counts as common (see `matching`).
COMMON_MATCHES = 1000


def _is_common(match: str) -> bool:
    """Does this FTS5 query match many documents? (Stops counting at COMMON_MATCHES.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM clients_searchfts "
            "WHERE clients_searchfts MATCH %s LIMIT %s)",
            [match, COMMON_MATCHES],
        )
        return cursor.fetchone()[0] >= COMMON_MATCHES


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def matching(query: str) -> Q:
    """A filter on Organization for a search box entry (every term must match somewhere)."""
    terms = search_terms(query)
    if not terms:
        return Q()
    condition = Q()
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    if connection.vendor == "sqlite":
        if long_terms:
            match = " ".join(_fts_phrase(t) for t in long_terms)
            matches = RawSQL(
                "SELECT rowid FROM clients_searchfts WHERE clients_searchfts MATCH %s", [match]
            )
            if _is_common(match):
                # Thousands of matches: sorting them all for one page of 50 is the slow part.
                # `+id` keeps SQLite from driving the query by the list of matches, so it
                # walks the index of the page's order and stops after a page (45 -> 17 ms for
                # a word in 27,000 of 100,000 organizations).
                plus_id = Func(F("id"), template="+%(expressions)s", output_field=IntegerField())
                condition &= Q(In(plus_id, matches))
            else:
                condition &= Q(id__in=matches)
        for term in short_terms:
            condition &= Q(search_document__text__contains=term)
    else:
        for term in terms:
            condition &= Q(search_document__text__contains=term)
    return condition
