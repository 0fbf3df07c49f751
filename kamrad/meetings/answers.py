"""The answers of a questionnaire: their shape per question type, and how they are checked.

Answers are stored on the meeting as JSON, by question key:

- text, long_text, choice, date (ISO), number (as typed, e.g. "95,5"): a string;
- yes_no: "yes" or "no"; rating: an integer 1–5;
- persons: [{"contact": id or null, "full_name", "position", "department", "phone", "email",
  "roles": [DecisionRole codes], "left": bool, "attended": bool, "about": text}];
- referrals: [{"organization", "person", "position", "phone", "email", "note",
  "referrer": contact id or null}];
- product_offer: [{"product": id or null, "product_name", "estimated_value", "currency",
  "next_step", "next_step_on"}];
- quality: [{"product": id, "checks": [{"check": id, "promised", "measured"} for a number
  check, or {"check": id, "answer": "yes"/"no"}]}].

`clean()` returns the answers normalised (blank rows dropped, text trimmed) or raises a
ValidationError naming each question and row that is wrong. It never touches the database
beyond checking that the people, products and checks named belong where they should.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kamrad.clients.models import Contact, DecisionRole, Organization, Product
from kamrad.lib import money
from kamrad.questionnaires.models import QualityCheck, Question

Kind = Question.Kind
ROLE_CODES = frozenset(DecisionRole.Role.values)
TEXT_LIMITS = {Kind.TEXT: 500, Kind.LONG_TEXT: 5000, Kind.CHOICE: 500}

PERSON_FIELDS = ("full_name", "position", "department", "phone", "email", "about")
REFERRAL_FIELDS = ("organization", "person", "position", "phone", "email", "note")
OFFER_FIELDS = ("product_name", "estimated_value", "currency", "next_step", "next_step_on")


def questions(structure: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(section, question) pairs of a frozen questionnaire, in order."""
    return [
        (section, question)
        for section in structure.get("sections", [])
        for question in section.get("questions", [])
    ]


def parse_number(text: str) -> Decimal:
    return money.parse_decimal(text)


def _text(value: Any, limit: int = 500) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValueError(_("Expected text."))
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(_("At most %(n)d characters.") % {"n": limit})
    return text


def _date(value: Any) -> str:
    text = _text(value, 20)
    if not text:
        return ""
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def _number(value: Any) -> str:
    text = _text(value, 40)
    if not text:
        return ""
    try:
        parse_number(text)
    except money.MoneyError:
        raise ValueError(_("Enter a number.")) from None
    return text


