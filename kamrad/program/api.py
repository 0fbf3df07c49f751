"""The VIP program over the API: programs, staff, the client list, proposals and their lines,
reassignments, worklists, coverage and goals.

The same access rules as the pages: an account manager reads only their own clients' rows
(another's answers 404) and their own worklist; proposals, their lines and the reassignments
are for the head, management and administrators; only the head (and administrators) change
the program. Writes go through kamrad.program.services; edits carry the version read (409
when stale) — a proposal line's edit carries its proposal's version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Count, Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from kamrad.api.exceptions import etag
from kamrad.api.serializers import MAX_ID
from kamrad.api.views import (
    ETAG_HEADER,
    IF_MATCH_HEADER,
    KamradApi,
    Pagination,
    VersionedViewSet,
    _errors,
    card_schema,
)
from kamrad.clients.services import StaleEdit
from kamrad.program import selectors, services
from kamrad.program import serializers as s
from kamrad.program.models import (
    Member,
    Program,
    ProgramClient,
    Proposal,
    ProposalLine,
    Reassignment,
    Rule,
)
from kamrad.users import access
from kamrad.users.access import Rule as Access
from kamrad.users.models import Role, User


def _id_query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, description=description)


PROGRAM_FILTER = _id_query("program", "Only this program's records.")


def _read_ids(request: Request, names: Mapping[str, str]) -> dict[str, int]:
    """The integer filters of a list (parameter → lookup); 400 for one that is not an id."""
    found: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for param, lookup in names.items():
        raw = request.query_params.get(param)
        if raw in (None, ""):
            continue
        try:
            found[lookup] = serializers.IntegerField(min_value=1, max_value=MAX_ID).run_validation(
                raw
            )
        except serializers.ValidationError as error:
            errors[param] = error.detail
    if errors:
        raise serializers.ValidationError(errors)
    return found


def _expected_version(view: Any, from_body: int | None) -> int:
    # The same reading of `version` and If-Match as every other versioned endpoint.
    return VersionedViewSet.expected_version(view, from_body)


class ReadViewSet(KamradApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """List and read what the user may see (through `scope_path`), filtered by ids."""

    scope_path: ClassVar[str | None] = None  # None: not a client's data, the same for everyone
    list_filters: ClassVar[Mapping[str, str]] = {}
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.scope_path is None:
            return queryset if access.role_of(self.request.user) else queryset.none()
        return access.scope(queryset, self.request.user, self.scope_path)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        return queryset.filter(**_read_ids(self.request, self.list_filters))


# --- Programs -----------------------------------------------------------------------------------


@card_schema(s.ProgramSerializer, update_serializer=s.ProgramUpdateSerializer)
class ProgramViewSet(VersionedViewSet):
    """VIP programs with their head, period, workload estimate and status (one runs at a time).

    Everyone reads them; the program head (and administrators) create and change them. Each
    program's worklists, coverage and goals hang off it.
    """

    queryset = Program.objects.all()
    access_policy = (Access.SIGNED_IN, Access.HEAD)
    output_serializer_class = s.ProgramSerializer
    update_serializer_class = s.ProgramUpdateSerializer

    def get_queryset(self) -> QuerySet[Program]:
        queryset = Program.objects.order_by("-starts_on", "-id")
        return queryset if access.role_of(self.request.user) else queryset.none()

    def create_object(self, data: dict[str, Any]) -> Program:
        data.setdefault("head", self.request.user)
        return services.program_create(user=self.request.user, data=data)

    def update_object(
        self, instance: Program, data: dict[str, Any], expected_version: int
    ) -> Model:
        return services.program_update(
            user=self.request.user, program=instance, data=data, expected_version=expected_version
        )

    # The program's own views: its worklists, coverage and goals.

    @extend_schema(
        parameters=[s.WorklistQuerySerializer],
        responses={200: s.WorklistRowSerializer(many=True), **_errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def worklist(self, request: Request, pk: str | None = None) -> Response:
        """A member's clients in the order of what is due, with tier and last contact."""
        program = self.get_object()
        query = s.WorklistQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        member_user = self._worklist_user(query.validated_data.get("user"))
        rows = selectors.worklist(program, request.user, member_user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.WorklistRowSerializer(page, many=True).data)

    def _worklist_user(self, user_id: int | None) -> User:
        user = self.request.user
        if user_id is None or user_id == user.pk:
            return user
        # An account manager's list is theirs alone: another person's does not exist for them.
        if access.role_of(user) == Role.MANAGER:
            raise access.not_found(user, f"the worklist of user {user_id}")
        return get_object_or_404(User, pk=user_id)

    @extend_schema(responses={200: s.CoverageSerializer, **_errors(401, 403, 404)})
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """Worked / in progress / not started: for the program, per member, per tier, per
        region and over time — of your own clients, for an account manager."""
        program = self.get_object()
        today = services.today()
        found = selectors.coverage(program, request.user)
        data = {
            "program": program.pk,
            "as_of": today,
            "days_running": program.days_running(today),
            "total": found.total,
            "by_member": found.by_member,
            "by_tier": found.by_tier,
            "by_region": found.by_region,
            "over_time": selectors.coverage_over_time(program, request.user, today),
            "not_reached": selectors.not_reached(program, request.user).count(),
        }
        return Response(s.CoverageSerializer(data).data)

    @extend_schema(
        methods=["GET"],
        responses={200: s.GoalFigureSerializer(many=True), **_errors(401, 403, 404)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        request=s.GoalSetSerializer,
        responses={200: s.GoalFigureSerializer(many=True), **_errors(400, 401, 403, 404)},
        description=(
            "Set one goal's target (and, for a goal nothing measures, what was achieved). "
            "PUT clears what it leaves out; PATCH keeps it."
        ),
    )
    @action(detail=True, methods=["get", "put", "patch"], pagination_class=None)
    def goals(self, request: Request, pk: str | None = None) -> Response:
        """The program's goals as figures: target, achieved, percent."""
        program = self.get_object()
        if request.method in {"PUT", "PATCH"}:
            given = s.GoalSetSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
            current = program.goal_figures.filter(code=data["code"]).first()
            partial = request.method == "PATCH"

            def value(name: str) -> int | None:
                if name in data or not partial or current is None:
                    return data.get(name)
                return getattr(current, name)

            achieved = value("achieved")
            if data["code"] not in selectors.ENTERED_GOALS and "achieved" not in data:
                achieved = None  # measured from the data: nothing to keep
            services.goal_set(
                user=request.user,
                program=program,
                code=data["code"],
                target=value("target"),
                achieved=achieved,
            )
        figures = selectors.goal_figures(program, request.user, services.today())
        return Response(
            s.GoalFigureSerializer(
                [{**vars(f), "percent": f.percent} for f in figures], many=True
            ).data
        )


# --- Staff --------------------------------------------------------------------------------------


@card_schema(
    s.MemberSerializer, update_serializer=s.MemberUpdateSerializer, filters=[PROGRAM_FILTER]
)
class MemberViewSet(VersionedViewSet):
    """The program's staff, each with a capacity: dedicated (full time) or part-time (by
    default the program's part-time share). Changed by the program head."""

    queryset = Member.objects.select_related("program", "user")
    access_policy = (Access.SIGNED_IN, Access.HEAD)
    list_filters: ClassVar[dict[str, str]] = {"program": "program_id"}
    output_serializer_class = s.MemberSerializer
    update_serializer_class = s.MemberUpdateSerializer

    def get_queryset(self) -> QuerySet[Member]:
        queryset = self.queryset.all()  # staff are not a client's data: the same for everyone
        return queryset if access.role_of(self.request.user) else queryset.none()

    def create_object(self, data: dict[str, Any]) -> Member:
        program = data.pop("program")
        member = services.member_add(user=self.request.user, program=program, data=data)
        return self.queryset.get(pk=member.pk)

    def update_object(self, instance: Member, data: dict[str, Any], expected_version: int) -> Model:
        member = services.member_update(
            user=self.request.user, member=instance, data=data, expected_version=expected_version
        )
        return self.queryset.get(pk=member.pk)


# --- The client list ----------------------------------------------------------------------------


class ProgramClientQuerySerializer(serializers.Serializer):
    program = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this program's clients."
    )
    state = serializers.ChoiceField(
        choices=selectors.STATES,
        required=False,
        help_text="worked, in_progress or not_started.",
    )
    assigned_to = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this member's clients."
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[ProgramClientQuerySerializer],
        responses={200: s.ProgramClientSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        parameters=[ETAG_HEADER],
        responses={200: s.ProgramClientSerializer, **_errors(401, 403, 404)},
    ),
    partial_update=extend_schema(
        request=s.ProgramClientUpdateSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: s.ProgramClientSerializer, **_errors(400, 401, 403, 404, 409)},
        description=(
            "The program head's judgement of the salesperson who brought the client "
            "(owner_relation, owner_doubted, owner_guards, assessment_note: the head only), "
            "and how far it was worked through (meeting_planned_on, met_on, questionnaire_on, "
            "followups_on: its account manager or the head)."
        ),
    ),
)
class ProgramClientViewSet(ReadViewSet):
    """The clients on a program's list, each with the head's judgement of its owner, whom it
    is assigned to and how far it has been worked through. An account manager sees their own."""

    queryset = ProgramClient.objects.select_related("organization")
    scope_path = "organization"
    serializer_class = s.ProgramClientSerializer

    def get_queryset(self) -> QuerySet[ProgramClient]:
        return super().get_queryset().order_by("program", "organization__name", "id")

    def filter_queryset(self, queryset: QuerySet[ProgramClient]) -> QuerySet[ProgramClient]:
        if self.action != "list":
            return queryset
        query = ProgramClientQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "program" in params:
            queryset = queryset.filter(program_id=params["program"])
        if "assigned_to" in params:
            queryset = queryset.filter(assigned_to_id=params["assigned_to"])
        if "state" in params:
            queryset = queryset.alias(state=selectors.state_expression()).filter(
                state=params["state"]
            )
        return queryset

    def _output(self, client: ProgramClient) -> Response:
        data = s.ProgramClientSerializer(client, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": etag(client.version)})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._output(self.get_object())

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        client = self.get_object()
        given = s.ProgramClientUpdateSerializer(client, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        expected = _expected_version(self, data.pop("version", None))
        assessment = {k: v for k, v in data.items() if k in services.ASSESSMENT_FIELDS}
        work = {k: v for k, v in data.items() if k in services.WORK_FIELDS}
        with transaction.atomic():
            if assessment:
                client = services.client_assess(
                    user=request.user, client=client, data=assessment, expected_version=expected
                )
                expected = client.version
            if work or not assessment:
                client = services.client_record_work(
                    user=request.user,
                    client=self.queryset.get(pk=client.pk),
                    data=work,
                    expected_version=expected,
                )
        return self._output(self.queryset.get(pk=client.pk))


class ClientsAddView(KamradApi, APIView):
    """Put clients on a program's list: every corporate client, the VIP candidates, or the
    ones named. A client already on the list stays as it is (the list only grows)."""

    access_policy = (Access.HEAD, Access.HEAD)

    @extend_schema(
        request=s.ClientsAddSerializer,
        responses={200: s.ClientsAddedSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        given = s.ClientsAddSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        program = data["program"]
        if data.get("source") == "corporate":
            added = services.clients_add_corporate(user=request.user, program=program)
        elif data.get("source") == "candidates":
            added = services.clients_add_candidates(user=request.user, program=program)
        else:
            wanted = list(dict.fromkeys(data["organizations"]))
            found = list(access.organizations_visible_to(request.user).filter(pk__in=wanted))
            missing = sorted(set(wanted) - {o.pk for o in found})
            if missing:
                raise serializers.ValidationError(
                    {
                        "organizations": [
                            _("No such organization: %(ids)s.")
                            % {"ids": ", ".join(map(str, missing[:20]))}
                        ]
                    }
                )
            added = services.clients_add(user=request.user, program=program, organizations=found)
        return Response({"added": added, "clients": program.clients.count()})


# --- Proposals ----------------------------------------------------------------------------------


def _rule_counts(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {"rule": rule, "label": str(label), "clients": counts[rule]}
        for rule, label in Rule.choices
        if counts.get(rule)
    ]


def proposal_detail(proposal: Proposal) -> dict[str, Any]:
    """The proposal with each member's load and the count of clients by rule: a fixed number
    of queries whatever its size."""
    loads = selectors.member_loads(proposal.program, proposal)
    by_rule: Counter[str] = Counter(
        dict(
            ProposalLine.objects.filter(proposal=proposal)
            .values_list("rule")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    is_draft = proposal.status == Proposal.Status.DRAFT
    return {
        **s.ProposalSerializer(proposal).data,
        "members": [
            {
                "member": load.member.pk,
                "user": load.member.user_id,
                "name": str(load.member.user),
                "is_active": load.member.is_active,
                "clients": load.clients,
                "minutes": load.minutes,
                "hours": load.hours,
                "capacity_minutes": load.capacity_minutes,
                "capacity_hours": load.capacity_hours,
                "percent": load.percent,
                "over": load.over,
                "by_rule": _rule_counts(load.by_rule),
            }
            for load in loads
        ],
        "by_rule": _rule_counts(by_rule),
        "problems": [str(p) for p in services.confirm_problems(proposal)] if is_draft else [],
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[PROGRAM_FILTER],
        responses={200: s.ProposalSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        parameters=[ETAG_HEADER],
        responses={200: s.ProposalDetailSerializer, **_errors(401, 403, 404)},
    ),
    create=extend_schema(
        request=s.ProposalCreateSerializer,
        parameters=[ETAG_HEADER],
        responses={201: s.ProposalDetailSerializer, **_errors(400, 401, 403, 409)},
        description=(
            "Propose a split of the program's clients among its members, by the three rules "
            "and capacity. A draft proposed before is superseded; its locked lines carry over."
        ),
    ),
)
class ProposalViewSet(mixins.CreateModelMixin, ReadViewSet):
    """Proposed splits of a program's clients among its staff: drafts the head reviews
    (moving and locking clients through the proposal lines) and confirms."""

    queryset = Proposal.objects.select_related("program")
    access_policy = (Access.OVERSEERS, Access.HEAD)
    list_filters: ClassVar[dict[str, str]] = {"program": "program_id"}

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "create":
            return s.ProposalCreateSerializer
        return s.ProposalSerializer

    def _output(self, proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            proposal_detail(proposal), status=code, headers={"ETag": etag(proposal.version)}
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._output(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = s.ProposalCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        proposal = services.proposal_create(
            user=request.user, program=given.validated_data["program"]
        )
        return self._output(self.queryset.get(pk=proposal.pk), status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ConfirmSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: s.ConfirmedSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Make the draft the program's split: each client's account manager follows it and
        every change is recorded. 400 lists what stops it (clients nobody holds, guarded
        clients given back without an override); 409 when the draft changed since read."""
        proposal = self.get_object()
        given = s.ConfirmSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        expected = _expected_version(self, given.validated_data.get("version"))
        changed = services.proposal_confirm(
            user=request.user, proposal=proposal, expected_version=expected
        )
        proposal = self.queryset.get(pk=proposal.pk)
        return Response({"changed": changed, "proposal": s.ProposalSerializer(proposal).data})


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _id_query("proposal", "Only this proposal's lines."),
            _id_query("member", "Only the lines of this member (a program member's id)."),
        ],
        responses={200: s.ProposalLineSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: s.ProposalLineSerializer, **_errors(401, 403, 404)}),
    partial_update=extend_schema(
        request=s.ProposalLineUpdateSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: s.ProposalLineSerializer, **_errors(400, 401, 403, 404, 409)},
        description=(
            "Move the client to another member (`member`, locked there unless `locked` is "
            "false), or lock or unlock its place (`locked`). Giving a client back to the "
            "salesperson who guards it needs `override_reason`. Send the proposal's version."
        ),
    ),
)
class ProposalLineViewSet(ReadViewSet):
    """One client's place in a proposal: the member, the rule that decided it, and whether
    the head moved or locked it."""

    queryset = ProposalLine.objects.select_related(
        "proposal", "organization", "member", "client__organization"
    )
    access_policy = (Access.OVERSEERS, Access.HEAD)
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {"proposal": "proposal_id", "member": "member_id"}
    serializer_class = s.ProposalLineSerializer

    def get_queryset(self) -> QuerySet[ProposalLine]:
        return super().get_queryset().order_by("proposal", "id")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        given = s.ProposalLineUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        expected = _expected_version(self, data.get("version"))
        member: Member | None = data.get("member")
        reason = data.get("override_reason", "").strip()
        if member is not None and (member.pk != line.member_id or reason):
            services.proposal_move(
                user=request.user,
                line=line,
                member=member,
                expected_version=expected,
                lock=data.get("locked", True),
                override_reason=reason,
            )
        elif "locked" in data:
            services.proposal_lock(
                user=request.user, line=line, locked=data["locked"], expected_version=expected
            )
        elif member is None:
            raise serializers.ValidationError(
                {"member": [_("Send the member to move the client to, or `locked`.")]}
            )
        elif line.proposal.version != expected:
            raise StaleEdit(line.proposal)
        line = self.get_queryset().get(pk=line.pk)
        data = s.ProposalLineSerializer(line).data
        return Response(data, headers={"ETag": etag(line.proposal.version)})


# --- Reassignments ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[PROGRAM_FILTER, _id_query("organization", "Only this client's changes.")],
        responses={200: s.ReassignmentSerializer(many=True), **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: s.ReassignmentSerializer, **_errors(401, 403, 404)}),
)
class ReassignmentViewSet(ReadViewSet):
    """Every change of a client's account manager: from whom, to whom, why (the rule, or the
    override's reason), by whom and when. Newest first; nobody edits them."""

    queryset = Reassignment.objects.select_related("organization")
    access_policy = (Access.OVERSEERS, Access.HEAD)
    scope_path = "organization"
    list_filters: ClassVar[dict[str, str]] = {
        "program": "program_id",
        "organization": "organization_id",
    }
    serializer_class = s.ReassignmentSerializer

    def get_queryset(self) -> QuerySet[Reassignment]:
        return super().get_queryset().order_by("-at", "-id")


__all__ = [
    "ClientsAddView",
    "MemberViewSet",
    "ProgramClientViewSet",
    "ProgramViewSet",
    "ProposalLineViewSet",
    "ProposalViewSet",
    "ReassignmentViewSet",
]
