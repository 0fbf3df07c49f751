"""What the API accepts and returns. Serializers only validate: the views hand the validated
data to kamrad.clients.services, which does every write.

A reference by id to a record the user may not see (another manager's client, its people)
fails validation exactly like an id that does not exist: 400 with the field's error
'Invalid pk … — object does not exist.'.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
from kamrad.lib.text import digits
from kamrad.users import access
from kamrad.users.models import User

# A row id as the database stores it: larger numbers cannot name anything.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that only finds what the requesting user may see."""

    def __init__(self, *, scope_path: str, **kwargs: Any) -> None:
        self.scope_path = scope_path
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Model]:
        queryset = super().get_queryset()
        request = self.context.get("request")
        return access.scope(queryset, getattr(request, "user", None), self.scope_path)

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, int) and not isinstance(data, bool) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def _staff_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), **kwargs
    )


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        help_text=_(
            "The version you read. Required to save a change (here or in an If-Match header); "
            "when someone saved the record since, the change is refused with 409."
        ),
    )


class VersionedSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(read_only=True)


# --- Reference lists --------------------------------------------------------------------


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "name"]


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name"]


# --- Organizations ----------------------------------------------------------------------


class OrganizationSerializer(VersionedSerializer):
    owner = _staff_field(
        required=False,
        allow_null=True,
        help_text=_("The salesperson who brought this client. Only the program head sets it."),
    )
    account_manager = _staff_field(
        required=False,
        allow_null=True,
        help_text=_(
            "Who manages this client. Only the program head sets it; an account manager's "
            "new client is their own."
        ),
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "is_private",
            "name",
            "legal_name",
            "industry",
            "region",
            "tax_number",
            "registration_number",
            "legal_address",
            "postal_address",
            "website",
            "owner",
            "account_manager",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]


class OrganizationUpdateSerializer(OrganizationSerializer):
    version = _version_field()


# --- Contact persons --------------------------------------------------------------------


class RolesField(serializers.ListField):
    child = serializers.ChoiceField(choices=DecisionRole.Role.choices)

    def get_attribute(self, instance: Contact) -> list[str]:
        return [row.role for row in instance.decision_roles.all()]