def _id(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(_("Expected an id.")) from None
    if number <= 0:
        raise ValueError(_("Expected an id."))
    return number


def _rows(value: Any) -> list[Mapping[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(_("Expected a list of rows."))
    return value


def _scalar(question: Mapping[str, Any], value: Any) -> Any:
    kind = question["kind"]
    if kind in TEXT_LIMITS:
        text = _text(value, TEXT_LIMITS[kind])
        if kind == Kind.CHOICE and text and text not in question.get("choices", []):
            raise ValueError(_("Choose one of the offered answers."))
        return text
    if kind == Kind.YES_NO:
        text = _text(value, 3).lower()
        if text not in {"", "yes", "no"}:
            raise ValueError(_("Answer yes or no."))
        return text
    if kind == Kind.NUMBER:
        return _number(value)
    if kind == Kind.DATE:
        return _date(value)
    if kind == Kind.RATING:
        if value in (None, ""):
            return ""
        try:
            rating = int(value)
        except (TypeError, ValueError):
            raise ValueError(_("Rate from 1 to 5.")) from None
        if not 1 <= rating <= 5:
            raise ValueError(_("Rate from 1 to 5."))
        return rating
    raise ValueError(_("Unknown question type."))


def _person(row: Mapping[str, Any], organization: Organization) -> dict[str, Any] | None:
    clean = {f: _text(row.get(f), 2000 if f == "about" else 200) for f in PERSON_FIELDS}
    clean["contact"] = _id(row.get("contact"))
    roles = row.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or any(r not in ROLE_CODES for r in roles):
        raise ValueError(_("Unknown decision role."))
    clean["roles"] = sorted(set(roles))
    clean["left"] = bool(row.get("left"))
    clean["attended"] = bool(row.get("attended"))
    if clean["contact"] is None and not any(clean[f] for f in PERSON_FIELDS):
        return None  # an empty row of the form
    if clean["contact"] is not None:
        if not Contact.objects.filter(pk=clean["contact"], organization=organization).exists():
            raise ValueError(_("This person is not one of the client's people."))
    elif not clean["full_name"]:
        raise ValueError(_("A new person needs a full name."))
    if clean["email"] and "@" not in clean["email"]:
        raise ValueError(_("Enter a valid e-mail address."))
    return clean


def _referral(row: Mapping[str, Any], organization: Organization) -> dict[str, Any] | None:
    clean = {f: _text(row.get(f), 1000 if f == "note" else 200) for f in REFERRAL_FIELDS}
    clean["referrer"] = _id(row.get("referrer"))
    if not any(clean[f] for f in REFERRAL_FIELDS):
        return None
    if not clean["organization"] and not clean["person"]:
        raise ValueError(_("A referral needs a company or a person's name."))
    if clean["email"] and "@" not in clean["email"]:
        raise ValueError(_("Enter a valid e-mail address."))
    if (
        clean["referrer"] is not None
        and not Contact.objects.filter(pk=clean["referrer"], organization=organization).exists()
    ):
        raise ValueError(_("The person who referred must be one of the client's people."))
    return clean


def _offer(row: Mapping[str, Any]) -> dict[str, Any] | None:
    clean = {f: _text(row.get(f), 300) for f in OFFER_FIELDS}
    clean["product"] = _id(row.get("product"))
    if clean["product"] is None and not any(clean[f] for f in OFFER_FIELDS):
        return None
    if clean["product"] is not None and not Product.objects.filter(pk=clean["product"]).exists():
        raise ValueError(_("Unknown product."))
    if clean["product"] is None and not clean["product_name"]:
        raise ValueError(_("Name the product or direction."))
    if clean["estimated_value"]:
        clean["currency"] = clean["currency"].upper() or settings.KAMRAD_BASE_CURRENCY
        try:
            money.check_currency(clean["currency"])
            money.to_minor(clean["estimated_value"], clean["currency"])
        except money.MoneyError:
            raise ValueError(_("Enter the estimated value as a number.")) from None
    else:
        clean["currency"] = ""
    clean["next_step_on"] = _date(clean["next_step_on"])
    return clean


def _quality(row: Mapping[str, Any]) -> dict[str, Any] | None:
    product = _id(row.get("product"))
    checks = _rows(row.get("checks"))
    if product is None:
        if any(c.get("measured") or c.get("answer") for c in checks):
            raise ValueError(_("Choose the service the checks are about."))
        return None
    known = {c.pk: c for c in QualityCheck.objects.filter(product_id=product)}
    clean_checks = []
    for item in checks:
        check_id = _id(item.get("check"))
        check = known.get(check_id) if check_id else None
        if check is None:
            raise ValueError(_("This check is not defined for the service."))
        if check.is_number:
            measured = _number(item.get("measured"))
            promised = _number(item.get("promised")) or check.promised
            if measured and not promised:
                raise ValueError(_("Enter what was promised for “%(check)s”.") % {"check": check})
            if measured:
                clean_checks.append({"check": check.pk, "promised": promised, "measured": measured})
        else:
            answer = _text(item.get("answer"), 3).lower()
            if answer not in {"", "yes", "no"}:
                raise ValueError(_("Answer yes or no."))
            if answer:
                clean_checks.append({"check": check.pk, "answer": answer})
    return {"product": product, "checks": clean_checks}


_LISTS = {
    Kind.PERSONS: lambda row, org: _person(row, org),
    Kind.REFERRALS: lambda row, org: _referral(row, org),
    Kind.PRODUCT_OFFER: lambda row, org: _offer(row),
    Kind.QUALITY: lambda row, org: _quality(row),
}


def clean(
    structure: Mapping[str, Any], data: Mapping[str, Any], organization: Organization
) -> dict[str, Any]:
    """Check and normalise answers against a frozen questionnaire (see the module doc)."""
    if not isinstance(data, Mapping):
        raise ValidationError({"answers": _("Expected answers by question key.")})
    known = {q["key"]: q for _section, q in questions(structure)}
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in known:
            errors.setdefault(key, []).append(_("There is no such question."))
    result: dict[str, Any] = {}
    for key, question in known.items():
        value = data.get(key)
        try:
            if question["kind"] in _LISTS:
                rows = []
                for number, row in enumerate(_rows(value), start=1):
                    try:
                        cleaned = _LISTS[question["kind"]](row, organization)
                    except ValueError as error:
                        errors.setdefault(key, []).append(
                            _("Row %(n)d: %(reason)s") % {"n": number, "reason": error}
                        )
                        continue
                    if cleaned is not None:
                        rows.append(cleaned)
                if rows:
                    result[key] = rows
            else:
                scalar = _scalar(question, value)
                if scalar != "":
                    result[key] = scalar
        except ValueError as error:
            errors.setdefault(key, []).append(str(error))
    if errors:
        raise ValidationError(errors)
    return result


def missing_required(structure: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Keys of required questions left unanswered (recording needs them; a draft does not)."""
    return [
        q["key"]
        for _s, q in questions(structure)
        if q.get("required") and not answers.get(q["key"])
    ]


def check_passes(check: QualityCheck, item: Mapping[str, Any]) -> bool:
    """Does one answered quality check pass?"""
    if check.kind == QualityCheck.Kind.AT_LEAST:
        return parse_number(item["measured"]) >= parse_number(item["promised"])
    if check.kind == QualityCheck.Kind.AT_MOST:
        return parse_number(item["measured"]) <= parse_number(item["promised"])
    if check.kind == QualityCheck.Kind.NO_PASSES:
        return item["answer"] == "no"
    return item["answer"] == "yes"
