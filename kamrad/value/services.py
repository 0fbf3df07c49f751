"""Every write to the work history and the exchange rates. Pages, the API, the CLI and imports
call these; nothing else writes a money column.

Amounts come in major units as people type them ('1 234,56') under the names `amount`,
`cost`, `turnover`, `average_balance`, `exports`; an already exact integer of minor units may
come instead as `amount_minor` and so on (imports). Here, and only here, each amount is
converted to the base currency at the rate of the record's date; a rate added or changed later
recomputes the base amounts it governs (`rebase`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from kamrad.clients.models import Organization
from kamrad.clients.services import StaleEdit, _create, _stamp, _update_versioned
from kamrad.lib import money
from kamrad.users.models import User
from kamrad.value import totals
from kamrad.value.models import (
    AccountMonth,
    Claim,
    ExchangeRate,
    Payment,
    Sale,
    ServiceCost,
)
from kamrad.value.rates import MissingRate, RateBook, base_currency

__all__ = ["StaleEdit"]

# The largest amount a record holds, in minor units: a thousand billion of the major unit,
# so that no conversion can overflow a 64-bit column.
MAX_MINOR = 10**14

# Each record kind's money: the name it is typed under → (its minor column, its base column).
MONEY: dict[type[Model], dict[str, tuple[str, str]]] = {
    Sale: {"amount": ("amount_minor", "amount_base"), "cost": ("cost_minor", "cost_base")},
    Payment: {"amount": ("amount_minor", "amount_base")},
    ServiceCost: {"amount": ("amount_minor", "amount_base")},
    AccountMonth: {
        "turnover": ("turnover_minor", "turnover_base"),
        "average_balance": ("average_balance_minor", "average_balance_base"),
        "exports": ("exports_minor", "exports_base"),
    },
    Claim: {},
}
MAX_BASE = 2**63 - 1

# Kinds whose amounts may be negative: a sale returned is a negative sale.
SIGNED = {(Sale, "amount"), (Sale, "cost")}


def rate_date(model: type[Model], values: Mapping[str, Any]) -> datetime.date | None:
    """The date whose rate converts a record: a payment's when it was paid (else when due)."""
    if model is Payment:
        return values.get("paid_date") or values.get("due_date")
    if model is AccountMonth:
        return values.get("month")
    return values.get("date")