class PointsField(serializers.ListField):
    """A contact person's phones or e-mails, as plain strings."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def get_attribute(self, instance: Contact) -> list[str]:
        return [p.value for p in instance.contact_points.all() if p.kind == self.kind]


class ContactSerializer(VersionedSerializer):
    organization = VisibleRelatedField(scope_path="", queryset=Organization.objects.all())
    roles = RolesField(
        required=False,
        help_text=_("Their parts in the client's decisions; sent in full, replaces the list."),
    )
    phones = PointsField(
        kind=ContactPoint.Kind.PHONE,
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=20,
        help_text=_("Sent in full, replaces the list; omitted, leaves it as it is."),
    )
    emails = PointsField(
        kind=ContactPoint.Kind.EMAIL,
        child=serializers.EmailField(max_length=200),
        required=False,
        max_length=20,
        help_text=_("Sent in full, replaces the list; omitted, leaves it as it is."),
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "organization",
            "full_name",
            "position",
            "department",
            "birthday",
            "personal_notes",
            "status",
            "left_on",
            "roles",
            "phones",
            "emails",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate_phones(self, values: list[str]) -> list[str]:
        for value in values:
            if value.strip() and not digits(value):
                raise serializers.ValidationError(_("A phone number needs digits: %s") % value)
        return values

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Contact | None = self.instance
        status = attrs.get("status", instance.status if instance else Contact.Status.ACTIVE)
        left_on = attrs.get("left_on", instance.left_on if instance else None)
        if status == Contact.Status.LEFT and left_on is None:
            raise serializers.ValidationError({"left_on": [_("Say when they left the company.")]})
        if status == Contact.Status.ACTIVE and attrs.get("left_on"):
            raise serializers.ValidationError(
                {"left_on": [_("Only a person who left the company has a leaving date.")]}
            )
        return attrs


class ContactUpdateSerializer(ContactSerializer):
    # A person moving to another company is a new contact record; this one stays.
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


class DecisionRoleSerializer(serializers.ModelSerializer):
    contact = VisibleRelatedField(scope_path="organization", queryset=Contact.objects.all())

    class Meta:
        model = DecisionRole
        fields = ["id", "contact", "role", "note"]


# --- Who knows whom ---------------------------------------------------------------------


class RelationshipSerializer(VersionedSerializer):
    staff = _staff_field(
        default=serializers.CurrentUserDefault(),
        help_text=_("Our staff member who knows the person; you, when omitted."),
    )
    contact = VisibleRelatedField(scope_path="organization", queryset=Contact.objects.all())

    class Meta:
        model = Relationship
        fields = [
            "id",
            "staff",
            "contact",
            "warmth",
            "last_touch",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]


class RelationshipUpdateSerializer(RelationshipSerializer):
    staff = _staff_field(required=False)
    version = _version_field()


# --- Events -----------------------------------------------------------------------------


class EventSerializer(VersionedSerializer):
    organization = VisibleRelatedField(scope_path="", queryset=Organization.objects.all())
    contact = VisibleRelatedField(
        scope_path="organization",
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The person whose date it is (a birthday), at the same organization."),
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "organization",
            "contact",
            "kind",
            "title",
            "date",
            "recurs_yearly",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organization = attrs.get("organization") or getattr(self.instance, "organization", None)
        contact = attrs.get("contact")
        if (
            contact is not None
            and organization is not None
            and contact.organization_id != (organization.pk)
        ):
            raise serializers.ValidationError(
                {"contact": [_("This person works at another organization.")]}
            )
        return attrs


class EventUpdateSerializer(EventSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


# --- Dossiers and products --------------------------------------------------------------


class ProductSerializer(VersionedSerializer):
    maker = VisibleRelatedField(
        scope_path="",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The organization that makes or sells it."),
    )
    analogues = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), many=True, required=False
    )
    substitutes = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), many=True, required=False
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "is_ours",
            "maker",
            "category",
            "description",
            "analogues",
            "substitutes",
            "version",
            "created_at",
            "updated_at",
        ]


class ProductUpdateSerializer(ProductSerializer):
    version = _version_field()


class DossierEntrySerializer(serializers.ModelSerializer):
    organization = VisibleRelatedField(
        scope_path="", queryset=Organization.objects.all(), required=False, allow_null=True
    )
    contact = VisibleRelatedField(
        scope_path="organization",
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A person's dossier entry; its organization is the person's."),
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    date = serializers.DateField(default=timezone.localdate, help_text=_("Today when omitted."))

    class Meta:
        model = DossierEntry
        fields = [
            "id",
            "organization",
            "contact",
            "product",
            "date",
            "title",
            "text",
            "author",
            "created_at",
        ]
        read_only_fields = ["author"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organization = attrs.get("organization")
        contact = attrs.get("contact")
        product = attrs.get("product")
        if product is not None and (organization is not None or contact is not None):
            raise serializers.ValidationError(
                _("An entry is about an organization, a person or a product: choose one.")
            )
        if product is None and organization is None and contact is None:
            raise serializers.ValidationError(
                _("Say whom the entry is about: an organization, a person or a product.")
            )
        if (
            contact is not None
            and organization is not None
            and (contact.organization_id != organization.pk)
        ):
            raise serializers.ValidationError(
                {"contact": [_("This person works at another organization.")]}
            )
        return attrs


# --- Phones, e-mails, bank accounts -----------------------------------------------------


class ContactPointSerializer(serializers.ModelSerializer):
    organization = VisibleRelatedField(
        scope_path="",
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Taken from the person when omitted."),
    )
    contact = VisibleRelatedField(
        scope_path="organization",
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The person this phone or e-mail belongs to; empty for the organization's."),
    )

    class Meta:
        model = ContactPoint
        fields = ["id", "organization", "contact", "kind", "value", "label"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        contact = attrs.get("contact")
        organization = attrs.get("organization")
        if organization is None:
            if contact is None:
                raise serializers.ValidationError(
                    {"organization": [_("Say whose phone or e-mail this is.")]}
                )
            attrs["organization"] = contact.organization
        elif contact is not None and contact.organization_id != organization.pk:
            raise serializers.ValidationError(
                {"contact": [_("This person works at another organization.")]}
            )
        value = attrs["value"].strip()
        if attrs["kind"] == ContactPoint.Kind.EMAIL:
            try:
                serializers.EmailField().run_validation(value)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"value": error.detail}) from None
        elif not digits(value):
            raise serializers.ValidationError({"value": [_("A phone number needs digits.")]})
        attrs["value"] = value
        return attrs


class BankAccountSerializer(serializers.ModelSerializer):
    organization = VisibleRelatedField(scope_path="", queryset=Organization.objects.all())
    currency = serializers.CharField(
        max_length=3,
        default="RUB",
        validators=[RegexValidator(r"^[A-Z]{3}\Z", _("A three-letter currency code, e.g. RUB."))],
    )

    class Meta:
        model = BankAccount
        fields = [
            "id",
            "organization",
            "bank_name",
            "bic",
            "account_number",
            "correspondent_account",
            "currency",
        ]


# --- Tokens -----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("Send it as 'Authorization: Token <token>' with every request.")
    )
