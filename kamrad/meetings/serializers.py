"""What the meetings API accepts and returns. Serializers only validate and shape: the views
hand the validated data to kamrad.meetings.services, which does every write."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kamrad.api.serializers import MAX_ID, MAX_VERSION, VersionedSerializer, VisibleRelatedField
from kamrad.clients.models import Contact, Organization, Product
from kamrad.lib import money
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.users.models import User


def version_field(*, required: bool = False) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=required,
        help_text=_(
            "The version you read. Required to save a change (here or in an If-Match header); "
            "when someone saved the record since, the change is refused with 409."
        ),
    )


def _staff(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), **kwargs
    )


# --- Meetings -----------------------------------------------------------------------------------


class OutcomeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = MeetingOutcome
        fields = [
            "id",
            "meeting",
            "kind",
            "kind_label",
            "summary",
            "contact",
            "target_organization",
            "object_id",
            "created_at",
        ]
        read_only_fields = fields


class MeetingSerializer(VersionedSerializer):
    outcomes = OutcomeSerializer(many=True, read_only=True)
    answers = serializers.DictField(read_only=True, help_text=_("The answers, by question key."))

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "program_client",
            "starts_at",
            "duration_minutes",
            "place",
            "purpose",
            "status",
            "our_people",
            "their_people",
            "questionnaire",
            "answers",
            "notes",
            "planned_by",
            "held_on",
            "recorded_at",
            "recorded_by",
            "outcomes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeetingPlanSerializer(serializers.Serializer):
    organization = VisibleRelatedField(
        scope_path="",
        queryset=Organization.objects.all(),
        error_messages={"does_not_exist": _("No such client.")},
    )
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    our_people = _staff(many=True, required=False, help_text=_("Our attendees; you by default."))
    their_people = VisibleRelatedField(
        scope_path="organization",
        queryset=Contact.objects.all(),
        many=True,
        required=False,
        help_text=_("The client's people who attend."),
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text=_("The questionnaire's language; the site's by default."),
    )


class MeetingUpdateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    our_people = _staff(many=True, required=False)
    their_people = VisibleRelatedField(
        scope_path="organization", queryset=Contact.objects.all(), many=True, required=False
    )
    version = version_field()


class VersionSerializer(serializers.Serializer):
    version = version_field()


class HoldSerializer(serializers.Serializer):
    held_on = serializers.DateField(
        required=False, help_text=_("The day it took place; the planned day by default.")
    )
    version = version_field()


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text=_("The answers by question key; see the questionnaire version's structure.")
    )
    version = version_field()


class ChangeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Send it in `accepted` to apply this change."))
    kind = serializers.ChoiceField(choices=MeetingOutcome.Kind.choices)
    kind_label = serializers.CharField()
    summary = serializers.CharField()


class RecordSerializer(serializers.Serializer):
    accepted = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=1000,
        help_text=_("The keys of the reviewed changes to apply; the others change nothing."),
    )
    held_on = serializers.DateField(required=False)
    version = version_field()


class MeetingQuerySerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)
    # "from" is a Python keyword: declared under another name, renamed in get_fields().
    from_date = serializers.DateField(required=False, help_text=_("From this day on."))
    to = serializers.DateField(required=False, help_text=_("Up to this day."))
    mine = serializers.BooleanField(
        required=False, default=False, help_text=_("Only meetings you attend.")
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_date")
        return fields


# --- Work items and opportunities --------------------------------------------------------------


class WorkItemSerializer(VersionedSerializer):
    organization = VisibleRelatedField(
        scope_path="",
        queryset=Organization.objects.all(),
        error_messages={"does_not_exist": _("No such client.")},
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    assigned_to = _staff(required=False, allow_null=True)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "organization",
            "meeting",
            "product",
            "quality_check",
            "title",
            "promised",
            "measured",
            "unit",
            "assigned_to",
            "due_on",
            "status",
            "notes",
            "closed_on",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields: ClassVar[list[str]] = [
            "meeting",
            "quality_check",
            "closed_on",
            "created_by",
        ]


class WorkItemUpdateSerializer(WorkItemSerializer):
    version = version_field()

    class Meta(WorkItemSerializer.Meta):
        read_only_fields: ClassVar[list[str]] = [
            "organization",
            "meeting",
            "product",
            "quality_check",
            "closed_on",
            "created_by",
        ]


class OpportunitySerializer(VersionedSerializer):
    organization = VisibleRelatedField(
        scope_path="",
        queryset=Organization.objects.all(),
        error_messages={"does_not_exist": _("No such client.")},
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    owner = _staff(required=False, allow_null=True)
    estimated_value = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=40,
        help_text=_('The estimated value as a decimal string in `currency` ("120000.50").'),
    )
    currency = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=3,
        help_text=_("ISO 4217; the base one by default."),
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "organization",
            "meeting",
            "kind",
            "product",
            "product_name",
            "estimated_value",
            "estimated_minor",
            "currency",
            "next_step",
            "next_step_on",
            "status",
            "owner",
            "closed_on",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields: ClassVar[list[str]] = ["meeting", "estimated_minor", "closed_on"]

    def to_representation(self, instance: Opportunity) -> dict[str, Any]:
        data = super().to_representation(instance)
        minor = instance.estimated_minor
        data["estimated_value"] = (
            None if minor is None else str(money.to_major(minor, instance.currency))
        )
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "estimated_value" not in attrs:
            return attrs
        raw = attrs.pop("estimated_value")
        currency = attrs.get("currency") or (
            self.instance.currency if self.instance is not None else ""
        )
        currency = currency or settings.KAMRAD_BASE_CURRENCY
        if raw in (None, ""):
            attrs["estimated_minor"] = None
            return attrs
        try:
            currency = money.check_currency(currency)
            attrs["estimated_minor"] = money.to_minor(raw, currency)
        except (ValueError, ArithmeticError):
            raise serializers.ValidationError(
                {"estimated_value": [_("Give an amount such as 120000.50 in the currency.")]}
            ) from None
        if not 0 <= attrs["estimated_minor"] <= MAX_ID:
            raise serializers.ValidationError(
                {"estimated_value": [_("The amount is out of range.")]}
            )
        attrs["currency"] = currency
        return attrs


class OpportunityUpdateSerializer(OpportunitySerializer):
    version = version_field()

    class Meta(OpportunitySerializer.Meta):
        read_only_fields: ClassVar[list[str]] = [
            "organization",
            "meeting",
            "estimated_minor",
            "closed_on",
        ]
