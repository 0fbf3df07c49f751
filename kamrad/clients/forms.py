"""Forms of the client-card pages. They validate input; the services in services.py write."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kamrad.clients import selectors
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
from kamrad.pyramid.models import Tier
from kamrad.users import access
from kamrad.users.models import Role, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def staff_members() -> QuerySet[User]:
    """People on our side who may know a client's contact: everyone but read-only viewers."""
    return User.objects.filter(is_active=True).exclude(role=Role.VIEWER)


# --- The list -----------------------------------------------------------------------------


class FastSelect(forms.Select):
    """A select rendered in Python rather than through a template per option.

    The list's filters carry every manager, region and industry; through Django's widget
    templates they cost several milliseconds per page, here a few microseconds: the options
    are joined as plain strings (`format_html` per option costs more than the option).
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> str:
        chosen = {str(v) for v in self.format_value(value)}
        # html.escape is what Django's escape() calls, without its wrapping per call.
        options = "".join(
            f'<option value="{html_escape(key)}"{" selected" if key in chosen else ""}>'
            f"{html_escape(label)}</option>"
            for key, label in ((str(k), str(v)) for k, v in self.choices)
        )
        final = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe(options)
        )


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        widget=FastSelect,
        choices=[("", _("All kinds")), *Organization.Kind.choices],
    )
    manager = forms.ModelChoiceField(
        label=_("Account manager"),
        required=False,
        widget=FastSelect,
        queryset=User.objects.filter(role=Role.MANAGER, is_active=True),
        empty_label=_("All managers"),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        required=False,
        widget=FastSelect,
        queryset=Region.objects.all(),
        empty_label=_("All regions"),
    )
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        required=False,
        widget=FastSelect,
        queryset=Industry.objects.all(),
        empty_label=_("All industries"),
    )
    private = forms.ChoiceField(
        label=_("Corporate or private"),
        required=False,
        widget=FastSelect,
        choices=[
            ("", _("Corporate and private")),
            ("corporate", _("Corporate")),
            ("private", _("Private persons")),
        ],
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        widget=FastSelect,
        choices=[("", _("All tiers")), *Tier.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=FastSelect,
        choices=[(key, label) for key, (label, _order) in selectors.SORTS.items()],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.sees_all_clients:
            # An account manager sees only their own clients: filtering by manager means nothing.
            del self.fields["manager"]
        # The options of the three reference lists in one query rather than three (the
        # fields' querysets still check a chosen value).
        choices = selectors.filter_choices(managers="manager" in self.fields)
        for name, options in choices.items():
            if name in self.fields:
                field = self.fields[name]
                field.widget.choices = [("", field.empty_label), *options]

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is ignored rather than failing the whole list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "kind": data.get("kind") or "",
            "manager": data.get("manager"),
            "region": data.get("region"),
            "industry": data.get("industry"),
            "private": data.get("private") or "",
            "sort": data.get("sort") or selectors.DEFAULT_SORT,
            "tier": data.get("tier") or "",
        }


# --- Organizations ------------------------------------------------------------------------


class VersionedForm(forms.ModelForm):
    """A form for a row with a `version`: the edit carries back the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}

    def expected_version(self) -> int:
        return self.cleaned_data.get("version") or 0


