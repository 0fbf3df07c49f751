"""Forms of the meeting pages, and the questionnaire's answers to and from a plain HTML form.

The questionnaire form names each input after the question key: `a-<key>` for one answer,
`a-<key>-<row>-<field>` for a row of a list (persons, referrals, offers), and
`a-<key>-<row>-<check>-<field>` for a quality check of a service; `n-<key>` says how many rows
the form had. `answers_from_post()` turns that back into the answers' JSON (see answers.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamrad.clients.models import Contact, DecisionRole, Organization, Product
from kamrad.meetings import answers as answer_rules
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.questionnaires.models import QualityCheck
from kamrad.users.models import Role, User
from kamrad.value.models import Sale

Kind = answer_rules.Kind
BLANK_ROWS = 2
MAX_ROWS = 60


def staff() -> Any:
    return User.objects.filter(is_active=True, role__in=[Role.HEAD, Role.MANAGER, Role.ADMIN])


class PlanForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"), min_value=5, max_value=600, initial=60
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    our_people = forms.ModelMultipleChoiceField(
        label=_("Our people"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    their_people = forms.ModelMultipleChoiceField(
        label=_("Their people"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Questionnaire language"), choices=settings.LANGUAGES)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, organization: Organization, editing: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["our_people"].queryset = staff()
        self.fields["their_people"].queryset = organization.contacts.filter(
            status=Contact.Status.ACTIVE
        ).order_by("full_name")
        if editing:
            del self.fields["language"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("language", None)
        return data


class HoldForm(forms.Form):
    held_on = forms.DateField(
        label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class WorkItemForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WorkItem
        fields = [
            "title",
            "product",
            "promised",
            "measured",
            "unit",
            "assigned_to",
            "due_on",
            "status",
            "notes",
        ]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_ours=True)
        self.fields["assigned_to"].queryset = staff()

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class OpportunityForm(forms.ModelForm):
    estimated_value = forms.DecimalField(
        label=_("Estimated value"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "product",
            "product_name",
            "currency",
            "next_step",
            "next_step_on",
            "status",
            "owner",
            "notes",
        ]
        widgets = {
            "next_step_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_ours=True)
        self.fields["owner"].queryset = staff()
        self.fields["currency"].initial = settings.KAMRAD_BASE_CURRENCY
        instance = self.instance
        if instance.pk and instance.estimated_minor is not None:
            from kamrad.lib import money

            self.fields["estimated_value"].initial = money.to_major(
                instance.estimated_minor, instance.currency or settings.KAMRAD_BASE_CURRENCY
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("product") and not data.get("product_name"):
            self.add_error("product_name", _("Name the product or direction, or choose a product."))
        currency = (data.get("currency") or settings.KAMRAD_BASE_CURRENCY).upper()
        data["currency"] = currency
        from kamrad.lib import money

        try:
            money.check_currency(currency)
        except money.MoneyError:
            self.add_error("currency", _("A three-letter currency code, like RUB."))
        return data

    def service_data(self) -> dict[str, Any]:
        from kamrad.lib import money

        data = {
            k: v for k, v in self.cleaned_data.items() if k not in {"version", "estimated_value"}
        }
        value = self.cleaned_data.get("estimated_value")
        data["estimated_minor"] = (
            money.to_minor(value, data["currency"]) if value is not None else None
        )
        return data


# --- The questionnaire as an HTML form ---------------------------------------------------------

PERSON_INPUTS = ("full_name", "position", "department", "phone", "email", "about")
PERSON_FLAGS = ("attended", "left")
REFERRAL_INPUTS = ("organization", "person", "position", "phone", "email", "note", "referrer")
OFFER_INPUTS = (
    "product",
    "product_name",
    "estimated_value",
    "currency",
    "next_step",
    "next_step_on",
)


def _count(post: QueryDict, key: str) -> int:
    try:
        return max(0, min(int(post.get(f"n-{key}", "0")), MAX_ROWS))
    except ValueError:
        return 0


def answers_from_post(structure: Mapping[str, Any], post: QueryDict) -> dict[str, Any]:
    """The answers as the form posted them, in the answers' JSON shape (not yet checked)."""
    result: dict[str, Any] = {}
    for _section, question in answer_rules.questions(structure):
        key, kind = question["key"], question["kind"]
        prefix = f"a-{key}"
        if kind == Kind.PERSONS:
            rows = []
            for i in range(_count(post, key)):
                row: dict[str, Any] = {f: post.get(f"{prefix}-{i}-{f}", "") for f in PERSON_INPUTS}
                row["contact"] = post.get(f"{prefix}-{i}-contact") or None
                row["roles"] = post.getlist(f"{prefix}-{i}-roles")
                for flag in PERSON_FLAGS:
                    row[flag] = post.get(f"{prefix}-{i}-{flag}") == "on"
                rows.append(row)
            result[key] = rows
        elif kind == Kind.REFERRALS:
            result[key] = [
                {f: post.get(f"{prefix}-{i}-{f}", "") for f in REFERRAL_INPUTS}
                for i in range(_count(post, key))
            ]
        elif kind == Kind.PRODUCT_OFFER:
            result[key] = [
                {f: post.get(f"{prefix}-{i}-{f}", "") for f in OFFER_INPUTS}
                for i in range(_count(post, key))
            ]
        elif kind == Kind.QUALITY:
            rows = []
            for i in range(_count(post, key)):
                product = post.get(f"{prefix}-{i}-product", "")
                checks = []
                for check_id in post.getlist(f"{prefix}-{i}-checks"):
                    base = f"{prefix}-{i}-{check_id}"
                    checks.append(
                        {
                            "check": check_id,
                            "promised": post.get(f"{base}-promised", ""),
                            "measured": post.get(f"{base}-measured", ""),
                            "answer": post.get(f"{base}-answer", ""),
                        }
                    )
                rows.append({"product": product, "checks": checks})
            added = post.get(f"{prefix}-add", "")
            if added:
                rows.append({"product": added, "checks": []})
            result[key] = rows
        else:
            result[key] = post.get(prefix, "")
    return result


