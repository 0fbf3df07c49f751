"""What can be imported: each kind's fields, their parsers and header synonyms, and its key.

The key decides what a row updates on re-import (docs/architecture.md, "Import"):

| kind | key |
|---|---|
| organizations | its external key when given, else its tax number, else its exact name |
| contacts | its external key when given, else its organization and exact full name |
| sales, payments, claims, service costs | the organization and the external key when given, |
|   | else a natural key: the organization, date and amount (see each kind's `key`) |
| account months | the organization, month and currency |
| exchange rates | the currency and date |

Rows of the work history name their organization by its external key, tax number or exact
name (any one of them; tried in that order).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kamrad.imports import reading
from kamrad.lib.text import fold


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    parse: Callable[[Any], Any] | None = reading.text  # None: money, parsed with the currency
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str | Promise = ""


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    fields: tuple[Field, ...]
    key: str | Promise
    # Fields of which at least one must be mapped (naming the organization).
    one_of: tuple[str, ...] = ()
    money_fields: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split("|") if w.strip())


ORG_REF = (
    Field(
        "org_key",
        _("Organization's external key"),
        synonyms=_words(
            "код клиента|код контрагента|код организации|ид клиента|client id|client key|"
            "client code|customer id|customer code|organization key|organization id|org id"
        ),
    ),
    Field(
        "org_tax_number",
        _("Organization's tax number"),
        synonyms=_words(
            "инн|инн клиента|инн контрагента|инн организации|инн покупателя|tax id|tax number|"
            "inn|vat|vat number|client tax id|customer tax id"
        ),
    ),
    Field(
        "org_name",
        _("Organization's name"),
        synonyms=_words(
            "клиент|контрагент|организация|покупатель|заказчик|наименование клиента|"
            "наименование контрагента|наименование организации|client|customer|organization|"
            "organisation|company|client name|customer name|company name"
        ),
    ),
)
ORG_ONE_OF = ("org_key", "org_tax_number", "org_name")

EXTERNAL_ID = Field(
    "external_id",
    _("External key"),
    synonyms=_words(
        "номер документа|номер|документ|номер счета|счет|код|ид|внешний код|external id|"
        "external key|id|number|document|document number|invoice|invoice number|key"
    ),
    help=_("A key from the system the row came from; re-importing finds the row by it."),
)
CURRENCY = Field(
    "currency",
    _("Currency"),
    parse=reading.parse_currency,
    synonyms=_words("валюта|код валюты|currency|currency code|cur|ccy"),
    help=_("Three letters (RUB, USD); the base currency when absent."),
)


def _date(name: str, label: Any, synonyms: str, required: bool = True) -> Field:
    return Field(name, label, reading.parse_date, required, _words(synonyms))


def _amount(name: str, label: Any, synonyms: str, required: bool = True) -> Field:
    return Field(name, label, None, required, _words(synonyms))


ORGANIZATIONS = Kind(
    "organizations",
    _("Organizations"),
    (
        Field(
            "name",
            _("Name"),
            required=True,
            synonyms=_words(
                "наименование|название|краткое наименование|организация|клиент|контрагент|"
                "name|short name|organization|company|client|customer"
            ),
        ),
        Field(
            "legal_name",
            _("Legal name"),
            synonyms=_words(
                "полное наименование|юридическое наименование|юр наименование|legal name|"
                "full name|registered name"
            ),
        ),
        Field(
            "external_key",
            _("External key"),
            synonyms=_words(
                "код|код клиента|внешний код|ид|код контрагента|external id|external key|id|"
                "key|code|client id|customer id"
            ),
            help=_("A key from the system the row came from; re-importing finds the row by it."),
        ),
        Field(
            "tax_number",
            _("Tax number"),
            synonyms=_words("инн|tax id|tax number|inn|vat|vat number"),
        ),
        Field(
            "registration_number",
            _("Registration number"),
            synonyms=_words("огрн|огрнип|регистрационный номер|registration number|reg number"),
        ),
        Field(
            "kind",
            _("Kind"),
            synonyms=_words("вид|тип|тип клиента|вид контрагента|kind|type"),
            help=_("Client, prospect, competitor, partner, supplier or intermediary."),
        ),
        Field(
            "is_private",
            _("Private person"),
            parse=reading.parse_bool,
            synonyms=_words("частное лицо|физлицо|физ лицо|private|private person"),
        ),
        Field("industry", _("Industry"), synonyms=_words("отрасль|industry|sector")),
        Field("region", _("Region"), synonyms=_words("регион|город|region|city")),
        Field(
            "legal_address",
            _("Legal address"),
            synonyms=_words("юридический адрес|юр адрес|адрес|legal address|address"),
        ),
        Field(
            "postal_address",
            _("Postal address"),
            synonyms=_words("почтовый адрес|фактический адрес|postal address|mailing address"),
        ),
        Field("website", _("Web site"), synonyms=_words("сайт|веб сайт|website|web site|url")),
        Field(
            "account_manager",
            _("Account manager"),
            synonyms=_words("менеджер|ответственный|account manager|manager"),
            help=_("The user name of a Kamrad user."),
        ),
        Field("notes", _("Notes"), synonyms=_words("примечание|заметки|комментарий|notes|note")),
    ),
    _("its external key when given, else its tax number, else its exact name"),
)

CONTACTS = Kind(
    "contacts",
    _("Contact persons"),
    (
        *ORG_REF,
        Field(
            "full_name",
            _("Full name"),
            required=True,
            synonyms=_words(
                "фио|ф и о|контактное лицо|сотрудник|имя|full name|name|contact|person"
            ),
        ),
        Field(
            "external_key",
            _("External key"),
            synonyms=_words("код контакта|ид контакта|код|contact id|external id|id|key"),
            help=_("A key from the system the row came from; re-importing finds the row by it."),
        ),
        Field("position", _("Position"), synonyms=_words("должность|position|title|job title")),
        Field("department", _("Department"), synonyms=_words("отдел|подразделение|department")),
        _date("birthday", _("Birthday"), "день рождения|дата рождения|birthday|birth date", False),
        Field(
            "phones",
            _("Phones"),
            parse=reading.split_list,
            synonyms=_words("телефон|телефоны|мобильный|phone|phones|mobile|tel"),
            help=_("Several separated by commas or semicolons."),
        ),
        Field(
            "emails",
            _("E-mails"),
            parse=reading.split_list,
            synonyms=_words("email|e mail|e mails|эл почта|электронная почта|почта|emails|mail"),
            help=_("Several separated by commas or semicolons."),
        ),
        Field(
            "roles",
            _("Decision roles"),
            parse=reading.split_list,
            synonyms=_words("роль|роли|роль в решении|decision role|roles|role"),
            help=_("Prepares, decides, approves budget, signs, influences, uses, gatekeeper."),
        ),
        Field(
            "personal_notes",
            _("Personal notes"),
            synonyms=_words("заметки|примечание|комментарий|notes|personal notes"),
        ),
    ),
    _("its external key when given, else its organization and exact full name"),
    one_of=ORG_ONE_OF,
)

SALES = Kind(
    "sales",
    _("Sales"),
    (
        *ORG_REF,
        _date("date", _("Date"), "дата|дата продажи|дата документа|дата реализации|date|sale date"),
        _amount(
            "amount",
            _("Amount"),
            "сумма|сумма продажи|выручка|стоимость|сумма с ндс|amount|sum|revenue|total",
        ),
        CURRENCY,
        _amount("cost", _("Cost of sales"), "себестоимость|затраты|cost|cost of sales|cogs", False),
        Field(
            "quantity",
            _("Quantity"),
            parse=reading.parse_decimal,
            synonyms=_words("количество|кол во|колво|quantity|qty"),
        ),
        Field(
            "product",
            _("Product"),
            synonyms=_words("товар|продукт|услуга|номенклатура|product|service|item"),
            help=_("A product's exact name in Kamrad, or a product line."),
        ),
        Field(
            "product_line",
            _("Product line"),
            synonyms=_words("товарная группа|группа|линейка|направление|product line|category"),
        ),
        Field(
            "description",
            _("Description"),
            synonyms=_words("описание|комментарий|содержание|description|comment|note"),
        ),
        EXTERNAL_ID,
    ),
    _(
        "the organization and the external key when given, else the organization, date, "
        "currency, amount, product line and description"
    ),
    one_of=ORG_ONE_OF,
    money_fields=("amount", "cost"),
)

PAYMENTS = Kind(
    "payments",
    _("Payments"),
    (
        *ORG_REF,
        _date("due_date", _("Due date"), "срок оплаты|дата платежа по договору|due|due date"),
        _date(
            "paid_date",
            _("Paid on"),
            "дата оплаты|оплачено|дата поступления|paid|paid date|paid on|payment date",
            False,
        ),
        _amount("amount", _("Amount"), "сумма|сумма платежа|сумма оплаты|amount|sum|total"),
        CURRENCY,
        Field(
            "method",
            _("How paid"),
            synonyms=_words("способ оплаты|форма оплаты|method|payment method"),
            help=_("Transfer, card, cash, offset or other."),
        ),
        Field(
            "description",
            _("Description"),
            synonyms=_words("назначение платежа|описание|комментарий|description|comment"),
        ),
        EXTERNAL_ID,
    ),
    _(
        "the organization and the external key when given, else the organization, due date, "
        "currency and amount"
    ),
    one_of=ORG_ONE_OF,
    money_fields=("amount",),
)

CLAIMS = Kind(
    "claims",
    _("Claims"),
    (
        *ORG_REF,
        _date("date", _("Date"), "дата|дата претензии|дата обращения|date|claim date"),
        Field(
            "subject",
            _("What"),
            required=True,
            synonyms=_words("претензия|тема|суть|предмет|subject|claim|issue"),
        ),
        Field("description", _("Details"), synonyms=_words("описание|подробности|details")),
        _date(
            "resolved_on",
            _("Resolved on"),
            "дата решения|решена|урегулирована|resolved|resolved on",
            False,
        ),
        EXTERNAL_ID,
    ),
    _("the organization and the external key when given, else the organization, date and subject"),
    one_of=ORG_ONE_OF,
)

SERVICE_COSTS = Kind(
    "service_costs",
    _("Costs to serve"),
    (
        *ORG_REF,
        _date("date", _("Date"), "дата|date"),
        _amount("amount", _("Amount"), "сумма|затраты|стоимость|amount|cost|sum"),
        CURRENCY,
        Field(
            "description",
            _("What"),
            synonyms=_words("статья|описание|комментарий|description|what|item"),
        ),
        EXTERNAL_ID,
    ),
    _(
        "the organization and the external key when given, else the organization, date, "
        "currency, amount and description"
    ),
    one_of=ORG_ONE_OF,
    money_fields=("amount",),
)

ACCOUNT_MONTHS = Kind(
    "account_months",
    _("Account months"),
    (
        *ORG_REF,
        Field(
            "month",
            _("Month"),
            reading.parse_month,
            True,
            _words("месяц|период|дата|month|period|date"),
        ),
        CURRENCY,
        _amount("turnover", _("Turnover"), "оборот|обороты|turnover", False),
        _amount(
            "average_balance",
            _("Average daily balance"),
            "средний остаток|среднедневной остаток|остаток|average balance|"
            "average daily balance|balance",
            False,
        ),
        _amount("exports", _("Exports"), "экспорт|exports|export", False),
    ),
    _("the organization, month and currency"),
    one_of=ORG_ONE_OF,
    money_fields=("turnover", "average_balance", "exports"),
)

EXCHANGE_RATES = Kind(
    "exchange_rates",
    _("Exchange rates"),
    (
        Field(
            "currency",
            _("Currency"),
            reading.parse_currency,
            True,
            _words("валюта|код валюты|currency|currency code"),
        ),
        _date("date", _("Date"), "дата|дата курса|date"),
        Field(
            "rate",
            _("Rate"),
            reading.parse_decimal,
            True,
            _words("курс|rate|exchange rate"),
            help=_("Base-currency units for one unit of the currency."),
        ),
    ),
    _("the currency and date"),
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        ORGANIZATIONS,
        CONTACTS,
        SALES,
        PAYMENTS,
        CLAIMS,
        SERVICE_COSTS,
        ACCOUNT_MONTHS,
        EXCHANGE_RATES,
    )
}

_PUNCT = re.compile(r"[^\w\s]+")


def normalize_header(header: str) -> str:
    return " ".join(_PUNCT.sub(" ", fold(header)).split())


def guess_mapping(kind: Kind, header: list[str]) -> dict[int, str]:
    """Column index → field name, from what the headers say (exact synonyms first)."""
    normalized = [normalize_header(h) for h in header]
    names = {f.name for f in kind.fields}
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    # A header that is a field's own name ("amount", "tax_number") maps to it.
    for index, text in enumerate(normalized):
        name = text.replace(" ", "_")
        if name in names and name not in taken:
            mapping[index] = name
            taken.add(name)
    for exact in (True, False):
        for index, text in enumerate(normalized):
            if index in mapping or not text:
                continue
            best: tuple[int, str] | None = None
            for f in kind.fields:
                if f.name in taken:
                    continue
                for synonym in f.synonyms:
                    hit = (
                        text == synonym
                        if exact
                        else f" {synonym} " in f" {text} " or text.startswith(synonym + " ")
                    )
                    if hit and (best is None or len(synonym) > best[0]):
                        best = (len(synonym), f.name)
            if best:
                mapping[index] = best[1]
                taken.add(best[1])
    return mapping


def check_mapping(kind: Kind, mapping: dict[int, str]) -> list[str]:
    """What is wrong with a mapping: required fields missing, a field mapped twice."""
    problems = []
    mapped = list(mapping.values())
    for f in kind.fields:
        if f.required and f.name not in mapped:
            problems.append(str(_("No column is mapped to “%(field)s”.") % {"field": f.label}))
        if mapped.count(f.name) > 1:
            problems.append(
                str(_("Several columns are mapped to “%(field)s”.") % {"field": f.label})
            )
    if kind.one_of and not any(name in mapped for name in kind.one_of):
        problems.append(
            str(_("Map a column naming the organization: its external key, tax number or name."))
        )
    return problems
