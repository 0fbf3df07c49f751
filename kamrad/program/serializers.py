"""What the VIP program's API accepts and returns. Serializers only validate and shape: the
views hand the validated data to kamrad.program.services, which does every write."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kamrad.api.serializers import MAX_ID, MAX_VERSION, VersionedSerializer
from kamrad.program import selectors
from kamrad.program.models import (
    Goal,
    Member,
    Program,
    ProgramClient,
    Proposal,
    ProposalLine,
    Reassignment,
    Rule,
)
from kamrad.users.models import Role, User


def version_field(help_text: str | None = None) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        help_text=help_text
        or _(
            "The version you read. Required to save a change (here or in an If-Match header); "
            "when someone saved the record since, the change is refused with 409."
        ),
    )


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Programs -----------------------------------------------------------------------------------


class ProgramSerializer(VersionedSerializer):
    head = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, role__in=[Role.HEAD, Role.ADMIN]),
        required=False,
        help_text=_("The program head (a user with the head's role); you, when left out."),
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "goals",
            "status",
            "head",
            "meeting_minutes",
            "preparation_minutes",
            "followup_minutes",
            "weekly_hours",
            "part_time_percent",
            "version",
            "created_at",
            "updated_at",
        ]
        # "One running program" is the service's rule, with its own message.
        validators: ClassVar[list[Any]] = []
        extra_kwargs: ClassVar[dict[str, Any]] = {"status": {"validators": []}}


class ProgramUpdateSerializer(ProgramSerializer):
    version = version_field()


# --- Staff --------------------------------------------------------------------------------------


class MemberSerializer(VersionedSerializer):
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text=_("The staff member: an account manager or a program head."),
    )
    name = serializers.CharField(source="user.__str__", read_only=True)
    capacity_minutes = serializers.SerializerMethodField(
        help_text=_("The minutes they give the program over its whole period (0 when inactive).")
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "program",
            "user",
            "name",
            "capacity",
            "share_percent",
            "is_active",
            "capacity_minutes",
            "version",
            "created_at",
            "updated_at",
        ]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "share_percent": {
                "required": False,
                "help_text": _(
                    "1–100; left out: 100 for dedicated, the program's part-time share."
                ),
            }
        }
        validators: ClassVar[list[Any]] = []  # "once per program" is the service's message

    def get_capacity_minutes(self, member: Member) -> int:
        return member.capacity_minutes()


class MemberUpdateSerializer(MemberSerializer):
    program = serializers.PrimaryKeyRelatedField(read_only=True)
    user = serializers.PrimaryKeyRelatedField(read_only=True)
    version = version_field()


# --- The client list ----------------------------------------------------------------------------


class ProgramClientSerializer(VersionedSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)
    state = serializers.SerializerMethodField(
        help_text=_(
            "worked (meeting held, questionnaire recorded, follow-ups created), in_progress "
            "(any of it, or a meeting planned) or not_started."
        )
    )

    class Meta:
        model = ProgramClient
        fields = [
            "id",
            "program",
            "organization",
            "name",
            "source",
            "added_by",
            "owner_relation",
            "owner_doubted",
            "owner_guards",
            "assessment_note",
            "assigned_to",
            "meeting_planned_on",
            "met_on",
            "questionnaire_on",
            "followups_on",
            "state",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["program", "organization", "source", "added_by", "assigned_to"]

    def get_state(self, client: ProgramClient) -> str:
        return selectors.work_state(client)


class ProgramClientUpdateSerializer(ProgramClientSerializer):
    """The head's judgement of the owner (rules 1–3), and how far the client was worked."""

    version = version_field()


class ClientsAddSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all())
    source = serializers.ChoiceField(
        choices=[
            ("corporate", _("Every corporate client")),
            ("candidates", _("The admitted and qualifying VIP candidates")),
        ],
        required=False,
        help_text=_("Add a whole group; or name the clients in `organizations`."),
    )
    organizations = serializers.ListField(
        child=_id_field(),
        required=False,
        min_length=1,
        max_length=100_000,
        help_text=_("Clients the head picks by hand (important private clients, or any other)."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("source" in attrs) == ("organizations" in attrs):
            raise serializers.ValidationError(
                {"source": [_("Send either a source or a list of organizations.")]}
            )
        return attrs


class ClientsAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text=_("Clients put on the list now."))
    clients = serializers.IntegerField(help_text=_("Clients on the program's list in all."))


# --- Proposals ----------------------------------------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Proposal
        fields = [
            "id",
            "program",
            "status",
            "version",
            "created_by",
            "created_at",
            "confirmed_by",
            "confirmed_at",
            "client_count",
            "seconds",
        ]
        read_only_fields = fields


class ProposalCreateSerializer(serializers.Serializer):
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all())


class RuleCountSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=Rule.choices)
    label = serializers.CharField()
    clients = serializers.IntegerField()


class LoadSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    user = serializers.IntegerField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    clients = serializers.IntegerField()
    minutes = serializers.IntegerField(help_text=_("The estimated time of their clients."))
    hours = serializers.FloatField()
    capacity_minutes = serializers.IntegerField()
    capacity_hours = serializers.FloatField()
    percent = serializers.IntegerField(allow_null=True, help_text=_("Load of their capacity."))
    over = serializers.BooleanField(help_text=_("More clients than their capacity holds."))
    by_rule = RuleCountSerializer(many=True)


class ProposalDetailSerializer(ProposalSerializer):
    members = LoadSerializer(many=True, help_text=_("Each member's clients and hours."))
    by_rule = RuleCountSerializer(many=True, help_text=_("How many clients each rule decided."))
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("What stops the head from confirming this draft (empty: it can be)."),
    )

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "members", "by_rule", "problems"]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer):
    version = version_field(_("The proposal's version you read; a stale one is refused (409)."))


class ConfirmedSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text=_("Clients whose account manager changed."))
    proposal = ProposalSerializer()


class ProposalLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)
    user = serializers.IntegerField(
        source="member.user_id",
        read_only=True,
        allow_null=True,
        help_text=_("The member's user."),
    )
    proposal_version = serializers.IntegerField(
        source="proposal.version",
        read_only=True,
        help_text=_("Send it back to move or lock a client of this proposal."),
    )

    class Meta:
        model = ProposalLine
        fields = [
            "id",
            "proposal",
            "proposal_version",
            "client",
            "organization",
            "name",
            "member",
            "user",
            "rule",
            "proposed_rule",
            "grouped",
            "over_capacity",
            "locked",
            "reason",
            "changed_by",
            "changed_at",
        ]
        read_only_fields = fields


class ProposalLineUpdateSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.select_related("user"),
        required=False,
        help_text=_("Move the client to this member (locked there unless `locked` is false)."),
    )
    locked = serializers.BooleanField(
        required=False, help_text=_("Keep the client's place when proposing again.")
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_(
            "Needed to give a client back to the salesperson who guards it (rule 3); recorded "
            "on the line and, at confirmation, in the reassignment."
        ),
    )
    version = version_field(_("The proposal's version you read (`proposal_version`)."))


# --- Reassignments ------------------------------------------------------------------------------


class ReassignmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Reassignment
        fields = [
            "id",
            "organization",
            "name",
            "program",
            "proposal",
            "from_user",
            "to_user",
            "rule",
            "reason",
            "by",
            "at",
        ]
        read_only_fields = fields


# --- Worklists, coverage, goals -----------------------------------------------------------------


class WorklistRowSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)
    step = serializers.IntegerField(
        help_text=_(
            "What is due: 0 plan a meeting, 1 meeting planned, 2 questionnaire to enter, "
            "3 follow-ups open, 4 worked through."
        )
    )
    step_label = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    tier = serializers.CharField(allow_null=True, help_text=_("The client's pyramid tier."))
    last_touch = serializers.DateField(
        allow_null=True, help_text=_("The last personal touch with the client's people.")
    )

    class Meta:
        model = ProgramClient
        fields = [
            "id",
            "organization",
            "name",
            "step",
            "step_label",
            "state",
            "tier",
            "last_touch",
            "meeting_planned_on",
            "met_on",
            "questionnaire_on",
            "followups_on",
            "version",
        ]
        read_only_fields = fields

    def get_step_label(self, client: ProgramClient) -> str:
        return str(selectors.STEP_LABELS[client.step])  # type: ignore[attr-defined]

    def get_state(self, client: ProgramClient) -> str:
        return selectors.work_state(client)


class WorklistQuerySerializer(serializers.Serializer):
    user = _id_field(
        required=False,
        help_text=_(
            "Whose worklist (a user id); yours when left out. An account manager reads only "
            "their own: another's answers 404."
        ),
    )


class CoverageRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text=_("The member's user id, the tier or the region id; null: none yet."),
    )
    label = serializers.CharField()
    worked = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()
    total = serializers.IntegerField()
    worked_percent = serializers.IntegerField()

    def to_representation(self, row: Any) -> dict[str, Any]:
        data = super().to_representation(row)
        data["key"] = None if row.key is None else str(row.key)
        return data


class CoveragePointSerializer(serializers.Serializer):
    on = serializers.DateField()
    worked = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    total = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    as_of = serializers.DateField()
    days_running = serializers.IntegerField(help_text=_("Days since the program began."))
    total = CoverageRowSerializer()
    by_member = CoverageRowSerializer(many=True)
    by_tier = CoverageRowSerializer(many=True)
    by_region = CoverageRowSerializer(many=True)
    over_time = CoveragePointSerializer(many=True)
    not_reached = serializers.IntegerField(help_text=_("Clients not started yet."))


class GoalFigureSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Goal.Code.choices)
    label = serializers.CharField()
    target = serializers.IntegerField(allow_null=True)
    achieved = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)
    measured = serializers.BooleanField(
        help_text=_("Measured from the data; false: the head enters what was achieved.")
    )
    is_money = serializers.BooleanField(help_text=_("Base-currency minor units."))


class GoalSetSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Goal.Code.choices)
    target = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_ID
    )
    achieved = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_ID,
        help_text=_("Only for the goals nothing measures (quality problems, referrals)."),
    )
