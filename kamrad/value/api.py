"""The work history over the API: records, exchange rates and a client's indicators.

The same rules as the pages and the rest of the API (`kamrad.api.views`): every queryset goes
through `access.scope`, viewers never write, versioned records refuse a stale edit with 409.
Amounts travel as exact decimal strings in major units beside their currency ("1234.56",
"USD"); the base-currency figures beside them are read-only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from kamrad.api.serializers import VersionedSerializer, VisibleRelatedField, _version_field
from kamrad.api.views import (
    KamradApi,
    Pagination,
    Removable,
    VersionedViewSet,
    _errors,
    _id_parameter,
    card_schema,
)
from kamrad.clients.models import Organization, Product
from kamrad.lib import money
from kamrad.users import access
from kamrad.users.access import Rule
from kamrad.value import selectors, services
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost
from kamrad.value.rates import base_currency

DECIMAL_STRING = {"type": "string", "format": "decimal", "example": "1234.56"}


@extend_schema_field(DECIMAL_STRING)
class MoneyField(serializers.Field):
    """An amount in major units as an exact decimal string; stored as minor units."""

    def __init__(self, minor: str, *, base: bool = False, **kwargs: Any) -> None:
        self.minor, self.base = minor, base
        kwargs.setdefault("source", "*")
        if base:
            kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj: Any) -> str:
        currency = base_currency() if self.base else obj.currency
        return str(money.to_major(getattr(obj, self.minor), currency))

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError(_("Send the amount as a decimal string: '1234.56'."))
        text = str(data).strip()
        if not text or len(text) > 40:
            raise serializers.ValidationError(_("Send the amount as a decimal string: '1234.56'."))
        return {self.field_name: text}


class CurrencyField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("help_text", _("ISO 4217 code, such as RUB, USD or EUR."))
        super().__init__(**kwargs)


def _organization_field() -> VisibleRelatedField:
    return VisibleRelatedField(scope_path="", queryset=Organization.objects.all())


class RecordSerializer(VersionedSerializer):
    organization = _organization_field()
    base_currency = serializers.SerializerMethodField(help_text=_("The currency of *_base."))

    def get_base_currency(self, obj: Any) -> str:
        return base_currency()


class SaleSerializer(RecordSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    currency = CurrencyField()
    amount = MoneyField("amount_minor")
    cost = MoneyField("cost_minor", required=False, help_text=_("What the sale cost us."))
    amount_base = MoneyField("amount_base", base=True)
    cost_base = MoneyField("cost_base", base=True)

    class Meta:
        model = Sale
        fields = [
            "id",
            "organization",
            "date",
            "product",
            "product_line",
            "description",
            "quantity",
            "currency",
            "amount",
            "cost",
            "amount_base",
            "cost_base",
            "base_currency",
            "external_id",
            "version",
            "created_at",
            "updated_at",
        ]


class PaymentSerializer(RecordSerializer):
    currency = CurrencyField()
    amount = MoneyField("amount_minor")
    amount_base = MoneyField("amount_base", base=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "organization",
            "due_date",
            "paid_date",
            "method",
            "description",
            "currency",
            "amount",
            "amount_base",
            "base_currency",
            "external_id",
            "version",
            "created_at",
            "updated_at",
        ]


class ClaimSerializer(VersionedSerializer):
    organization = _organization_field()

    class Meta:
        model = Claim
        fields = [
            "id",
            "organization",
            "date",
            "subject",
            "description",
            "resolved_on",
            "external_id",
            "version",
            "created_at",
            "updated_at",
        ]


class ServiceCostSerializer(RecordSerializer):
    currency = CurrencyField()
    amount = MoneyField("amount_minor")
    amount_base = MoneyField("amount_base", base=True)

    class Meta:
        model = ServiceCost
        fields = [
            "id",
            "organization",
            "date",
            "description",
            "currency",
            "amount",
            "amount_base",
            "base_currency",
            "external_id",
            "version",
            "created_at",
            "updated_at",
        ]


class AccountMonthSerializer(RecordSerializer):
    currency = CurrencyField()
    turnover = MoneyField("turnover_minor", required=False)
    average_balance = MoneyField("average_balance_minor", required=False)
    exports = MoneyField("exports_minor", required=False)
    turnover_base = MoneyField("turnover_base", base=True)
    average_balance_base = MoneyField("average_balance_base", base=True)
    exports_base = MoneyField("exports_base", base=True)

    class Meta:
        model = AccountMonth
        fields = [
            "id",
            "organization",
            "month",
            "currency",
            "turnover",
            "average_balance",
            "exports",
            "turnover_base",
            "average_balance_base",
            "exports_base",
            "base_currency",
            "external_id",
            "version",
            "created_at",
            "updated_at",
        ]
        # The month's (organization, month, currency) uniqueness is the service's to report.
        validators: ClassVar[list[Any]] = []


# PUT/PATCH: the same fields, the organization fixed, the version read required.


class SaleUpdateSerializer(SaleSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


class PaymentUpdateSerializer(PaymentSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


class ClaimUpdateSerializer(ClaimSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


class ServiceCostUpdateSerializer(ServiceCostSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


class AccountMonthUpdateSerializer(AccountMonthSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


class RecordViewSet(Removable, VersionedViewSet):
    """A kind of work-history record: created, changed and deleted through its service."""

    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {"organization": "organization_id"}

    def create_object(self, data: dict[str, Any]) -> Model:
        organization = data.pop("organization")
        return services.record_create(
            self.queryset.model,  # type: ignore[union-attr]
            user=self.request.user,
            organization=organization,
            data=data,
        )

    def update_object(self, instance: Any, data: dict[str, Any], expected_version: int) -> Model:
        return services.record_update(
            instance, user=self.request.user, data=data, expected_version=expected_version
        )

    def remove_object(self, obj: Any) -> None:
        services.record_delete(obj, user=self.request.user)


_ORG_FILTER = [_id_parameter("organization", "Only this organization's records.")]


@card_schema(
    SaleSerializer, update_serializer=SaleUpdateSerializer, filters=_ORG_FILTER, deletable=True
)
class SaleViewSet(RecordViewSet):
    """Sales: what the client bought, when, how much, and what it cost us."""

    queryset = Sale.objects.all()
    output_serializer_class = SaleSerializer
    update_serializer_class = SaleUpdateSerializer


@card_schema(
    PaymentSerializer,
    update_serializer=PaymentUpdateSerializer,
    filters=_ORG_FILTER,
    deletable=True,
)
class PaymentViewSet(RecordViewSet):
    """Payments: when due, when paid (empty while unpaid), how, how much."""

    queryset = Payment.objects.all()
    output_serializer_class = PaymentSerializer
    update_serializer_class = PaymentUpdateSerializer


@card_schema(
    ClaimSerializer, update_serializer=ClaimUpdateSerializer, filters=_ORG_FILTER, deletable=True
)
class ClaimViewSet(RecordViewSet):
    """Claims: what the client complained about, and when it was resolved."""

    queryset = Claim.objects.all()
    output_serializer_class = ClaimSerializer
    update_serializer_class = ClaimUpdateSerializer


@card_schema(
    ServiceCostSerializer,
    update_serializer=ServiceCostUpdateSerializer,
    filters=_ORG_FILTER,
    deletable=True,
)
class ServiceCostViewSet(RecordViewSet):
    """Costs to serve: support, visits, gifts, discounts given."""

    queryset = ServiceCost.objects.all()
    output_serializer_class = ServiceCostSerializer
    update_serializer_class = ServiceCostUpdateSerializer


@card_schema(
    AccountMonthSerializer,
    update_serializer=AccountMonthUpdateSerializer,
    filters=_ORG_FILTER,
    deletable=True,
)
class AccountMonthViewSet(RecordViewSet):
    """A bank-style client's monthly account figures: turnover, average balance, exports."""

    queryset = AccountMonth.objects.all()
    output_serializer_class = AccountMonthSerializer
    update_serializer_class = AccountMonthUpdateSerializer


