"""The qualification API: criteria and the rule, verdicts, judged criteria, the head's decisions
on candidates, and the attraction stages. Same access rules as the pages; writes go through
kamrad.qualification.services; edits carry the version read (409 when stale).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from kamrad.api.serializers import MAX_VERSION, VersionedSerializer, VisibleRelatedField
from kamrad.api.views import (
    KamradApi,
    Pagination,
    VersionedViewSet,
    _errors,
    _id_parameter,
    card_schema,
)
from kamrad.clients.models import Organization
from kamrad.qualification import selectors, services
from kamrad.qualification.models import (
    AttractionStage,
    CandidateDecision,
    Criterion,
    JudgedMark,
    Measure,
)
from kamrad.users import access
from kamrad.users.access import Rule


def _version_field(required: bool = False) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_VERSION,
        required=required,
        help_text=_(
            "The version you read (0, or leave it out, for a record that does not exist yet). "
            "When someone saved the record since, the change is refused with 409."
        ),
    )


# --- Criteria and the rule ----------------------------------------------------------------------


class MeasureSerializer(serializers.ModelSerializer):
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="USD")

    class Meta:
        model = Measure
        fields = ["metric", "amount_minor", "currency", "count", "percent"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            Measure(**attrs).clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class CriterionSerializer(VersionedSerializer):
    measures = MeasureSerializer(
        many=True,
        required=False,
        help_text=_("A measured criterion's alternatives: it is met when any one of them is."),
    )

    class Meta:
        model = Criterion
        fields = [
            "id",
            "code",
            "kind",
            "name_en",
            "name_ru",
            "help_en",
            "help_ru",
            "enabled",
            "position",
            "measures",
            "version",
            "created_at",
            "updated_at",
        ]


class CriterionUpdateSerializer(CriterionSerializer):
    code = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    version = _version_field()


@card_schema(CriterionSerializer, update_serializer=CriterionUpdateSerializer)
class CriterionViewSet(VersionedViewSet):
    """The VIP criteria: everyone reads them; the program head adds and changes them."""

    queryset = Criterion.objects.prefetch_related("measures")
    access_policy = (Rule.SIGNED_IN, Rule.HEAD)
    output_serializer_class = CriterionSerializer
    update_serializer_class = CriterionUpdateSerializer

    def get_queryset(self) -> QuerySet[Criterion]:
        return self.queryset.all()  # the same for everyone: not a client's data

    @staticmethod
    def _measures(data: dict[str, Any]) -> list[dict[str, Any]] | None:
        found = data.pop("measures", None)
        return None if found is None else [dict(m) for m in found]

    def create_object(self, data: dict[str, Any]) -> Model:
        measures = self._measures(data) or []
        return services.criterion_create(user=self.request.user, data=data, measures=measures)

    def update_object(self, instance: Any, data: dict[str, Any], expected_version: int) -> Model:
        measures = self._measures(data)
        updated = services.criterion_update(
            user=self.request.user,
            criterion=instance,
            data=data,
            measures=measures,
            expected_version=expected_version,
        )
        return Criterion.objects.prefetch_related("measures").get(pk=updated.pk)


class RuleSerializer(serializers.Serializer):
    min_met = serializers.IntegerField(
        min_value=1, max_value=50, help_text=_("A client qualifies meeting at least this many.")
    )
    enabled = serializers.IntegerField(read_only=True, help_text=_("Criteria enabled now."))
    version = _version_field(required=True)


class RuleView(KamradApi, APIView):
    """The rule: a client qualifies when it meets at least `min_met` of the enabled criteria."""

    access_policy = (Rule.SIGNED_IN, Rule.HEAD)

    def _answer(self) -> Response:
        rule = selectors.rule()
        enabled = Criterion.objects.filter(enabled=True).count()
        return Response({"min_met": rule.min_met, "enabled": enabled, "version": rule.version})

    @extend_schema(responses={200: RuleSerializer, **_errors(401, 403)})
    def get(self, request: Request) -> Response:
        return self._answer()

    @extend_schema(
        request=RuleSerializer, responses={200: RuleSerializer, **_errors(400, 401, 403, 409)}
    )
    def put(self, request: Request) -> Response:
        given = RuleSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.rule_update(
            user=request.user,
            min_met=given.validated_data["min_met"],
            expected_version=given.validated_data["version"],
        )
        return self._answer()


# --- Verdicts -----------------------------------------------------------------------------------


class MarkOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    met = serializers.BooleanField()
    note = serializers.CharField()
    set_by = serializers.IntegerField(allow_null=True)
    set_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class AlternativeSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Measure.Metric.choices)
    status = serializers.ChoiceField(choices=selectors.STATUS_VALUES)
    text = serializers.CharField(help_text=_("The figure, its period and the threshold."))
    period = serializers.CharField()
    figure = serializers.IntegerField(
        allow_null=True,
        help_text=_("Base-currency minor units, a count, or tenths of a percent of growth."),
    )
    threshold = serializers.IntegerField(allow_null=True)


class CriterionVerdictSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Criterion.Kind.choices)
    status = serializers.ChoiceField(choices=selectors.STATUS_VALUES)
    alternatives = AlternativeSerializer(many=True)
    mark = MarkOutSerializer(allow_null=True)


class DecisionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=CandidateDecision.Outcome.choices)
    note = serializers.CharField()
    decided_by = serializers.IntegerField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class VerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The organization's id."))
    organization = serializers.IntegerField()
    name = serializers.CharField()
    as_of = serializers.DateField()
    met_count = serializers.IntegerField()
    enabled_count = serializers.IntegerField()
    needed = serializers.IntegerField()
    qualifies = serializers.BooleanField()
    is_candidate = serializers.BooleanField(
        help_text=_("Qualifies and the program head has not decided on it yet.")
    )
    decision = DecisionOutSerializer(allow_null=True)
    criteria = CriterionVerdictSerializer(many=True)


def verdict_data(org: Organization, verdict: selectors.Verdict) -> dict[str, Any]:
    decision = verdict.decision
    return {
        "id": org.pk,
        "organization": org.pk,
        "name": org.name,
        "as_of": verdict.as_of,
        "met_count": verdict.met_count,
        "enabled_count": verdict.enabled_count,
        "needed": verdict.needed,
        "qualifies": verdict.qualifies,
        "is_candidate": verdict.is_candidate,
        "decision": (
            {
                "id": decision.pk,
                "outcome": decision.outcome,
                "note": decision.note,
                "decided_by": decision.decided_by_id,
                "decided_at": decision.decided_at,
                "version": decision.version,
            }
            if decision
            else None
        ),
        "criteria": [
            {
                "criterion": row.criterion.pk,
                "code": row.criterion.code,
                "name": row.criterion.name,
                "kind": row.criterion.kind,
                "status": row.status.value,
                "alternatives": [
                    {
                        "metric": a.measure.metric,
                        "status": a.status.value,
                        "text": a.text,
                        "period": a.period,
                        "figure": a.figure,
                        "threshold": a.threshold,
                    }
                    for a in row.alternatives
                ],
                "mark": (
                    {
                        "id": row.mark.pk,
                        "met": row.mark.met,
                        "note": row.mark.note,
                        "set_by": row.mark.set_by_id,
                        "set_at": row.mark.set_at,
                        "version": row.mark.version,
                    }
                    if row.mark
                    else None
                ),
            }
            for row in verdict.criteria
        ],
    }


class VerdictQuerySerializer(serializers.Serializer):
    candidates = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Only qualifying clients the program head has not decided on yet."),
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[VerdictQuerySerializer],
        responses={200: VerdictSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: VerdictSerializer, **_errors(401, 403, 404)}),
)
class VerdictViewSet(KamradApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The VIP verdict on each organization: every criterion, met or not, and why."""

    queryset = Organization.objects.all()
    serializer_class = VerdictSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Organization]:
        return access.scope(Organization.objects.order_by("name", "id"), self.request.user, "")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = VerdictQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        if query.validated_data["candidates"]:
            # Which clients: the stored verdicts; the page's few are evaluated live in full.
            found = selectors.stored_candidates(request.user)
            page = list(self.paginate_queryset(found) or [])  # type: ignore[arg-type]
            verdicts = selectors.verdicts_for([c.organization.pk for c in page])
            data = [verdict_data(c.organization, verdicts[c.organization.pk]) for c in page]
            return self.get_paginated_response(data)
        page = self.paginate_queryset(self.get_queryset())
        organizations = list(page or [])
        verdicts = selectors.verdicts_for([o.pk for o in organizations])
        return self.get_paginated_response([verdict_data(o, verdicts[o.pk]) for o in organizations])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = self.get_object()
        return Response(verdict_data(org, selectors.verdict_for(org)))


