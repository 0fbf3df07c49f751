"""The pyramid over the API: client values, tier moves, the summary, and the recompute.

The same access rules as the pages: an account manager reads only their own clients' values
and moves (another's answers 404); only the program head and administrators recompute.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import ClassVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from kamrad.api.exceptions import ErrorSerializer, FieldErrorsSerializer
from kamrad.api.views import KamradApi, Pagination
from kamrad.pyramid import selectors, services
from kamrad.pyramid.models import ClientValue, RecomputeRun, Tier, TierMove, Trend
from kamrad.users.access import Rule

_ERRORS = {
    400: OpenApiResponse(FieldErrorsSerializer, description="Bad input: each field's messages."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in, or a wrong token."),
    403: OpenApiResponse(ErrorSerializer, description="This account may not do this."),
    404: OpenApiResponse(
        ErrorSerializer, description="No such client, or a client that is not yours."
    ),
    409: OpenApiResponse(ErrorSerializer, description="A recompute is already running."),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _ERRORS[code] for code in codes}


# --- Serializers --------------------------------------------------------------------------


class ClientValueSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        source="pk", read_only=True, help_text="The organization's id (one value per client)."
    )
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    name = serializers.CharField(source="organization.name", read_only=True)
    account_manager = serializers.IntegerField(
        source="organization.account_manager_id", read_only=True, allow_null=True
    )
    currency = serializers.SerializerMethodField()

    class Meta:
        model = ClientValue
        fields = [
            "id",
            "organization",
            "name",
            "account_manager",
            "tier",
            "trend",
            "ltv",
            "profit",
            "cost_to_serve",
            "recent_ltv",
            "cv",
            "is_unstable",
            "currency",
            "computed_at",
        ]
        extra_kwargs = {
            "ltv": {"help_text": "Profit − cost to serve over the client's life, minor units."},
            "cv": {"help_text": "Coefficient of variation of the recent quarterly profits."},
        }

    def get_currency(self, obj: ClientValue) -> str:
        return settings.KAMRAD_BASE_CURRENCY


class TierMoveSerializer(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    name = serializers.CharField(source="organization.name", read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True, allow_null=True)

    class Meta:
        model = TierMove
        fields = [
            "id",
            "organization",
            "name",
            "from_tier",
            "to_tier",
            "is_fall",
            "at",
            "run",
            "ltv",
        ]


class RecomputeRunSerializer(serializers.ModelSerializer):
    started_by = serializers.IntegerField(source="started_by_id", read_only=True, allow_null=True)

    class Meta:
        model = RecomputeRun
        fields = [
            "id",
            "status",
            "started_by",
            "started_at",
            "finished_at",
            "on",
            "done",
            "total",
            "clients",
            "changed",
            "moves",
        ]


class TierSummarySerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    ltv = serializers.IntegerField()
    share = serializers.FloatField(
        allow_null=True, help_text="Percent of the LTV of all tiers but the ballast."
    )


class SummarySerializer(serializers.Serializer):
    currency = serializers.CharField()
    tiers = TierSummarySerializer(many=True)
    running = RecomputeRunSerializer(allow_null=True)
    last = RecomputeRunSerializer(allow_null=True)


class ValueQuerySerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    trend = serializers.ChoiceField(choices=Trend.choices, required=False)


class MoveQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="Moves on or after this day.")
    falls = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only falls (true) or rises."
    )


class RecomputeRequestSerializer(serializers.Serializer):
    organizations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=100_000,
        help_text=(
            "Only these clients' records changed since the last recompute (after an import): "
            "their sums are read again, everyone is ranked anew. Omit to recompute all."
        ),
    )


# --- Views -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[ValueQuerySerializer],
        responses={200: ClientValueSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: ClientValueSerializer, **_errors(401, 403, 404)}),
)
class ClientValueViewSet(
    KamradApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """Each client's LTV, trend and tier, as the last recompute found them; by organization id."""

    queryset = ClientValue.objects.all()
    serializer_class = ClientValueSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[ClientValue]:
        return (
            selectors.values_visible_to(self.request.user)
            .select_related("organization")
            .order_by("-ltv", "organization_id")
        )

    def filter_queryset(self, queryset: QuerySet[ClientValue]) -> QuerySet[ClientValue]:
        if self.action != "list":
            return queryset
        query = ValueQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        for field, value in query.validated_data.items():
            queryset = queryset.filter(**{field: value})
        return queryset


@extend_schema_view(
    list=extend_schema(
        parameters=[MoveQuerySerializer],
        responses={200: TierMoveSerializer(many=True), **_errors(400, 401, 403)},
    )
)
class TierMoveViewSet(KamradApi, mixins.ListModelMixin, GenericViewSet):
    """Moves of clients between tiers, newest first; `is_fall` marks a move to a lower tier."""

    queryset = TierMove.objects.all()
    serializer_class = TierMoveSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[TierMove]:
        return (
            selectors.moves_visible_to(self.request.user)
            .select_related("organization")
            .order_by("-at", "-id")
        )

    def filter_queryset(self, queryset: QuerySet[TierMove]) -> QuerySet[TierMove]:
        query = MoveQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params.get("since"):
            day = datetime.combine(params["since"], time.min)
            queryset = queryset.filter(at__gte=timezone.make_aware(day))
        if params.get("falls") is not None:
            queryset = queryset.filter(is_fall=params["falls"])
        return queryset


class PyramidSummaryView(KamradApi, APIView):
    """The four tiers with their counts, LTV and shares (of your clients, for a manager)."""

    @extend_schema(responses={200: SummarySerializer, **_errors(401, 403)})
    def get(self, request: Request) -> Response:
        running, finished = selectors.last_runs()
        data = {
            "currency": settings.KAMRAD_BASE_CURRENCY,
            "tiers": [vars(t) for t in selectors.summary(request.user)],
            "running": running,
            "last": finished,
        }
        return Response(SummarySerializer(data).data)


class RecomputeView(KamradApi, APIView):
    """Start a recompute of the pyramid (program head and administrators); one at a time."""

    access_policy: ClassVar[tuple[Rule, Rule]] = (Rule.HEAD, Rule.HEAD)

    @extend_schema(
        request=RecomputeRequestSerializer,
        responses={202: RecomputeRunSerializer, **_errors(400, 401, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        body = RecomputeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run = services.recompute_launch(
                user=request.user, organization_ids=body.validated_data.get("organizations")
            )
        except services.RecomputeBusy as busy:
            return Response({"detail": str(busy)}, status=status.HTTP_409_CONFLICT)
        return Response(RecomputeRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
