"""The reports API: the questionnaire results across the program as JSON, the same figures as
the page (an account manager's are her own clients')."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from kamrad.api.serializers import MAX_ID
from kamrad.api.views import KamradApi, _errors
from kamrad.reports import selectors
from kamrad.users.access import Rule
from kamrad.users.models import User


class ReportQuerySerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed below.
    from_date = serializers.DateField(
        required=False, help_text="From this day (the program's start)."
    )
    to = serializers.DateField(required=False, help_text="Up to this day (the program's end).")
    member = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Only the clients this user manages.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_date")
        return fields

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"to": [_("The period ends before it starts.")]})
        return attrs


class QualityRowSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    failed = serializers.IntegerField()
    closed = serializers.IntegerField()
    open = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    average_days = serializers.FloatField(allow_null=True)


class OpportunityRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    open = serializers.IntegerField()
    value_base = serializers.IntegerField(help_text="In minor units of the base currency.")
    unconverted = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Sums in minor units by currency that had no exchange rate (not in value_base).",
    )


class OpportunityBlockSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rate_date = serializers.DateField()
    rows = OpportunityRowSerializer(many=True)
    total = OpportunityRowSerializer()


class ReferralRowSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    gained = serializers.IntegerField()
    converted = serializers.IntegerField()
    percent = serializers.IntegerField()


class ReferralBlockSerializer(serializers.Serializer):
    rows = ReferralRowSerializer(many=True)
    total = ReferralRowSerializer()


class PeopleRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(allow_null=True)
    member = serializers.CharField()
    month = serializers.DateField()
    new_people = serializers.IntegerField()
    first_met = serializers.IntegerField()


class MeetingsReportSerializer(serializers.Serializer):
    from_date = serializers.DateField()
    to = serializers.DateField()
    member = serializers.IntegerField(allow_null=True, max_value=MAX_ID)
    quality = QualityRowSerializer(many=True)
    opportunities = OpportunityBlockSerializer()
    referrals = ReferralBlockSerializer()
    people = PeopleRowSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_date")
        return fields


class MeetingsReportView(KamradApi, APIView):
    """Questionnaire results across the program: quality failures by service and their
    closing time, opportunities by product and value, referrals gained and converted, key
    people newly met. For a period (by default the running program's) and optionally one
    member's clients; an account manager's figures count her own clients only."""

    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={200: MeetingsReportSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = ReportQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        today = timezone.localdate()
        default = selectors.default_period(today)
        period = selectors.Period(
            params.get("from") or default.starts_on, params.get("to") or default.ends_on
        )
        if period.starts_on > period.ends_on:
            raise serializers.ValidationError({"from": [_("The period ends before it starts.")]})
        report = selectors.meetings_report(period, request.user, params.get("member"), today)
        return Response(MeetingsReportSerializer(selectors.as_data(report)).data)


# Paths that must come before the router's (a fixed word the router would take for an id).
urlpatterns: list = [
    path("reports/meetings/", MeetingsReportView.as_view(), name="api-reports-meetings"),
]


def register(router: SimpleRouter) -> None:
    """Add this app's API collections to the API's router."""