# --- Exchange rates -----------------------------------------------------------------------


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = CurrencyField()
    rate = serializers.CharField(
        max_length=30,
        help_text=_("Base-currency units for one unit of the currency, as a decimal string."),
    )
    base_currency = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate", "base_currency"]
        validators: ClassVar[list[Any]] = []

    def get_base_currency(self, obj: Any) -> str:
        return base_currency()

    def to_representation(self, instance: ExchangeRate) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["rate"] = f"{instance.rate:f}"
        return data


@extend_schema_view(
    list=extend_schema(responses={200: ExchangeRateSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: ExchangeRateSerializer, **_errors(401, 403, 404)}),
    create=extend_schema(responses={201: ExchangeRateSerializer, **_errors(400, 401, 403)}),
    update=extend_schema(responses={200: ExchangeRateSerializer, **_errors(400, 401, 403, 404)}),
    partial_update=extend_schema(
        responses={200: ExchangeRateSerializer, **_errors(400, 401, 403, 404)}
    ),
    destroy=extend_schema(responses={204: None, **_errors(400, 401, 403, 404)}),
)
class ExchangeRateViewSet(
    KamradApi,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """Exchange rates to the base currency. Everyone signed in reads; the program head writes.

    Setting a rate (a currency and a date that already have one: replacing it) recomputes
    the base amounts of the records it governs.
    """

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    pagination_class = Pagination
    access_policy = (Rule.SIGNED_IN, Rule.HEAD)

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return self.queryset if access.role_of(self.request.user) else self.queryset.none()

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        rate, _changed = services.rate_set(user=self.request.user, **serializer.validated_data)
        serializer.instance = rate

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        rate, _changed = services.rate_update(
            user=self.request.user,
            rate=serializer.instance,
            data=dict(serializer.validated_data),
        )
        serializer.instance = rate

    def perform_destroy(self, instance: ExchangeRate) -> None:
        services.rate_delete(user=self.request.user, rate=instance)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(
            self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED
        )


# --- Indicators ---------------------------------------------------------------------------


class IndicatorsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(selectors.PERIODS), default="month")
    start = serializers.DateField(
        required=False,
        help_text=_("First day of the range (its period is counted whole). Default: a year back."),
    )
    end = serializers.DateField(required=False, help_text=_("Last day of the range."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("start", "end"):
            day = attrs.get(name)
            if day is not None and not selectors.EARLIEST <= day <= selectors.LATEST:
                raise serializers.ValidationError(
                    {name: [_("Choose a date between 1900 and 2199.")]}
                )
        return attrs


class IndicatorRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("The period's label: 2026-03, Q1 2026, 2026."))
    start = serializers.DateField(allow_null=True)
    revenue = serializers.CharField()
    cost_of_sales = serializers.CharField()
    profit = serializers.CharField()
    cost_to_serve = serializers.CharField()
    profit_less_cost_to_serve = serializers.CharField()
    payments_received = serializers.CharField()
    payments_late = serializers.IntegerField()
    average_days_late = serializers.CharField(allow_null=True)
    claims_opened = serializers.IntegerField()
    claims_open = serializers.IntegerField()
    turnover = serializers.CharField()
    average_balance = serializers.CharField()
    exports = serializers.CharField()


class IndicatorsSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    rows = IndicatorRowSerializer(many=True)
    total = IndicatorRowSerializer()


def _row(row: selectors.Row, currency: str) -> dict[str, Any]:
    def major(minor: int) -> str:
        return str(money.to_major(minor, currency))

    days = row.average_days_late
    return {
        "period": row.label,
        "start": row.start,
        "revenue": major(row.revenue),
        "cost_of_sales": major(row.cost_of_sales),
        "profit": major(row.profit),
        "cost_to_serve": major(row.cost_to_serve),
        "profit_less_cost_to_serve": major(row.value),
        "payments_received": major(row.payments_received),
        "payments_late": row.payments_late,
        "average_days_late": str(days) if days is not None else None,
        "claims_opened": row.claims_opened,
        "claims_open": row.claims_open,
        "turnover": major(row.turnover),
        "average_balance": major(row.average_balance),
        "exports": major(row.exports),
    }


class IndicatorsView(KamradApi, APIView):
    """A client's indicators by month, quarter or year, in the base currency (read-only)."""

    queryset = Organization.objects.all()
    access_policy = (Rule.SIGNED_IN, Rule.WRITERS)

    @extend_schema(
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            IndicatorsQuerySerializer,
        ],
        responses={200: IndicatorsSerializer, **_errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, id: str) -> Response:  # noqa: A002 - the path's name
        query = IndicatorsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        org = access.get_visible_or_404(
            Organization.objects.all(), request.user, "", pk=_int_or_404(id)
        )
        data = selectors.indicators(org, **query.validated_data)
        return Response(
            {
                "organization": org.pk,
                "period": data.period,
                "start": data.start,
                "end": data.end,
                "currency": data.currency,
                "rows": [_row(r, data.currency) for r in data.rows],
                "total": _row(data.total, data.currency),
            }
        )


def _int_or_404(pk: str) -> int:
    try:
        value = int(pk)
    except ValueError:
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value
