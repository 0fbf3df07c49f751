"""Reads for the client-card pages: the organization list, the card, its audit history.

Each function runs a fixed number of queries whatever the number of rows behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from kamrad.clients import search
from kamrad.clients.models import (
    BankAccount,
    Contact,
    ContactPoint,
    DecisionRole,
    DossierEntry,
    Event,
    Industry,
    Organization,
    Product,
    Region,
    Relationship,
)
from kamrad.lib.text import fold
from kamrad.users import access
from kamrad.users.models import Role, User

# --- The organization list ---------------------------------------------------------------

# Every ordering ends on `id` so that pages never repeat or skip a row between requests.
SORTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (_("Name A–Z"), ("name", "id")),
    "-name": (_("Name Z–A"), ("-name", "-id")),
    "newest": (_("Newest first"), ("-created_at", "-id")),
    "oldest": (_("Oldest first"), ("created_at", "id")),
    "region": (_("Region A–Z"), (F("region__name").asc(nulls_last=True), "name", "id")),
    "-region": (_("Region Z–A"), (F("region__name").desc(nulls_last=True), "-name", "-id")),
    "industry": (_("Industry A–Z"), (F("industry__name").asc(nulls_last=True), "name", "id")),
    "-industry": (
        _("Industry Z–A"),
        (F("industry__name").desc(nulls_last=True), "-name", "-id"),
    ),
}
DEFAULT_SORT = "name"


@dataclass
class ListPage:
    organizations: list[ListRow]
    number: int
    has_next: bool
    count: int
    count_capped: bool  # True: there are more than `count` matches

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def organization_queryset(
    user: User,
    *,
    query: str = "",
    kind: str = "",
    manager: User | None = None,
    region: Any = None,
    industry: Any = None,
    private: str = "",
    sort: str = DEFAULT_SORT,
    tier: str = "",
    window: int | None = None,
) -> QuerySet[Organization]:
    """The organizations the user sees, filtered and sorted as the list asks. `window`: how
    many rows from the start the caller reads at most (`page_window`), when it knows."""
    qs = access.organizations_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if tier:  # the client pyramid's tier (kamrad.pyramid), one join
        qs = qs.filter(pyramid_value__tier=tier)
    if manager is not None and user.sees_all_clients:
        qs = qs.filter(account_manager=manager)
    if region is not None:
        qs = qs.filter(region=region)
    if industry is not None:
        qs = qs.filter(industry=industry)
    if private == "private":
        qs = qs.filter(is_private=True)
    elif private == "corporate":
        qs = qs.filter(is_private=False)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    if not query.strip():
        return qs.order_by(*SORTS[sort][1])
    matches = None
    # Every filter above must be named here: the words' own count is the page's count only
    # when nothing else narrows the list.
    narrowed = manager is not None or kind or region or industry or private or tier
    by_name = sort in ("name", "-name") and manager is None
    if user.sees_all_clients and not narrowed and by_name and window is not None:
        # PostgreSQL, one word: its count and the page's keys in one statement.
        found = search.word_page(
            query,
            limit=settings.KAMRAD_COUNT_LIMIT + 1,
            window=window,
            descending=sort == "-name",
        )
        if found is not None:
            keyed = search.in_key_order(qs, found[1], descending=sort == "-name")
            keyed.matches_counted = found[0]  # type: ignore[attr-defined]
            return keyed
    if user.sees_all_clients and not narrowed:
        # The index alone counts the matches (the page's count), and the count tells which
        # plan fits the page.
        matches = search.count_matches(query, limit=settings.KAMRAD_COUNT_LIMIT + 1)
    in_order = None
    if sort in ("name", "-name") and user.sees_all_clients and manager is None:
        # Name order read off the search index: a page however many match.
        in_order = search.name_ordered(qs, query, descending=sort == "-name", matches=matches)
    if in_order is None:
        in_order = qs.filter(search.matching(query, matches=matches)).order_by(*SORTS[sort][1])
    in_order.matches_counted = matches  # type: ignore[attr-defined]
    return in_order


class ListRow(dict):
    """One organization of the list as plain, ready-to-show values.

    A dict because that is the template engine's cheapest lookup (it tries `row[name]` before
    anything else); readable as attributes too (`row.name`), like the model it stands for.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


_LIST_COLUMNS = (
    "id",
    "name",
    "kind",
    "is_private",
    "tax_number",
    "region__name",
    "industry__name",
    "account_manager__first_name",
    "account_manager__last_name",
    "account_manager__username",
)