def _client_services(organization: Organization) -> list[int]:
    """Our services the client buys, that have quality checks: the quality section's rows."""
    return list(
        Sale.objects.filter(
            organization=organization,
            product__is_ours=True,
            product__quality_checks__is_active=True,
        )
        .values_list("product_id", flat=True)
        .distinct()
        .order_by("product_id")
    )


def questionnaire_layout(
    meeting: Meeting, values: Mapping[str, Any], errors: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    """What the questionnaire page renders: each section's questions with the current value,
    the rows of list questions (pre-filled from the card when nothing was typed yet), and the
    errors of each question."""
    structure = meeting.questionnaire.structure if meeting.questionnaire else {"sections": []}
    organization = meeting.organization
    contacts = list(
        organization.contacts.filter(status=Contact.Status.ACTIVE)
        .prefetch_related("decision_roles", "contact_points")
        .order_by("full_name")
    )
    checked = {q["key"] for _s, q in answer_rules.questions(structure) if q["kind"] == Kind.QUALITY}
    product_ids: set[int] = set(_client_services(organization)) if checked else set()
    for key in checked:
        for row in values.get(key) or []:
            if str(row.get("product") or "").isdigit():
                product_ids.add(int(row["product"]))
    checks_by_product: dict[int, list[QualityCheck]] = {}
    for check in QualityCheck.objects.filter(
        product_id__in=product_ids, is_active=True
    ).select_related("product"):
        checks_by_product.setdefault(check.product_id, []).append(check)
    products = {p.pk: p for p in Product.objects.filter(is_ours=True).order_by("name")}
    sections = []
    for section in structure.get("sections", []):
        rendered = []
        for question in section.get("questions", []):
            key, kind = question["key"], question["kind"]
            value = values.get(key)
            item: dict[str, Any] = {
                **question,
                "value": value if value is not None else "",
                "errors": errors.get(key, []),
            }
            if kind == Kind.PERSONS:
                rows = list(value) if value else _people_rows(contacts)
                item["rows"] = rows + [{} for _ in range(BLANK_ROWS)]
            elif kind in {Kind.REFERRALS, Kind.PRODUCT_OFFER}:
                item["rows"] = list(value or []) + [{} for _ in range(BLANK_ROWS)]
            elif kind == Kind.QUALITY:
                item["rows"] = _quality_rows(value, product_ids, checks_by_product, products)
            if "rows" in item:
                item["rows"] = [
                    {**row, "prefix": f"a-{key}-{number}"}
                    for number, row in enumerate(item["rows"])
                ]
            rendered.append(item)
        sections.append({**section, "questions": rendered})
    return sections


def _people_rows(contacts: list[Contact]) -> list[dict[str, Any]]:
    rows = []
    for contact in contacts:
        points = {p.kind: p.value for p in contact.contact_points.all()}
        rows.append(
            {
                "contact": contact.pk,
                "full_name": contact.full_name,
                "position": contact.position,
                "department": contact.department,
                "phone": points.get("phone", ""),
                "email": points.get("email", ""),
                "roles": [r.role for r in contact.decision_roles.all()],
                "known": True,
            }
        )
    return rows


def _quality_rows(
    value: Any,
    product_ids: set[int],
    checks_by_product: dict[int, list[QualityCheck]],
    products: dict[int, Product],
) -> list[dict[str, Any]]:
    typed = {}
    for row in value or []:
        if str(row.get("product") or "").isdigit():
            typed[int(row["product"])] = {
                str(c.get("check")): c for c in row.get("checks", []) if isinstance(c, Mapping)
            }
    rows = []
    for product_id in sorted(
        product_ids, key=lambda pk: products[pk].name if pk in products else ""
    ):
        if product_id not in products:
            continue
        answers = typed.get(product_id, {})
        rows.append(
            {
                "product": products[product_id],
                "checks": [
                    {
                        "check": check,
                        "promised": answers.get(str(check.pk), {}).get("promised")
                        or check.promised,
                        "measured": answers.get(str(check.pk), {}).get("measured", ""),
                        "answer": answers.get(str(check.pk), {}).get("answer", ""),
                    }
                    for check in checks_by_product.get(product_id, [])
                ],
            }
        )
    return rows


def role_choices() -> list[tuple[str, str]]:
    return list(DecisionRole.Role.choices)


def default_start(day: datetime.date | None = None) -> datetime.datetime:
    day = day or timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