def _money(model: type[Model], data: Mapping[str, Any], current: Model | None) -> dict[str, Any]:
    """Turn typed amounts into minor and base columns; raise field errors for what is wrong."""
    spec = MONEY[model]
    out = {k: v for k, v in data.items() if k not in spec}
    if not spec:
        return out
    errors: dict[str, list[str]] = {}
    raw_currency = data.get("currency", getattr(current, "currency", ""))
    try:
        currency = money.check_currency(raw_currency)
    except money.MoneyError:
        errors["currency"] = [_("Enter a three-letter currency code, such as RUB or USD.")]
        currency = ""
    out["currency"] = currency
    minors: dict[str, int] = {}
    for name, (minor_col, _base_col) in spec.items():
        if name in data and data[name] not in (None, ""):
            if not currency:
                continue
            try:
                minors[name] = _to_minor(data[name], currency)
            except money.MoneyError:
                digits = money.exponent(currency)
                errors[name] = [
                    _("Enter an amount with at most %(digits)d decimals for %(currency)s.")
                    % {"digits": digits, "currency": currency}
                ]
                continue
        elif minor_col in data:
            minors[name] = int(data[minor_col])
        elif current is not None:
            minors[name] = getattr(current, minor_col)
        elif name == "amount":
            errors[name] = [_("This field is required.")]
            continue
        else:
            minors[name] = 0
        value = minors[name]
        if abs(value) >= MAX_MINOR:
            errors[name] = [_("This amount is too large.")]
        elif value < 0 and (model, name) not in SIGNED:
            errors[name] = [_("The amount cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    when = rate_date(model, {**_dates(current), **data})
    book = RateBook(_rates_for(currency, when)) if when else None
    for name, (minor_col, base_col) in spec.items():
        out.pop(minor_col, None)
        out[minor_col] = minors[name]
        if when is None or book is None:
            continue  # the model's own validation reports the missing date
        try:
            out[base_col] = book.to_base(minors[name], currency, when)
        except MissingRate as missing:
            raise ValidationError({"currency": [str(missing)]}) from None
        if abs(out[base_col]) >= MAX_BASE:
            raise ValidationError({name: [_("This amount is too large.")]})
    return out


def _to_minor(text: Any, currency: str) -> int:
    value = money.parse_decimal(text)
    if value.adjusted() > 15:
        # Refused before it becomes an integer: '1e999999999' would take all memory.
        return MAX_MINOR
    return money.to_minor(value, currency)


def _dates(current: Model | None) -> dict[str, Any]:
    if current is None:
        return {}
    names = ("date", "due_date", "paid_date", "month")
    return {n: getattr(current, n) for n in names if hasattr(current, n)}


def _rates_for(currency: str, when: datetime.date) -> list[tuple[str, datetime.date, int]]:
    """The one rate that converts `currency` on `when` (a RateBook of one row)."""
    if currency == base_currency():
        return []
    row = (
        ExchangeRate.objects.filter(currency=currency, date__lte=when)
        .order_by("-date")
        .values_list("currency", "date", "rate_scaled")
        .first()
    )
    return [row] if row else []


DATE_FIELDS = ("date", "due_date", "paid_date", "month", "resolved_on")


def _prepare(model: type[Model], data: Mapping[str, Any], current: Model | None) -> dict[str, Any]:
    data = dict(data)
    for name in DATE_FIELDS:
        if isinstance(data.get(name), str):
            # Dates may come as text ('2024-02-01'), as imports and scripts write them.
            try:
                data[name] = model._meta.get_field(name).to_python(data[name])
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
    if model is Sale:
        product = data.get("product")
        if product is not None and not data.get("product_line"):
            # A sale counts towards its product's line unless told otherwise.
            data["product_line"] = product.category
    if model is AccountMonth and data.get("month"):
        data["month"] = data["month"].replace(day=1)
    if current is None:
        data.setdefault("source", "manual")
    return _money(model, data, current)


# --- Records ------------------------------------------------------------------------------


@transaction.atomic
def record_create[R: Model](
    model: type[R], *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> R:
    """Add a dated record of `model` (Sale, Payment, Claim, ServiceCost, AccountMonth)."""
    prepared = _prepare(model, data, None)
    return _create(model, user=user, data={**prepared, "organization": organization})


@transaction.atomic
def record_update[R: Model](
    record: R, *, user: User | None, data: Mapping[str, Any], expected_version: int
) -> R:
    """Change a record only if nobody saved it since `expected_version` was read."""
    model = type(record)
    data = {k: v for k, v in data.items() if k != "organization"}
    prepared = _prepare(model, data, record)
    return _update_versioned(
        model, record.pk, user=user, data=prepared, expected_version=expected_version
    )


@transaction.atomic
def record_delete(record: Model, *, user: User | None) -> None:
    _stamp(record, user)
    record.delete()


def sale_create(*, user: User | None, organization: Organization, data: Mapping[str, Any]) -> Sale:
    return record_create(Sale, user=user, organization=organization, data=data)


def sale_update(
    *, user: User | None, sale: Sale, data: Mapping[str, Any], expected_version: int
) -> Sale:
    return record_update(sale, user=user, data=data, expected_version=expected_version)


def sale_delete(*, user: User | None, sale: Sale) -> None:
    record_delete(sale, user=user)


def payment_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> Payment:
    return record_create(Payment, user=user, organization=organization, data=data)


def payment_update(
    *, user: User | None, payment: Payment, data: Mapping[str, Any], expected_version: int
) -> Payment:
    return record_update(payment, user=user, data=data, expected_version=expected_version)


def payment_delete(*, user: User | None, payment: Payment) -> None:
    record_delete(payment, user=user)


def claim_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> Claim:
    return record_create(Claim, user=user, organization=organization, data=data)


def claim_update(
    *, user: User | None, claim: Claim, data: Mapping[str, Any], expected_version: int
) -> Claim:
    return record_update(claim, user=user, data=data, expected_version=expected_version)


def claim_delete(*, user: User | None, claim: Claim) -> None:
    record_delete(claim, user=user)


def service_cost_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> ServiceCost:
    return record_create(ServiceCost, user=user, organization=organization, data=data)


def service_cost_update(
    *, user: User | None, cost: ServiceCost, data: Mapping[str, Any], expected_version: int
) -> ServiceCost:
    return record_update(cost, user=user, data=data, expected_version=expected_version)


def service_cost_delete(*, user: User | None, cost: ServiceCost) -> None:
    record_delete(cost, user=user)


def account_month_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> AccountMonth:
    return record_create(AccountMonth, user=user, organization=organization, data=data)


def account_month_update(
    *, user: User | None, month: AccountMonth, data: Mapping[str, Any], expected_version: int
) -> AccountMonth:
    return record_update(month, user=user, data=data, expected_version=expected_version)


def account_month_delete(*, user: User | None, month: AccountMonth) -> None:
    record_delete(month, user=user)


# --- Exchange rates -----------------------------------------------------------------------


def _rate_values(currency: str, rate: Any) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    try:
        code = money.check_currency(currency)
    except money.MoneyError:
        errors["currency"] = [_("Enter a three-letter currency code, such as RUB or USD.")]
        code = ""
    if code and code == base_currency():
        errors["currency"] = [
            _("%(currency)s is the base currency: its rate is always 1.") % {"currency": code}
        ]
    scaled = 0
    try:
        value = money.parse_decimal(rate)
        scaled = money.rate_to_scaled(value) if value.adjusted() < 12 else 2**62
    except (money.MoneyError, ArithmeticError):
        errors["rate"] = [_("Enter a positive number: base units for one unit of the currency.")]
    else:
        if scaled >= 2**62:
            errors["rate"] = [_("This rate is too large.")]
        elif scaled < 1:
            errors["rate"] = [_("This rate is too small.")]
    if errors:
        raise ValidationError(errors)
    return code, scaled


@transaction.atomic
def rate_set(
    *, user: User | None, currency: str, date: datetime.date, rate: Any
) -> tuple[ExchangeRate, int]:
    """Set the rate of `currency` from `date` on (adding or replacing that day's rate) and
    recompute the base amounts of the records it governs. Returns the rate and how many
    records changed."""
    code, scaled = _rate_values(currency, rate)
    found = ExchangeRate.objects.select_for_update().filter(currency=code, date=date).first()
    if found is not None and found.rate_scaled == scaled:
        return found, 0
    obj = found or ExchangeRate(currency=code, date=date)
    obj.rate_scaled = scaled
    _stamp(obj, user)
    obj.full_clean(validate_unique=False)
    obj.save()
    return obj, rebase(currencies=[code], since=date)


@transaction.atomic
def rate_update(
    *,
    user: User | None,
    rate: ExchangeRate,
    data: Mapping[str, Any],
) -> tuple[ExchangeRate, int]:
    """Change a rate's currency, date or value; the records of both the old and the new
    place are recomputed."""
    old_currency, old_date = rate.currency, rate.date
    code, scaled = _rate_values(data.get("currency", rate.currency), data.get("rate", rate.rate))
    new_date = data.get("date", rate.date)
    obj = ExchangeRate.objects.select_for_update().get(pk=rate.pk)
    if (obj.currency, obj.date, obj.rate_scaled) == (code, new_date, scaled):
        return obj, 0
    obj.currency, obj.date, obj.rate_scaled = code, new_date, scaled
    _stamp(obj, user)
    obj.full_clean()
    obj.save()
    changed = rebase(currencies=[code], since=new_date)
    changed += rebase(currencies=[old_currency], since=old_date)
    return obj, changed


@transaction.atomic
def rate_delete(*, user: User | None, rate: ExchangeRate) -> int:
    """Remove a rate; the records it governed take the rate before it. Refused (a field
    error) when some record would be left with no rate at all."""
    currency, since = rate.currency, rate.date
    _stamp(rate, user)
    rate.delete()
    return rebase(currencies=[currency], since=since)


def _date_filter(model: type[Model], since: datetime.date) -> Q:
    if model is Payment:
        return Q(paid_date__gte=since) | Q(paid_date__isnull=True, due_date__gte=since)
    if model is AccountMonth:
        return Q(month__gte=since.replace(day=1))
    return Q(date__gte=since)


def rebase(
    *,
    currencies: Iterable[str] | None = None,
    since: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 2000,
) -> int:
    """Recompute the base amounts of every record (of these currencies, dated on or after
    `since`) from the rates now known; write only the rows that change. Returns how many
    changed. A record left with no rate raises ValidationError naming its currency and date,
    and, run inside a transaction, nothing is written."""
    book = RateBook()
    base = base_currency()
    wanted = [c for c in currencies if c != base] if currencies is not None else None
    if wanted == []:
        return 0
    changed = 0
    with transaction.atomic():
        for model, spec in MONEY.items():
            if not spec:
                continue
            # A full rebase reads base-currency rows too (after the base itself was changed).
            qs = (
                model.objects.all() if wanted is None else model.objects.filter(currency__in=wanted)
            )
            if since is not None:
                qs = qs.filter(_date_filter(model, since))
            columns = [c for pair in spec.values() for c in pair]
            dates = {"due_date", "paid_date"} if model is Payment else {_date_name(model)}
            rows = qs.only("id", "organization_id", "currency", *dates, *columns).order_by("pk")
            # Sales and costs to serve: their clients' quarterly totals are summed once at
            # the end, not upserted per row.
            touched: set[tuple[int, datetime.date]] = set()
            keeps_totals = model in (Sale, ServiceCost)
            with totals.bulk(touched) if keeps_totals else nullcontext():
                pending: list[Model] = []
                base_cols = [b for _m, b in spec.values()]
                for row in rows.iterator(chunk_size=batch):
                    when = rate_date(model, {d: getattr(row, d) for d in dates})
                    dirty = False
                    for minor_col, base_col in spec.values():
                        try:
                            value = book.to_base(getattr(row, minor_col), row.currency, when)
                        except MissingRate as missing:
                            raise ValidationError({"currency": [str(missing)]}) from None
                        if value != getattr(row, base_col):
                            setattr(row, base_col, value)
                            dirty = True
                    if dirty:
                        pending.append(row)
                        if keeps_totals:
                            touched.add((row.organization_id, row.date))
                    if len(pending) >= batch:
                        model.objects.bulk_update(pending, base_cols)
                        changed += len(pending)
                        if progress:
                            progress(len(pending))
                        pending = []
                if pending:
                    model.objects.bulk_update(pending, base_cols)
                    changed += len(pending)
                    if progress:
                        progress(len(pending))
    return changed


def _date_name(model: type[Model]) -> str:
    return "month" if model is AccountMonth else "date"


def records_bulk_add[R: Model](
    model: type[R], records: list[R], *, book: RateBook | None = None, batch: int = 2000
) -> int:
    """Write many new records at once (the demo, large imports): each record's minor amounts
    are converted to base here, at the rate of its date, then inserted in batches without
    per-row audit entries. Raises ValidationError naming the currency and date when a rate
    is missing, before anything is written."""
    book = book or RateBook()
    spec = MONEY[model]
    for record in records:
        if not spec:
            break
        when = rate_date(model, _dates(record))
        for minor_col, base_col in spec.values():
            try:
                value = book.to_base(getattr(record, minor_col), record.currency, when)
            except MissingRate as missing:
                raise ValidationError({"currency": [str(missing)]}) from None
            setattr(record, base_col, value)
    with transaction.atomic():
        if model in (Sale, ServiceCost):
            # The quarterly totals: summed once for these clients, not upserted per row.
            with totals.bulk({(record.organization_id, record.date) for record in records}):
                model.objects.bulk_create(records, batch_size=batch)
        else:
            model.objects.bulk_create(records, batch_size=batch)
    return len(records)