def page_window(page: int) -> int:
    """The rows from the start that `organization_page` reads for this page."""
    return max(page, 1) * settings.KAMRAD_PAGE_SIZE + 1


def organization_page(qs: QuerySet[Organization], *, page: int) -> ListPage:
    """One page of the list, and a count that stops at KAMRAD_COUNT_LIMIT (counting is dear).

    The rows come as plain values with every label and link worked out here once: the list
    is the most requested page, and model instances, `{% url %}` and template filters cost
    tens of microseconds each, per row.
    """
    size = settings.KAMRAD_PAGE_SIZE
    limit = settings.KAMRAD_COUNT_LIMIT
    page = max(page, 1)
    start = (page - 1) * size
    values = list(qs.values(*_LIST_COLUMNS)[start : start + size + 1])
    count = getattr(qs, "matches_counted", None)
    if count is None:
        count = qs.order_by()[: limit + 1].count()
    # get_kind_display() rebuilds a hashable copy of the choices on every call.
    labels = dict(Organization.Kind.choices)
    card_url = reverse("clients:card", args=[0]).removesuffix("0/")  # one reverse, not 50
    rows = [
        ListRow(
            pk=v["id"],
            name=v["name"],
            card_url=f"{card_url}{v['id']}/",
            kind=v["kind"],
            kind_label=labels.get(v["kind"], v["kind"]),
            is_private=v["is_private"],
            tax_number=v["tax_number"] or "—",
            region=v["region__name"] or "—",
            industry=v["industry__name"] or "—",
            account_manager=_staff_name(
                v["account_manager__first_name"] or "",
                v["account_manager__last_name"] or "",
                v["account_manager__username"] or "",
            )
            or "—",
        )
        for v in values[:size]
    ]
    return ListPage(
        organizations=rows,
        number=page,
        has_next=len(values) > size,
        count=min(count, limit),
        count_capped=count > limit,
    )


