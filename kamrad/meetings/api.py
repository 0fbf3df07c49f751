"""Meetings over the API: plan, reschedule, cancel, hold, fill the questionnaire, review what it
would change and record it; the technical work items and opportunities meetings yield, and
the list of everything a recorded meeting changed.

The same access rules as the pages: an account manager reaches only their own clients'
meetings and items (another's answer 404), a viewer reads and never writes (403). Writes go
through kamrad.meetings.services; edits carry the version read (409 when stale).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kamrad.api.exceptions import etag
from kamrad.api.serializers import MAX_ID
from kamrad.api.views import (
    ETAG_HEADER,
    IF_MATCH_HEADER,
    CardViewSet,
    VersionedViewSet,
    _errors,
    card_schema,
)
from kamrad.meetings import serializers as s
from kamrad.meetings import services
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.users import access

# Paths that must come before the router's (a fixed word the router would take for an id).
urlpatterns: list = []


def _id_query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, description=description)


def _choice_query(name: str, choices: Any, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, enum=[c for c, _label in choices], description=description)


class _Lists:
    """Integer and choice filters of a list, 400 for a value that is not one."""

    list_filters: ClassVar[dict[str, str]] = {}
    choice_filters: ClassVar[dict[str, Any]] = {}

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)  # type: ignore[misc]
        if self.action != "list":  # type: ignore[attr-defined]
            return queryset
        errors: dict[str, Any] = {}
        params = self.request.query_params  # type: ignore[attr-defined]
        for name, choices in self.choice_filters.items():
            raw = params.get(name)
            if raw in (None, ""):
                continue
            try:
                value = serializers.ChoiceField(choices=choices).run_validation(raw)
            except serializers.ValidationError as error:
                errors[name] = error.detail
            else:
                queryset = queryset.filter(**{name: value})
        if errors:
            raise serializers.ValidationError(errors)
        return queryset


# --- Meetings -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[s.MeetingQuerySerializer],
        responses={200: s.MeetingSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        parameters=[ETAG_HEADER], responses={200: s.MeetingSerializer, **_errors(401, 403, 404)}
    ),
    create=extend_schema(
        request=s.MeetingPlanSerializer,
        parameters=[ETAG_HEADER],
        responses={201: s.MeetingSerializer, **_errors(400, 401, 403)},
        description="Plan a meeting with a client of yours; you attend it unless you name others.",
    ),
    partial_update=extend_schema(
        request=s.MeetingUpdateSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: s.MeetingSerializer, **_errors(400, 401, 403, 404, 409)},
        description="Reschedule or change a meeting that is not recorded or cancelled.",
    ),
)
class MeetingViewSet(VersionedViewSet):
    """Meetings with clients: planned, held, recorded (the questionnaire's changes applied to
    the card) or cancelled, each with our people and theirs, the questionnaire version it is
    filled with, the answers and what recording it changed."""

    queryset = Meeting.objects.prefetch_related("our_people", "their_people", "outcomes")
    scope_path = "organization"
    output_serializer_class = s.MeetingSerializer
    update_serializer_class = s.MeetingUpdateSerializer
    http_method_names: ClassVar[list[str]] = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return super().get_queryset().order_by("-starts_at", "-id")

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return s.MeetingPlanSerializer
        return super().get_serializer_class()

    def filter_queryset(self, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
        if self.action != "list":
            return queryset
        query = s.MeetingQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "organization" in params:
            queryset = queryset.filter(organization_id=params["organization"])
        if "status" in params:
            queryset = queryset.filter(status=params["status"])
        if "from" in params:
            queryset = queryset.filter(starts_at__date__gte=params["from"])
        if "to" in params:
            queryset = queryset.filter(starts_at__date__lte=params["to"])
        if params.get("mine"):
            queryset = queryset.filter(our_people=self.request.user)
        return queryset

    def _fresh(self, meeting: Meeting) -> Meeting:
        return self.queryset.get(pk=meeting.pk)

    def create_object(self, data: dict[str, Any]) -> Meeting:
        organization = data.pop("organization")
        language = data.pop("language", None)
        meeting = services.meeting_plan(
            user=self.request.user, organization=organization, data=data, language=language
        )
        return self._fresh(meeting)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Every field of a meeting is optional: PUT changes what it sends, as PATCH does.
        return super().update(request, *args, partial=True)

    def update_object(
        self, instance: Meeting, data: dict[str, Any], expected_version: int
    ) -> Model:
        meeting = services.meeting_update(
            user=self.request.user, meeting=instance, data=data, expected_version=expected_version
        )
        return self._fresh(meeting)

    def _given(self, serializer: type[serializers.Serializer]) -> tuple[dict[str, Any], int]:
        given = serializer(data=self.request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        return data, self.expected_version(data.pop("version", None))

    @extend_schema(
        request=s.VersionSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: s.MeetingSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a planned meeting."""
        meeting = self.get_object()
        _data, expected = self._given(s.VersionSerializer)
        meeting = services.meeting_cancel(
            user=request.user, meeting=meeting, expected_version=expected
        )
        return self.output(self._fresh(meeting))

    @extend_schema(
        request=s.HoldSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: s.MeetingSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        """The meeting took place (on `held_on`, by default its planned day)."""
        meeting = self.get_object()
        data, expected = self._given(s.HoldSerializer)
        meeting = services.meeting_hold(
            user=request.user,
            meeting=meeting,
            expected_version=expected,
            held_on=data.get("held_on"),
        )
        return self.output(self._fresh(meeting))

    @extend_schema(
        request=s.AnswersSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: s.MeetingSerializer, **_errors(400, 401, 403, 404, 409)},
        description=(
            "Keep the questionnaire's answers typed so far (nothing on the card changes yet). "
            "A bad answer gives 400 with the question's key and its messages."
        ),
    )
    @action(detail=True, methods=["put", "patch"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data, expected = self._given(s.AnswersSerializer)
        meeting = services.meeting_save_answers(
            user=request.user, meeting=meeting, data=data["answers"], expected_version=expected
        )
        return self.output(self._fresh(meeting))

    @extend_schema(
        responses={200: s.ChangeSerializer(many=True), **_errors(401, 403, 404)},
        description="What recording the answers would change on the card, each with its key.",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def review(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        labels = dict(MeetingOutcome.Kind.choices)
        changes = [
            {
                "key": c.key,
                "kind": c.kind,
                "kind_label": str(labels.get(c.kind, c.kind)),
                "summary": c.summary,
            }
            for c in services.meeting_review(meeting)
        ]
        return Response(s.ChangeSerializer(changes, many=True).data)

    @extend_schema(
        request=s.RecordSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: s.OutcomeSerializer(many=True), **_errors(400, 401, 403, 404, 409)},
        description=(
            "Record the meeting: apply the reviewed changes named in `accepted`; a planned "
            "meeting is held first. The answers are final after this."
        ),
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def record(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data, expected = self._given(s.RecordSerializer)
        outcomes = services.meeting_record(
            user=request.user,
            meeting=meeting,
            accepted=data["accepted"],
            expected_version=expected,
            held_on=data.get("held_on"),
        )
        meeting.refresh_from_db(fields=["version"])
        return Response(
            s.OutcomeSerializer(outcomes, many=True).data,
            headers={"ETag": etag(meeting.version)},
        )


# --- Work items and opportunities --------------------------------------------------------------


@card_schema(
    s.WorkItemSerializer,
    update_serializer=s.WorkItemUpdateSerializer,
    filters=[
        _id_query("organization", "Only this client's items."),
        _id_query("assigned_to", "Only the items assigned to this user."),
        _id_query("meeting", "Only the items this meeting opened."),
        _choice_query("status", WorkItem.Status.choices, "Only items in this status."),
    ],
)
class WorkItemViewSet(_Lists, VersionedViewSet):
    """Technical work to restore a service's quality: what failed, measured against promised,
    whom it is assigned to, when it is due and its status. Recorded meetings open them for
    failed quality checks; they can be opened by hand too."""

    queryset = WorkItem.objects.all()
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {
        "organization": "organization_id",
        "assigned_to": "assigned_to_id",
        "meeting": "meeting_id",
    }
    choice_filters: ClassVar[dict[str, Any]] = {"status": WorkItem.Status.choices}
    output_serializer_class = s.WorkItemSerializer
    update_serializer_class = s.WorkItemUpdateSerializer
    http_method_names: ClassVar[list[str]] = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[WorkItem]:
        return super().get_queryset().order_by("due_on", "id")

    def create_object(self, data: dict[str, Any]) -> WorkItem:
        organization = data.pop("organization")
        return services.work_item_create(
            user=self.request.user, organization=organization, data=data
        )

    def update_object(
        self, instance: WorkItem, data: dict[str, Any], expected_version: int
    ) -> Model:
        return services.work_item_update(
            user=self.request.user, item=instance, data=data, expected_version=expected_version
        )


@card_schema(
    s.OpportunitySerializer,
    update_serializer=s.OpportunityUpdateSerializer,
    filters=[
        _id_query("organization", "Only this client's opportunities."),
        _id_query("owner", "Only the opportunities this user owns."),
        _id_query("meeting", "Only the opportunities this meeting found."),
        _choice_query("status", Opportunity.Status.choices, "Only these."),
        _choice_query("kind", Opportunity.Kind.choices, "Expansion or a new product."),
    ],
)
class OpportunityViewSet(_Lists, VersionedViewSet):
    """More business with a client: an expansion of what it buys or a new product, with its
    estimated value (exact, in a currency), the next step and whether it was won or lost."""

    queryset = Opportunity.objects.all()
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {
        "organization": "organization_id",
        "owner": "owner_id",
        "meeting": "meeting_id",
    }
    choice_filters: ClassVar[dict[str, Any]] = {
        "status": Opportunity.Status.choices,
        "kind": Opportunity.Kind.choices,
    }
    output_serializer_class = s.OpportunitySerializer
    update_serializer_class = s.OpportunityUpdateSerializer
    http_method_names: ClassVar[list[str]] = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Opportunity]:
        return super().get_queryset().order_by("-created_at", "-id")

    def create_object(self, data: dict[str, Any]) -> Opportunity:
        organization = data.pop("organization")
        return services.opportunity_create(
            user=self.request.user, organization=organization, data=data
        )

    def update_object(
        self, instance: Opportunity, data: dict[str, Any], expected_version: int
    ) -> Model:
        return services.opportunity_update(
            user=self.request.user,
            opportunity=instance,
            data=data,
            expected_version=expected_version,
        )


@card_schema(
    s.OutcomeSerializer,
    filters=[
        _id_query("meeting", "Only this meeting's outcomes."),
        _choice_query("kind", MeetingOutcome.Kind.choices, "Only outcomes of this kind."),
    ],
)
class MeetingOutcomeViewSet(_Lists, CardViewSet):
    """Each change a recorded meeting made to the card; nobody edits them."""

    queryset = MeetingOutcome.objects.all()
    scope_path = "meeting__organization"
    list_filters: ClassVar[dict[str, str]] = {"meeting": "meeting_id"}
    choice_filters: ClassVar[dict[str, Any]] = {"kind": MeetingOutcome.Kind.choices}
    output_serializer_class = s.OutcomeSerializer
    http_method_names: ClassVar[list[str]] = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[MeetingOutcome]:
        return super().get_queryset().order_by("-meeting__starts_at", "meeting", "id")

    def create_object(self, data: dict[str, Any]) -> Model:
        # Outcomes are made by recording a meeting (POST /api/meetings/<id>/record/), never here.
        raise exceptions.MethodNotAllowed("POST")


def register(router: SimpleRouter) -> None:
    """Add this app's API collections to the API's router."""
    router.register("meetings", MeetingViewSet, basename="api-meeting")
    router.register("work-items", WorkItemViewSet, basename="api-work-item")
    router.register("opportunities", OpportunityViewSet, basename="api-opportunity")
    router.register("meeting-outcomes", MeetingOutcomeViewSet, basename="api-meeting-outcome")


__all__ = ["MAX_ID", "access"]