# --- Judged criteria, decisions, attraction stages ----------------------------------------------


class JudgedMarkSerializer(VersionedSerializer):
    organization = VisibleRelatedField(scope_path="", queryset=Organization.objects.all())
    criterion = serializers.PrimaryKeyRelatedField(
        queryset=Criterion.objects.filter(kind=Criterion.Kind.JUDGED),
        help_text=_("A judged criterion (monopoly position, strategic attractiveness…)."),
    )
    set_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    set_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = JudgedMark
        fields = ["id", "organization", "criterion", "met", "note", "set_by", "set_at", "version"]
        # A second judgement of the same criterion is a conflict (409), not bad input.
        validators: ClassVar[list[Any]] = []


class JudgedMarkUpdateSerializer(JudgedMarkSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    criterion = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


ORGANIZATION_FILTER = _id_parameter("organization", "Only this organization's records.")


@card_schema(
    JudgedMarkSerializer,
    update_serializer=JudgedMarkUpdateSerializer,
    filters=[ORGANIZATION_FILTER],
)
class JudgedMarkViewSet(VersionedViewSet):
    """Judged criteria: met or not, with a note, set by the program head or the client's
    account manager. Creating a judgement that exists already answers 409."""

    queryset = JudgedMark.objects.select_related("organization", "criterion")
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {"organization": "organization_id"}
    output_serializer_class = JudgedMarkSerializer
    update_serializer_class = JudgedMarkUpdateSerializer

    def create_object(self, data: dict[str, Any]) -> Model:
        return services.judged_mark_set(
            user=self.request.user,
            organization=data["organization"],
            criterion=data["criterion"],
            met=data["met"],
            note=data.get("note", ""),
            expected_version=0,
        )

    def update_object(self, instance: Any, data: dict[str, Any], expected_version: int) -> Model:
        return services.judged_mark_set(
            user=self.request.user,
            organization=instance.organization,
            criterion=instance.criterion,
            met=data.get("met", instance.met),
            note=data.get("note", instance.note),
            expected_version=expected_version,
        )


class CandidateDecisionSerializer(VersionedSerializer):
    organization = VisibleRelatedField(scope_path="", queryset=Organization.objects.all())
    decided_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = CandidateDecision
        fields = ["id", "organization", "outcome", "note", "decided_by", "decided_at", "version"]


class CandidateDecisionUpdateSerializer(CandidateDecisionSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    version = _version_field()


@card_schema(
    CandidateDecisionSerializer,
    update_serializer=CandidateDecisionUpdateSerializer,
    filters=[ORGANIZATION_FILTER],
)
class CandidateDecisionViewSet(VersionedViewSet):
    """The program head's decision on a VIP candidate: admitted to the VIP program or declined.
    One per organization; deciding again on one already decided is a change (PATCH)."""

    queryset = CandidateDecision.objects.select_related("organization")
    access_policy = (Rule.SIGNED_IN, Rule.HEAD)
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {"organization": "organization_id"}
    output_serializer_class = CandidateDecisionSerializer
    update_serializer_class = CandidateDecisionUpdateSerializer

    def create_object(self, data: dict[str, Any]) -> Model:
        return services.candidate_decide(
            user=self.request.user,
            organization=data["organization"],
            outcome=data["outcome"],
            note=data.get("note", ""),
            expected_version=0,
        )

    def update_object(self, instance: Any, data: dict[str, Any], expected_version: int) -> Model:
        return services.candidate_decide(
            user=self.request.user,
            organization=instance.organization,
            outcome=data.get("outcome", instance.outcome),
            note=data.get("note", instance.note),
            expected_version=expected_version,
        )


class AttractionStageSerializer(VersionedSerializer):
    organization = VisibleRelatedField(scope_path="", queryset=Organization.objects.all())
    done_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = AttractionStage
        fields = ["id", "organization", "stage", "done_on", "done_by", "notes", "version"]
        validators: ClassVar[list[Any]] = []  # a stage recorded twice is a conflict (409)


class AttractionStageUpdateSerializer(AttractionStageSerializer):
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    stage = serializers.IntegerField(read_only=True)
    version = _version_field()


@card_schema(
    AttractionStageSerializer,
    update_serializer=AttractionStageUpdateSerializer,
    filters=[ORGANIZATION_FILTER],
)
class AttractionStageViewSet(VersionedViewSet):
    """The attraction procedure for a prospective VIP: six stages, each done on a date (who
    did it is the user saving it) with notes. Recording a stage that exists answers 409."""

    queryset = AttractionStage.objects.select_related("organization")
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {"organization": "organization_id"}
    output_serializer_class = AttractionStageSerializer
    update_serializer_class = AttractionStageUpdateSerializer

    def create_object(self, data: dict[str, Any]) -> Model:
        return services.attraction_stage_set(
            user=self.request.user,
            organization=data["organization"],
            stage=data["stage"],
            done_on=data.get("done_on"),
            notes=data.get("notes", ""),
            expected_version=0,
        )

    def update_object(self, instance: Any, data: dict[str, Any], expected_version: int) -> Model:
        return services.attraction_stage_set(
            user=self.request.user,
            organization=instance.organization,
            stage=instance.stage,
            done_on=data.get("done_on", instance.done_on),
            notes=data.get("notes", instance.notes),
            expected_version=expected_version,
        )


__all__ = [
    "AttractionStageViewSet",
    "CandidateDecisionViewSet",
    "CriterionViewSet",
    "JudgedMarkViewSet",
    "RuleView",
    "VerdictViewSet",
]