def filter_choices(*, managers: bool) -> dict[str, list[tuple[int, str]]]:
    """The managers (when wanted), regions and industries the list filters by, each in its
    model's order, as (id, label): one query rather than one per filter, and plain SQL, which
    costs a tenth of composing the same union with the ORM on every page."""
    user, region, industry = User._meta.db_table, Region._meta.db_table, Industry._meta.db_table
    sql = (
        f"SELECT 'region', id, name, '', '' FROM {region} "
        f"UNION ALL SELECT 'industry', id, name, '', '' FROM {industry} "
    )
    params: list[Any] = []
    if managers:
        sql += (
            f"UNION ALL SELECT 'manager', id, last_name, first_name, username FROM {user} "
            "WHERE role = %s AND is_active = %s "
        )
        params = [Role.MANAGER, True]
    # The order of each model's Meta.ordering: regions and industries by name, people by
    # last name, first name, username.
    sql += "ORDER BY 1, 3, 4, 5"
    choices: dict[str, list[tuple[int, str]]] = {"manager": [], "region": [], "industry": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for group, pk, a, b, c in cursor.fetchall():
            # A manager is named as User.__str__ names them: "first last", or the username.
            choices[group].append((pk, _staff_name(b, a, c) if group == "manager" else a))
    return choices


# --- Duplicate check ----------------------------------------------------------------------

# Legal forms say nothing about which company it is; matching on them finds every company.
_LEGAL_FORMS = {
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "ип",
    "нко",
    "гуп",
    "муп",
    "фгуп",
    "ltd",
    "llc",
    "inc",
    "gmbh",
    "plc",
    "corp",
    "co",
    "kft",
    "zrt",
    "bt",
}


def similar_organizations(user: User, *, name: str, tax_number: str = "", limit: int = 10) -> list:
    """Organizations of anyone whose name resembles `name` or whose tax number is the same.

    Account managers see only names and kinds of others' clients here; `visible` says whether
    the user may open the card.
    """
    terms = [
        t.strip("\"'«»().,") for t in fold(name).split() if t.strip("\"'«»().,") not in _LEGAL_FORMS
    ]
    terms = [t for t in terms if len(t) >= 3]
    condition = Q()
    for term in terms:
        condition |= search.matching(term)
    if tax_number.strip():
        condition |= Q(tax_number=tax_number.strip())
    if not condition:
        return []
    visible = access.organizations_visible_to(user).filter(pk=OuterRef("pk"))
    # The search index also holds people's names, phones, e-mails and registration numbers.
    # A client the user may not open is named only when its own name or tax number matches:
    # naming it for a person or a phone would tell who works there or whose phone it is.
    # Those dropped here are why a few more rows than `limit` are read.
    rows = (
        Organization.objects.filter(condition)
        .annotate(visible=Exists(visible))
        .only("id", "name", "legal_name", "kind", "tax_number")
        .order_by("name", "id")[: limit * 5]
    )
    tax_number = tax_number.strip()

    def resembles(org: Organization) -> bool:
        if org.visible or (tax_number and org.tax_number == tax_number):  # type: ignore[attr-defined]
            return True
        names = fold(f"{org.name} | {org.legal_name}")
        return any(term in names for term in terms)

    return [org for org in rows if resembles(org)][:limit]


# --- The card -----------------------------------------------------------------------------


def organization_for_card(user: User, pk: int, *, write: bool = False) -> Organization:
    # The pyramid's value row comes along for the tier badge in the card's header.
    return access.get_visible_or_404(
        Organization.objects.select_related(
            "industry", "region", "owner", "account_manager", "pyramid_value"
        ),
        user,
        "",
        write=write,
        pk=pk,
    )


def _staff_name(first: str, last: str, username: str) -> str:
    # The same as User.__str__, from plain values.
    return f"{first} {last}".strip() or username


def contacts_of(
    organization: Organization,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The people of an organization with everything the card shows about them, the
    who-knows-whom links among them, and the organization's own phones and e-mails — as plain
    values, three queries whatever their number.

    The card is read far more than written and shows up to hundreds of people: plain dicts
    skip model instances, and labels and links are worked out here once rather than per row
    in the template (`get_role_display()` and `{% url %}` cost tens of microseconds each).
    """
    contacts: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    edit_url = reverse("clients:contact_edit", args=[0]).removesuffix("0/edit/")
    role_labels = {key: str(label) for key, label in DecisionRole.Role.choices}
    contact_t, role_t = Contact._meta.db_table, DecisionRole._meta.db_table
    point_t, rel_t, user_t = (
        ContactPoint._meta.db_table,
        Relationship._meta.db_table,
        User._meta.db_table,
    )
    # Plain SQL: composing these three statements through the ORM cost more than running
    # them (3 of the card's 5 ms here on a person-heavy card).
    with connection.cursor() as cursor:
        # The people and their decision roles in one query: a row per role (or one for a
        # person with none), in the card's order of people, then by role. (DecisionRole's
        # default ordering would sort by contact, which joined every contact of the database
        # on PostgreSQL: the order is given here in full.)
        cursor.execute(
            f"SELECT c.id, c.full_name, c.position, c.department, c.birthday, "
            f"c.personal_notes, c.status, c.left_on, r.role "
            f"FROM {contact_t} c LEFT JOIN {role_t} r ON r.contact_id = c.id "
            f"WHERE c.organization_id = %s "
            f"ORDER BY c.left_on DESC NULLS FIRST, c.full_name, c.id, r.role, r.id",
            [organization.pk],
        )
        for (
            pk,
            full_name,
            position,
            department,
            birthday,
            notes,
            status,
            left_on,
            role,
        ) in cursor.fetchall():
            contact = by_id.get(pk)
            if contact is None:
                contact = {
                    "pk": pk,
                    "full_name": full_name,
                    "position": position,
                    "department": department,
                    "birthday": _as_date(birthday),
                    "personal_notes": notes,
                    "status": status,
                    "left_on": _as_date(left_on),
                    "edit_url": f"{edit_url}{pk}/edit/",
                    "points_list": [],
                    "roles_list": [],
                    "known_by": [],
                }
                by_id[pk] = contact
                contacts.append(contact)
            if role is not None:
                contact["roles_list"].append({"role": role, "label": role_labels.get(role, role)})
        # Everyone's phones and e-mails, the organization's own among them, in one query.
        own_points = []
        cursor.execute(
            f"SELECT id, contact_id, kind, value, label FROM {point_t} "
            f"WHERE organization_id = %s ORDER BY kind, id",
            [organization.pk],
        )
        for pk, contact_id, kind, value, label in cursor.fetchall():
            point = {
                "pk": pk,
                "contact_id": contact_id,
                "kind": kind,
                "value": value,
                "label": label,
            }
            if contact_id is None:
                own_points.append(point)
            elif contact_id in by_id:
                by_id[contact_id]["points_list"].append(point)
        relationships = []
        rel_url = reverse("clients:relationship_edit", args=[0]).removesuffix("0/edit/")
        cursor.execute(
            f"SELECT r.id, r.contact_id, r.warmth, r.last_touch, r.note, "
            f"u.first_name, u.last_name, u.username "
            f"FROM {rel_t} r JOIN {contact_t} c ON c.id = r.contact_id "
            f"JOIN {user_t} u ON u.id = r.staff_id "
            f"WHERE c.organization_id = %s ORDER BY r.warmth DESC, r.id",
            [organization.pk],
        )
        for pk, contact_id, warmth, last_touch, note, first, last, username in cursor.fetchall():
            rel = {
                "pk": pk,
                "contact_id": contact_id,
                "warmth": warmth,
                "last_touch": _as_date(last_touch),
                "note": note,
                "staff": _staff_name(first, last, username),
                "edit_url": f"{rel_url}{pk}/edit/",
                "contact": by_id[contact_id],
            }
            by_id[contact_id]["known_by"].append(rel)
            relationships.append(rel)
    relationships.sort(key=lambda r: (r["contact"]["full_name"], -r["warmth"], r["pk"]))
    return contacts, relationships, own_points


def _as_date(value: Any) -> date | None:
    """A date column's value: SQLite hands plain SQL its ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def sections_of(organization: Organization) -> dict[str, list[dict[str, Any]]]:
    """The card's bank accounts, events, dossier and products as plain values, four queries.

    Plain SQL for the reason of `contacts_of`: building these four statements through the
    ORM cost more than running them, and the card is read far more often than written.
    """
    kind_labels = {key: str(label) for key, label in Event.Kind.choices}
    org_id = [organization.pk]
    bank_t, event_t, dossier_t = (
        BankAccount._meta.db_table,
        Event._meta.db_table,
        DossierEntry._meta.db_table,
    )
    contact_t, product_t, user_t = (
        Contact._meta.db_table,
        Product._meta.db_table,
        User._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, bank_name, bic, account_number, correspondent_account, currency "
            f"FROM {bank_t} WHERE organization_id = %s ORDER BY id",
            org_id,
        )
        bank_accounts = [
            {
                "pk": pk,
                "bank_name": bank_name,
                "bic": bic,
                "account_number": number,
                "correspondent_account": correspondent,
                "currency": currency,
            }
            for pk, bank_name, bic, number, correspondent, currency in cursor.fetchall()
        ]
        cursor.execute(
            f"SELECT e.id, e.kind, e.title, e.date, e.recurs_yearly, e.notes, c.full_name "
            f"FROM {event_t} e LEFT JOIN {contact_t} c ON c.id = e.contact_id "
            f"WHERE e.organization_id = %s ORDER BY e.date DESC, e.id DESC",
            org_id,
        )
        events = [
            {
                "pk": pk,
                "kind": kind,
                "kind_label": kind_labels.get(kind, kind),
                "title": title,
                "date": _as_date(when),
                "recurs_yearly": bool(yearly),
                "notes": notes,
                "contact_name": contact_name,
            }
            for pk, kind, title, when, yearly, notes, contact_name in cursor.fetchall()
        ]
        cursor.execute(
            f"SELECT d.id, d.date, d.title, d.text, c.full_name, "
            f"u.first_name, u.last_name, u.username "
            f"FROM {dossier_t} d LEFT JOIN {contact_t} c ON c.id = d.contact_id "
            f"LEFT JOIN {user_t} u ON u.id = d.author_id "
            f"WHERE d.organization_id = %s ORDER BY d.date DESC, d.id DESC",
            org_id,
        )
        dossier = [
            {
                "pk": pk,
                "date": _as_date(when),
                "title": title,
                "text": text,
                "contact_name": contact_name,
                "author": "" if username is None else _staff_name(first, last, username),
            }
            for pk, when, title, text, contact_name, first, last, username in cursor.fetchall()
        ]
        cursor.execute(
            f"SELECT id, name, category FROM {product_t} WHERE maker_id = %s ORDER BY name, id",
            org_id,
        )
        products = [
            {"pk": pk, "name": name, "category": category}
            for pk, name, category in cursor.fetchall()
        ]
    return {
        "bank_accounts": bank_accounts,
        "events": events,
        "dossier": dossier,
        "products": products,
    }


def card(organization: Organization) -> dict[str, Any]:
    contacts, relationships, points = contacts_of(organization)
    return {
        "organization": organization,
        "points": points,
        "contacts": contacts,
        "relationships": relationships,
        **sections_of(organization),
    }


# --- Audit history ------------------------------------------------------------------------

HISTORY_PAGE = 50
_NOT_SHOWN = {"version", "created_at", "updated_at", "id"}


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class Change:
    when: datetime
    who: User | None
    what: str  # the kind of record: "Contact person", "Event"…
    subject: str  # which one: the contact's name, the event's title…
    action: str  # "+" created, "~" changed, "-" deleted
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.action]


def _history_sources(organization: Organization) -> list[tuple[type[Model], Q]]:
    contact_ids = Contact.history.filter(organization_id=organization.pk).values("id")
    return [
        (Organization, Q(id=organization.pk)),
        (Contact, Q(organization_id=organization.pk)),
        (DecisionRole, Q(contact_id__in=contact_ids)),
        (Relationship, Q(contact_id__in=contact_ids)),
        (Event, Q(organization_id=organization.pk)),
        (ContactPoint, Q(organization_id=organization.pk)),
        (BankAccount, Q(organization_id=organization.pk)),
        (DossierEntry, Q(organization_id=organization.pk)),
    ]


def _subject(model: type[Model], record: Any, contact_names: Mapping[int, str]) -> str:
    if model is Organization:
        return record.name
    if model is Contact:
        return record.full_name
    if model is DecisionRole:
        role = dict(DecisionRole.Role.choices).get(record.role, record.role)
        return f"{contact_names.get(record.contact_id, '')}: {role}"
    if model is Relationship:
        return contact_names.get(record.contact_id, "")
    if model in (Event, DossierEntry):
        return record.title or (getattr(record, "text", "") or "")[:60]
    if model is ContactPoint:
        return record.value
    if model is BankAccount:
        return f"{record.bank_name} {record.account_number}"
    return str(record.id)


def _display(model: type[Model], name: str, value: Any, names: Mapping[tuple, str]) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, date | datetime):
        return formats.localize(value)
    return str(value)


