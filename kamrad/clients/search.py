"""The organization search index: a trigram index over one folded text per organization.

SQLite: an FTS5 table with the trigram tokenizer, kept in step with `SearchDocument` by
triggers (migrations 0003, 0004). PostgreSQL: a pg_trgm GIN index on `SearchDocument.text`.
Both answer a substring query ("%term%") from the index for terms of three characters or more;
shorter terms fall back to a scan of the folded text.

Each document also carries its organization's place in name order (`sort_key`, with gaps so a
new name fits between its neighbours). On SQLite the FTS5 table uses that key as its rowid:
FTS5 returns matches in rowid order, so the first page of matches *by name* — even for a word
in tens of thousands of names — is read straight off the index and the walk stops after a page.
On PostgreSQL the page is ordered by the same key. A one-word search reads its count and page
off a word index — each distinct word of the documents with its documents by that key
(migration 0006, `word_page`); other searches take the trigram index (`_walk_or_gin`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
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
    """Rebuild the search documents of these organizations, each at its place in name order."""
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
    orgs = list(
        Organization.objects.filter(id__in=ids)
        .order_by("name", "id")
        .values("id", "name", "legal_name", "tax_number", "registration_number")
    )
    SearchDocument.objects.filter(organization_id__in=ids).delete()
    for org in orgs:
        key = _free_key(org["name"], org["id"])
        if key is None:  # no room left between the neighbours: space every key out again
            reindex_all()
            key = _free_key(org["name"], org["id"])
        SearchDocument.objects.create(
            organization_id=org["id"],
            sort_key=key,
            text=document_text(
                name=org["name"],
                legal_name=org["legal_name"],
                tax_number=org["tax_number"],
                registration_number=org["registration_number"],
                contact_names=names[org["id"]],
                points=points[org["id"]],
            ),
        )


# --- Name order -----------------------------------------------------------------------------

# The space between neighbouring keys when they are (re)numbered: 32 halvings before two names
# inserted at the same spot run out of room and everything is spaced out again.
SORT_GAP = 1 << 32

_FTS_TRIGGERS = {
    "clients_searchdocument_ai": (
        "CREATE TRIGGER clients_searchdocument_ai AFTER INSERT ON clients_searchdocument BEGIN "
        "INSERT INTO clients_searchfts(rowid, text) VALUES (new.sort_key, new.text); END"
    ),
    "clients_searchdocument_ad": (
        "CREATE TRIGGER clients_searchdocument_ad AFTER DELETE ON clients_searchdocument BEGIN "
        "INSERT INTO clients_searchfts(clients_searchfts, rowid, text) "
        "VALUES ('delete', old.sort_key, old.text); END"
    ),
    "clients_searchdocument_au": (
        "CREATE TRIGGER clients_searchdocument_au AFTER UPDATE ON clients_searchdocument BEGIN "
        "INSERT INTO clients_searchfts(clients_searchfts, rowid, text) "
        "VALUES ('delete', old.sort_key, old.text); "
        "INSERT INTO clients_searchfts(rowid, text) VALUES (new.sort_key, new.text); END"
    ),
}


def _neighbour_key(name: str, org_id: int, *, before: bool) -> int | None:
    """The sort key of the organization right before (or after) this one in name order."""
    docs = Organization.objects.filter(search_document__sort_key__isnull=False)
    # Two index range lookups rather than one OR, which no index answers.
    if before:
        candidates = (
            docs.filter(name=name, id__lt=org_id).order_by("-id"),
            docs.filter(name__lt=name).order_by("-name", "-id"),
        )
    else:
        candidates = (
            docs.filter(name=name, id__gt=org_id).order_by("id"),
            docs.filter(name__gt=name).order_by("name", "id"),
        )
    for candidate in candidates:
        key = candidate.values_list("search_document__sort_key", flat=True).first()
        if key is not None:
            return key
    return None


def _free_key(name: str, org_id: int) -> int | None:
    low = _neighbour_key(name, org_id, before=True)
    high = _neighbour_key(name, org_id, before=False)
    low = 0 if low is None else low
    high = low + 2 * SORT_GAP if high is None else high
    return (low + high) // 2 if high - low >= 2 else None


@contextmanager
def bulk_load() -> Iterator[None]:
    """For loaders that write search documents in raw SQL, inside their transaction.

    Within the block the FTS5 triggers are lifted (row by row, FTS5 writes a segment per
    statement), and on PostgreSQL the word index's trigger stands aside; at its end every
    document gets its place in name order and the FTS5 index (SQLite) or the word index
    (PostgreSQL) is rebuilt in one pass. Documents written inside may leave `sort_key` empty.
    """
    lifted = _lift_fts_triggers()
    words = connection.vendor == "postgresql"
    if words:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('kamrad.search_bulk', 'on', true)")
    yield
    _number_all()
    _restore_fts_triggers(lifted)
    if words:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('kamrad.search_bulk', 'off', true)")
            rebuild_words(cursor)


# PostgreSQL's word index (migration 0006): every word of three characters or more between
# spaces, and each document's words by its place in name order.
_REBUILD_WORDS = [
    "DELETE FROM clients_searchposting",
    "INSERT INTO clients_searchword (word) "
    "SELECT DISTINCT w FROM clients_searchdocument AS d, "
    "unnest(string_to_array(d.text, ' ')) AS w WHERE length(w) >= 3 "
    "ON CONFLICT (md5(word)) DO NOTHING",
    "INSERT INTO clients_searchposting (word_id, sort_key, organization_id) "
    "SELECT DISTINCT sw.id, d.sort_key, d.organization_id "
    "FROM clients_searchdocument AS d "
    "CROSS JOIN LATERAL unnest(string_to_array(d.text, ' ')) AS w "
    "JOIN clients_searchword AS sw ON md5(sw.word) = md5(w) "
    "WHERE length(w) >= 3 AND d.sort_key IS NOT NULL",
    "ANALYZE clients_searchword",
    "ANALYZE clients_searchposting",
]


def rebuild_words(cursor: Any) -> None:
    """PostgreSQL: the word index again from every search document (its postings replaced,
    new words added; a word no document holds any more stays, pointing nowhere)."""
    for sql in _REBUILD_WORDS:
        cursor.execute(sql)


def reindex_all() -> None:
    """Space every sort key out again and rebuild the FTS5 index to match (rare: when two
    neighbours have no room left between them)."""
    with bulk_load():
        pass


def _lift_fts_triggers() -> bool:
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        for name in _FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    return True


def _restore_fts_triggers(lifted: bool) -> None:
    if not lifted:
        return
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO clients_searchfts(clients_searchfts) VALUES ('rebuild')")
        for sql in _FTS_TRIGGERS.values():
            cursor.execute(sql)


def _number_all() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_searchdocument AS d SET sort_key = r.k FROM ("
            "SELECT id, row_number() OVER (ORDER BY name, id) * %s AS k "
            "FROM clients_organization) AS r WHERE r.id = d.organization_id",
            [SORT_GAP],
        )


def count_matches(query: str, *, limit: int) -> int:
    """How many organizations match, counting at most `limit`, from the search index alone."""
    terms = search_terms(query)
    if not terms:
        return Organization.objects.all()[:limit].count()
    if connection.vendor == "sqlite" and all(len(t) >= 3 for t in terms):
        match = " ".join(_fts_phrase(t) for t in terms)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT rowid FROM clients_searchfts "
                "WHERE clients_searchfts MATCH %s LIMIT %s)",
                [match, limit],
            )
            return cursor.fetchone()[0]
    docs = SearchDocument.objects.all()
    for term in terms:
        docs = docs.filter(text__contains=term)
    return docs[:limit].count()


# PostgreSQL's word index answers a term found in at most this many distinct words (a few
# digits can be part of thousands of phone numbers: the trigram index answers those).
WORDS_LIMIT = 64

# In one statement: the words containing the term; each one's first documents in name order,
# read from the (word, key) index alone; how many documents that makes (capped); and the
# first `window` keys of them.
_WORD_PAGE = (
    "WITH w AS (SELECT id FROM clients_searchword WHERE word LIKE %s LIMIT {words}), "
    "p AS (SELECT p.sort_key FROM w CROSS JOIN LATERAL ("
    "SELECT sort_key FROM clients_searchposting WHERE word_id = w.id "
    "ORDER BY sort_key{order} LIMIT %s) AS p WHERE (SELECT count(*) FROM w) <= {limit}) "
    "SELECT (SELECT count(*) FROM w), (SELECT count(DISTINCT sort_key) FROM p), "
    "ARRAY(SELECT DISTINCT sort_key FROM p ORDER BY 1{order} LIMIT %s)"
)


def word_page(
    query: str, *, limit: int, window: int, descending: bool = False
) -> tuple[int, list[int]] | None:
    """PostgreSQL: how many organizations a one-word search matches (at most `limit`) and the
    sort keys of the first `window` of them in name order, from the word index (migration
    0006). None when the word index cannot answer: on SQLite, for several words, for a term
    under three characters, or for one inside more than WORDS_LIMIT words.

    A term never holds a space, so it is in a document exactly when it is inside one of the
    document's words; each word's first max(limit, window) documents hold the first `window`
    of them all and enough to count up to `limit`.
    """
    terms = search_terms(query)
    if connection.vendor != "postgresql" or len(terms) != 1 or len(terms[0]) < 3:
        return None
    term = terms[0]
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    order = " DESC" if descending else ""
    sql = _WORD_PAGE.format(words=WORDS_LIMIT + 1, limit=WORDS_LIMIT, order=order)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pattern, max(limit, window), window])
        words, count, keys = cursor.fetchone()
    if words > WORDS_LIMIT:
        return None
    return min(count, limit), list(keys)


def in_key_order(
    queryset: QuerySet[Organization], keys: list[int], *, descending: bool = False
) -> QuerySet[Organization]:
    """The organizations of these search-document keys, in name order."""
    key = "search_document__sort_key"
    order = (f"-{key}", "-id") if descending else (key, "id")
    return queryset.filter(**{f"{key}__in": keys}).order_by(*order)


def name_ordered(
    queryset: QuerySet[Organization],
    query: str,
    *,
    descending: bool = False,
    matches: int | None = None,
) -> QuerySet[Organization] | None:
    """The organizations matching `query`, in name order read off the search documents.

    SQLite: straight from the FTS5 index (its rowid is the place in name order), for terms the
    trigram index answers. PostgreSQL: by the documents' `sort_key` (see `_walk_or_gin`).
    None otherwise: the caller then filters with `matching` and sorts. Either way the page
    stops after its rows however many match. `matches`: how many organizations the words
    alone match (`count_matches`), when nothing else narrows the list.
    """
    terms = search_terms(query)
    if not terms:
        return None
    if connection.vendor != "sqlite":
        return _walk_or_gin(queryset, terms, descending=descending, matches=matches)
    if any(len(t) < 3 for t in terms):
        return None
    match = " ".join(_fts_phrase(t) for t in terms)
    order = "clients_searchfts.rowid"
    return queryset.filter(search_document__isnull=False).extra(
        tables=["clients_searchfts"],
        where=[
            "clients_searchfts.rowid = clients_searchdocument.sort_key",
            "clients_searchfts MATCH %s",
        ],
        params=[match],
        order_by=[f"-{order}" if descending else order],
    )


# A search matching at least this many organizations counts as common (see `matching`).
COMMON_MATCHES = 1000


def _walk_or_gin(
    queryset: QuerySet[Organization],
    terms: list[str],
    *,
    descending: bool,
    matches: int | None,
) -> QuerySet[Organization]:
    """PostgreSQL: matches in name order, by the documents' sort key.

    (When nothing but one word narrows the list, `word_page` answers before this.)

    pg_trgm's GIN index finds matches but cannot return them in any order: for a word in
    27,000 of 100,000 names, fetching and sorting them all costs ~40 ms. Ordered by the
    documents' own `sort_key` there is a second plan: walk the sort-key index, test each
    document and stop after a page (~7 ms for that word). Which plan fits depends on how
    many match:
    - common (the count reached COMMON_MATCHES): `strpos`, which no index answers, so the
      walk is certain; it also tests a text faster than `LIKE` (7 vs 9 ms for that word);
    - otherwise `LIKE '%term%'`, and the planner chooses: the GIN index and a sort of the few
      matches for a rare word (<1 ms), the walk when it expects many.
    """
    key = "search_document__sort_key"
    order = (f"-{key}", "-id") if descending else (key, "id")
    docs = queryset.filter(search_document__sort_key__isnull=False)
    if matches is not None and matches >= COMMON_MATCHES:
        for i, term in enumerate(terms):
            position = StrIndex("search_document__text", Value(term))
            docs = docs.alias(**{f"_at{i}": position}).filter(**{f"_at{i}__gt": 0})
    else:
        for term in terms:
            docs = docs.filter(search_document__text__contains=term)
    return docs.order_by(*order)


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


def matching(query: str, *, matches: int | None = None) -> Q:
    """A filter on Organization for a search box entry (every term must match somewhere).

    `matches`: how many organizations the words match (`count_matches`), when already known.
    """
    terms = search_terms(query)
    if not terms:
        return Q()
    condition = Q()
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    if connection.vendor == "sqlite":
        if long_terms:
            match = " ".join(_fts_phrase(t) for t in long_terms)
            # The FTS5 rowid is the document's place in name order; map it to the organization.
            found = RawSQL(
                "SELECT d.organization_id FROM clients_searchfts "
                "JOIN clients_searchdocument d ON d.sort_key = clients_searchfts.rowid "
                "WHERE clients_searchfts MATCH %s",
                [match],
            )
            # Counted already (the same words), and the count decides unless it was capped
            # below COMMON_MATCHES (a KAMRAD_COUNT_LIMIT under it).
            if (
                matches is not None
                and not short_terms
                and (matches >= COMMON_MATCHES or matches <= settings.KAMRAD_COUNT_LIMIT)
            ):
                common = matches >= COMMON_MATCHES
            else:
                common = _is_common(match)
            if common:
                # Thousands of matches: sorting them all for one page of 50 is the slow part.
                # `+id` keeps SQLite from driving the query by the list of matches, so it
                # walks the index of the page's order and stops after a page (45 -> 17 ms for
                # a word in 27,000 of 100,000 organizations).
                plus_id = Func(F("id"), template="+%(expressions)s", output_field=IntegerField())
                condition &= Q(In(plus_id, found))
            else:
                condition &= Q(id__in=found)
        for term in short_terms:
            condition &= Q(search_document__text__contains=term)
    else:
        for term in terms:
            condition &= Q(search_document__text__contains=term)
    return condition
