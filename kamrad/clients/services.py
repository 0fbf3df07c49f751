"""Every write to the client card. Pages, the API, the CLI and imports all call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

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
from kamrad.users.models import User


class StaleEdit(Exception):
    """Someone saved this record after the editor loaded it; their change would be lost."""

    def __init__(self, current: models.Model) -> None:
        self.current = current
        super().__init__(
            _(
                "Someone else saved this record while you were editing it. "
                "Nothing was changed: reload it to see their version, then make your edit again."
            )
        )


def _stamp(obj: models.Model, user: User | None) -> None:
    # simple-history takes the author from here when there is no request (API, CLI).
    obj._history_user = user  # type: ignore[attr-defined]


def _apply[V: models.Model](obj: V, data: Mapping[str, Any]) -> V:
    m2m = {}
    for field, value in data.items():
        if isinstance(obj._meta.get_field(field), models.ManyToManyField):
            m2m[field] = value
        else:
            setattr(obj, field, value)
    # A related object handed in as a saved instance was just read or written; checking that it
    # exists costs one query per foreign key (the database's constraint still guards it).
    known = [
        field
        for field, value in data.items()
        if isinstance(value, models.Model) and value.pk is not None and field not in m2m
    ]
    obj.full_clean(exclude=known, validate_unique=False, validate_constraints=False)
    obj.validate_unique()
    obj.validate_constraints()
    obj.save()
    for field, value in m2m.items():
        getattr(obj, field).set(value)
    return obj


def _update_versioned[V: models.Model](
    model: type[V], pk: int, *, user: User | None, data: Mapping[str, Any], expected_version: int
) -> V:
    """Apply `data` to the row only if nobody saved it since `expected_version` was read."""
    obj = model.objects.select_for_update().get(pk=pk)
    if obj.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit(obj)
    if not _changes(obj, data):
        # Saving an unchanged form writes nothing: no empty audit entry, and nobody else's
        # open copy turns stale for nothing.
        return obj
    obj.version += 1  # type: ignore[attr-defined]
    _stamp(obj, user)
    return _apply(obj, data)


def _changes(obj: models.Model, data: Mapping[str, Any]) -> bool:
    for name, value in data.items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.ManyToManyField):
            if {o.pk for o in getattr(obj, name).all()} != {getattr(o, "pk", o) for o in value}:
                return True
        elif field.is_relation:
            if getattr(obj, field.attname) != getattr(value, "pk", value):
                return True
        elif field.to_python(value) != getattr(obj, field.attname):
            return True
    return False


def _create[V: models.Model](model: type[V], *, user: User | None, data: Mapping[str, Any]) -> V:
    obj = model()
    _stamp(obj, user)
    return _apply(obj, data)


# --- Reference lists -------------------------------------------------------------------


@transaction.atomic
def industry_ensure(*, user: User | None, name: str) -> Industry:
    """The industry of this name, created when missing (imports and the demo name them)."""
    found = Industry.objects.filter(name=name).first()
    return found or _create(Industry, user=user, data={"name": name})


@transaction.atomic
def region_ensure(*, user: User | None, name: str) -> Region:
    """The region of this name, created when missing."""
    found = Region.objects.filter(name=name).first()
    return found or _create(Region, user=user, data={"name": name})


# --- Organizations ----------------------------------------------------------------------


@transaction.atomic
def organization_create(*, user: User | None, data: Mapping[str, Any]) -> Organization:
    data = dict(data)
    if user is not None and user.is_manager:
        # An account manager's new client is theirs; only the head assigns clients to others.
        data["account_manager"] = user
        data.setdefault("owner", user)
    org = _create(Organization, user=user, data=data)
    search.refresh([org.pk])
    return org


@transaction.atomic
def organization_update(
    *, user: User | None, organization: Organization, data: Mapping[str, Any], expected_version: int
) -> Organization:
    data = dict(data)
    if user is not None and user.is_manager:
        data.pop("account_manager", None)
        data.pop("owner", None)
    org = _update_versioned(
        Organization, organization.pk, user=user, data=data, expected_version=expected_version
    )
    search.refresh([org.pk])
    return org


@transaction.atomic
def bank_account_add(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> BankAccount:
    return _create(BankAccount, user=user, data={**data, "organization": organization})


@transaction.atomic
def bank_account_remove(*, user: User | None, account: BankAccount) -> None:
    _stamp(account, user)
    account.delete()


@transaction.atomic
def contact_point_add(
    *,
    user: User | None,
    organization: Organization,
    contact: Contact | None = None,
    kind: str,
    value: str,
    label: str = "",
) -> ContactPoint:
    point = _create(
        ContactPoint,
        user=user,
        data={
            "organization": organization,
            "contact": contact,
            "kind": kind,
            "value": value,
            "label": label,
        },
    )
    search.refresh([organization.pk])
    return point


@transaction.atomic
def contact_point_remove(*, user: User | None, point: ContactPoint) -> None:
    org_id = point.organization_id
    _stamp(point, user)
    point.delete()
    search.refresh([org_id])


# --- Contact persons --------------------------------------------------------------------


def _set_roles(contact: Contact, roles: Iterable[str], user: User | None) -> None:
    wanted = set(roles)
    current = {r.role: r for r in contact.decision_roles.all()}
    for role, row in current.items():
        if role not in wanted:
            _stamp(row, user)
            row.delete()
    for role in sorted(wanted - current.keys()):
        _create(DecisionRole, user=user, data={"contact": contact, "role": role})


def _set_points(
    contact: Contact, kind: str, values: Iterable[str] | None, user: User | None
) -> None:
    if values is None:
        return
    wanted = [v.strip() for v in values if v.strip()]
    current = list(contact.contact_points.filter(kind=kind))
    for point in current:
        if point.value not in wanted:
            _stamp(point, user)
            point.delete()
    have = {p.value for p in current}
    for value in wanted:
        if value not in have:
            _create(
                ContactPoint,
                user=user,
                data={
                    "organization_id": contact.organization_id,
                    "contact": contact,
                    "kind": kind,
                    "value": value,
                },
            )


@transaction.atomic
def contact_create(
    *,
    user: User | None,
    organization: Organization,
    data: Mapping[str, Any],
    roles: Iterable[str] = (),
    phones: Iterable[str] | None = None,
    emails: Iterable[str] | None = None,
) -> Contact:
    contact = _create(Contact, user=user, data={**data, "organization": organization})
    _set_roles(contact, roles, user)
    _set_points(contact, ContactPoint.Kind.PHONE, phones, user)
    _set_points(contact, ContactPoint.Kind.EMAIL, emails, user)
    search.refresh([organization.pk])
    return contact


@transaction.atomic
def contact_update(
    *,
    user: User | None,
    contact: Contact,
    data: Mapping[str, Any],
    expected_version: int,
    roles: Iterable[str] | None = None,
    phones: Iterable[str] | None = None,
    emails: Iterable[str] | None = None,
) -> Contact:
    data = dict(data)
    data.pop("organization", None)  # a person moving company is a new contact record
    if data.get("status") == Contact.Status.ACTIVE:
        data["left_on"] = None
    contact = _update_versioned(
        Contact, contact.pk, user=user, data=data, expected_version=expected_version
    )
    if roles is not None:
        _set_roles(contact, roles, user)
    _set_points(contact, ContactPoint.Kind.PHONE, phones, user)
    _set_points(contact, ContactPoint.Kind.EMAIL, emails, user)
    search.refresh([contact.organization_id])
    return contact


@transaction.atomic
def decision_role_add(
    *, user: User | None, contact: Contact, role: str, note: str = ""
) -> DecisionRole:
    return _create(DecisionRole, user=user, data={"contact": contact, "role": role, "note": note})


@transaction.atomic
def decision_role_remove(*, user: User | None, decision_role: DecisionRole) -> None:
    _stamp(decision_role, user)
    decision_role.delete()


# --- Who knows whom ---------------------------------------------------------------------


@transaction.atomic
def relationship_create(*, user: User | None, data: Mapping[str, Any]) -> Relationship:
    return _create(Relationship, user=user, data=data)


@transaction.atomic
def relationship_update(
    *,
    user: User | None,
    relationship: Relationship,
    data: Mapping[str, Any],
    expected_version: int,
) -> Relationship:
    return _update_versioned(
        Relationship, relationship.pk, user=user, data=data, expected_version=expected_version
    )


@transaction.atomic
def relationship_remove(*, user: User | None, relationship: Relationship) -> None:
    _stamp(relationship, user)
    relationship.delete()


# --- Events and important dates ---------------------------------------------------------


@transaction.atomic
def event_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> Event:
    return _create(Event, user=user, data={**data, "organization": organization})


@transaction.atomic
def event_update(
    *, user: User | None, event: Event, data: Mapping[str, Any], expected_version: int
) -> Event:
    data = dict(data)
    data.pop("organization", None)
    return _update_versioned(
        Event, event.pk, user=user, data=data, expected_version=expected_version
    )


@transaction.atomic
def event_remove(*, user: User | None, event: Event) -> None:
    _stamp(event, user)
    event.delete()


# --- Dossiers and products --------------------------------------------------------------


@transaction.atomic
def dossier_add(*, user: User | None, data: Mapping[str, Any]) -> DossierEntry:
    data = dict(data)
    contact = data.get("contact")
    if contact is not None:
        data["organization"] = contact.organization
    return _create(DossierEntry, user=user, data={**data, "author": user})


@transaction.atomic
def dossier_remove(*, user: User | None, entry: DossierEntry) -> None:
    _stamp(entry, user)
    entry.delete()


@transaction.atomic
def product_create(*, user: User | None, data: Mapping[str, Any]) -> Product:
    return _create(Product, user=user, data=data)


@transaction.atomic
def product_update(
    *, user: User | None, product: Product, data: Mapping[str, Any], expected_version: int
) -> Product:
    return _update_versioned(
        Product, product.pk, user=user, data=data, expected_version=expected_version
    )