def history(organization: Organization, *, offset: int = 0, limit: int = HISTORY_PAGE) -> dict:
    """The newest changes to an organization and everything hanging off it, newest first.

    Two queries per kind of record (the records, then the ones before them to diff against)
    and one per kind of name the changes refer to.
    """
    want = offset + limit + 1
    fetched: list[tuple[type[Model], Any, Any]] = []
    for model, condition in _history_sources(organization):
        hist = model.history.model
        previous = (
            hist.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        records = list(
            hist.objects.filter(condition)
            .select_related("history_user")
            .annotate(previous_id=Subquery(previous))
            .order_by("-history_date", "-history_id")[:want]
        )
        before = hist.objects.in_bulk([r.previous_id for r in records if r.previous_id])
        fetched.extend((model, r, before.get(r.previous_id)) for r in records)
    fetched.sort(key=lambda item: (item[1].history_date, item[1].history_id), reverse=True)
    has_more = len(fetched) > offset + limit
    window = fetched[offset : offset + limit]

    contact_names = {r.id: r.full_name for model, r, _old in fetched if model is Contact} | dict(
        Contact.objects.filter(organization=organization).values_list("id", "full_name")
    )
    deltas = []
    wanted: dict[type[Model], set] = {}
    for model, record, old in window:
        changes = []
        if record.history_type == "~" and old is not None:
            excluded = [f for f in _NOT_SHOWN if hasattr(record, f)]
            changes = record.diff_against(old, excluded_fields=excluded).changes
            for change in changes:
                model_field = model._meta.get_field(change.field)
                if model_field.is_relation:
                    wanted.setdefault(model_field.related_model, set()).update(
                        v for v in (change.old, change.new) if v is not None
                    )
        deltas.append((model, record, changes))
    names: dict[tuple, str] = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)

    entries = []
    for model, record, changes in deltas:
        entries.append(
            Change(
                when=record.history_date,
                who=record.history_user,
                what=str(model._meta.verbose_name),
                subject=_subject(model, record, contact_names),
                action=record.history_type,
                fields=[
                    FieldChange(
                        field=str(model._meta.get_field(c.field).verbose_name),
                        old=_display(model, c.field, c.old, names),
                        new=_display(model, c.field, c.new, names),
                    )
                    for c in changes
                ],
            )
        )
    return {"changes": entries, "has_more": has_more, "next_offset": offset + limit}


# --- Products -----------------------------------------------------------------------------


def products(query: str = "") -> QuerySet[Product]:
    qs = Product.objects.select_related("maker").order_by("name", "id")
    if query.strip():
        qs = qs.filter(Q(name__icontains=query.strip()) | Q(category__icontains=query.strip()))
    return qs


def product_for_card(pk: int) -> Product:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Product.objects.select_related("maker").prefetch_related(
            "analogues",
            "substitutes",
            Prefetch(
                "dossier_entries",
                queryset=DossierEntry.objects.select_related("author").order_by("-date", "-id"),
            ),
        ),
        pk=pk,
    )


def visible_organization_ids(user: User, ids: list[int]) -> set[int]:
    return set(
        access.organizations_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