class OrganizationForm(VersionedForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "tax_number",
            "legal_name",
            "kind",
            "is_private",
            "industry",
            "region",
            "registration_number",
            "legal_address",
            "postal_address",
            "website",
            "owner",
            "account_manager",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if access.may_assign_managers(user):
            self.fields["owner"].queryset = staff_members()
            self.fields["account_manager"].queryset = User.objects.filter(
                role__in=[Role.MANAGER, Role.HEAD], is_active=True
            )
        else:
            # The service makes a manager's new client theirs and ignores these on edit.
            del self.fields["owner"]
            del self.fields["account_manager"]


class BankAccountForm(forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = ["bank_name", "bic", "account_number", "correspondent_account", "currency"]


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ["kind", "value", "label"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == ContactPoint.Kind.EMAIL and data.get("value"):
            try:
                validate_email(data["value"])
            except forms.ValidationError:
                self.add_error("value", _("Enter a valid e-mail address."))
        return data


# --- Contact persons ----------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class ContactForm(VersionedForm):
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    emails = forms.CharField(
        label=_("E-mails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Role in decisions"),
        required=False,
        choices=DecisionRole.Role.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contact
        fields = [
            "full_name",
            "position",
            "department",
            "birthday",
            "personal_notes",
            "status",
            "left_on",
        ]
        widgets = {
            "birthday": DateInput(),
            "left_on": DateInput(),
            "personal_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.instance
        if contact.pk and not self.is_bound:
            points = list(contact.contact_points.all())
            self.initial["phones"] = "\n".join(p.value for p in points if p.kind == "phone")
            self.initial["emails"] = "\n".join(p.value for p in points if p.kind == "email")
            self.initial["roles"] = [r.role for r in contact.decision_roles.all()]

    def clean_phones(self) -> list[str]:
        return _lines(self.cleaned_data.get("phones") or "")

    def clean_emails(self) -> list[str]:
        emails = _lines(self.cleaned_data.get("emails") or "")
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a valid e-mail address."), params={"value": email}
                ) from None
        return emails

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("status")
        if status == Contact.Status.ACTIVE:
            data["left_on"] = None
        elif status == Contact.Status.LEFT and not data.get("left_on"):
            self.add_error("left_on", _("Say when they left the company."))
        return data


class ContactAddForm(ContactForm):
    """A new contact is active; leaving is recorded later on the contact's page."""

    class Meta(ContactForm.Meta):
        fields = ["full_name", "position", "department", "birthday", "personal_notes"]


# --- Who knows whom, events, dossier ------------------------------------------------------


class RelationshipForm(VersionedForm):
    warmth = forms.TypedChoiceField(
        label=_("Warmth"),
        coerce=int,
        choices=[
            (1, _("1 — barely acquainted")),
            (2, _("2 — acquainted")),
            (3, _("3 — good contact")),
            (4, _("4 — warm")),
            (5, _("5 — close, trusted")),
        ],
        initial=3,
    )

    class Meta:
        model = Relationship
        fields = ["staff", "contact", "warmth", "last_touch", "note"]
        widgets = {"last_touch": DateInput()}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_members()
        self.fields["contact"].queryset = Contact.objects.filter(organization=organization)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        staff, contact = data.get("staff"), data.get("contact")
        if (
            staff
            and contact
            and Relationship.objects.filter(staff=staff, contact=contact)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("contact", _("This link already exists; edit it instead."))
        return data

    def validate_unique(self) -> None:
        # clean() has said it in words a user understands.
        pass


class RelationshipEditForm(RelationshipForm):
    class Meta(RelationshipForm.Meta):
        fields = ["warmth", "last_touch", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("organization", None)
        forms.ModelForm.__init__(self, *args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        return forms.ModelForm.clean(self)


class EventForm(VersionedForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "date", "recurs_yearly", "contact", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(organization=organization)


class DossierForm(forms.ModelForm):
    class Meta:
        model = DossierEntry
        fields = ["date", "title", "text", "contact"]
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate
        if organization is None:
            del self.fields["contact"]
        else:
            self.fields["contact"].queryset = Contact.objects.filter(organization=organization)


# --- Products -----------------------------------------------------------------------------


class ProductForm(VersionedForm):
    class Meta:
        model = Product
        fields = ["name", "is_ours", "maker", "category", "description", "analogues", "substitutes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "analogues": forms.SelectMultiple(attrs={"size": 6}),
            "substitutes": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        makers = access.organizations_visible_to(user)
        if self.instance.maker_id:
            # Keep a maker the user cannot open (another manager's client) choosable as is.
            makers = makers | Organization.objects.filter(pk=self.instance.maker_id)
        self.fields["maker"].queryset = makers.order_by("name", "id")
        others = Product.objects.exclude(pk=self.instance.pk).order_by("name", "id")
        self.fields["analogues"].queryset = others
        self.fields["substitutes"].queryset = others
