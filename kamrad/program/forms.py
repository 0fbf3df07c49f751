"""Forms of the VIP program's pages. They validate input; services.py writes."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from kamrad.program import selectors
from kamrad.program.models import Goal, Member, Program, ProgramClient
from kamrad.users.models import Role, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class _ServiceForm(forms.Form):
    """A form whose cleaned data (but the version) is what its service takes."""

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# --- The program --------------------------------------------------------------------------------

PROGRAM_FIELDS = [
    "name",
    "status",
    "starts_on",
    "ends_on",
    "head",
    "goals",
    "weekly_hours",
    "part_time_percent",
    "meeting_minutes",
    "preparation_minutes",
    "followup_minutes",
]
# The model's own fields (labels, limits, help), validated here without touching the database;
# the service checks what needs it (one running program, the end after the start).
_PROGRAM_BASE = fields_for_model(
    Program,
    fields=PROGRAM_FIELDS,
    widgets={
        "starts_on": DateInput,
        "ends_on": DateInput,
        "goals": forms.Textarea(attrs={"rows": 4}),
    },
)


class ProgramForm(_ServiceForm):
    version = _version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = copy.deepcopy(_PROGRAM_BASE)
        fields["head"] = StaffChoiceField(
            label=_("Program head"),
            queryset=User.objects.filter(role__in=[Role.HEAD, Role.ADMIN], is_active=True),
        )
        self.fields = {**fields, "version": self.fields["version"]}

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(program, name) for name in PROGRAM_FIELDS}
        initial["head"] = program.head_id
        initial["version"] = program.version
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The program cannot end before it starts."))
        return data


class GoalForm(forms.Form):
    code = forms.ChoiceField(choices=Goal.Code.choices, widget=forms.HiddenInput)
    target = forms.IntegerField(label=_("Target"), required=False, min_value=0)
    achieved = forms.IntegerField(label=_("Achieved"), required=False, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("code") and data["code"] not in selectors.ENTERED_GOALS:
            data["achieved"] = None
        return data


# --- Staff --------------------------------------------------------------------------------------


class MemberAddForm(_ServiceForm):
    user = StaffChoiceField(label=_("Staff member"), queryset=User.objects.none())
    capacity = forms.ChoiceField(
        label=_("Capacity"), choices=Member.Capacity.choices, initial=Member.Capacity.DEDICATED
    )
    share_percent = forms.IntegerField(
        label=_("Share of their time, %"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Leave empty: 100 for dedicated members, the program's default otherwise."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(role__in=[Role.MANAGER, Role.HEAD], is_active=True)
            .exclude(program_memberships__program=program)
            .order_by("last_name", "first_name", "username")
        )


class MemberForm(_ServiceForm):
    capacity = forms.ChoiceField(label=_("Capacity"), choices=Member.Capacity.choices)
    share_percent = forms.IntegerField(
        label=_("Share of their time, %"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Leave empty: 100 for dedicated members, the program's default otherwise."),
    )
    is_active = forms.BooleanField(
        label=_("Takes clients"),
        required=False,
        help_text=_("A member who left the program keeps their history but gets no new clients."),
    )
    version = _version_field()

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        return {
            "capacity": member.capacity,
            "share_percent": member.share_percent,
            "is_active": member.is_active,
            "version": member.version,
        }


# --- The client list ----------------------------------------------------------------------------

STATE_CHOICES = [("", _("Any state")), *((k, v) for k, v in selectors.STATE_LABELS.items())]


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    member = forms.TypedChoiceField(label=_("Assigned to"), required=False, coerce=int)
    source = forms.ChoiceField(
        label=_("Why on the list"),
        required=False,
        choices=[("", _("Any reason")), *ProgramClient.Source.choices],
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name, tax number, contact…")}
        )
        self.fields["member"].choices = [
            ("", _("Anyone")),
            (0, _("Not assigned yet")),
            *((m.user_id, str(m.user)) for m in members),
        ]
        self.fields["member"].empty_value = None

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"q": "", "state": "", "member": None, "source": ""}
        return self.cleaned_data


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Find clients by name"), required=False, max_length=200)


class ClientPickForm(forms.Form):
    organizations = forms.TypedMultipleChoiceField(
        label=_("Clients to add"), coerce=int, error_messages={"required": _("Tick a client.")}
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = choices


# --- One program client -------------------------------------------------------------------------


class WorkForm(forms.Form):
    meeting_planned_on = forms.DateField(
        label=_("Meeting planned for"), required=False, widget=DateInput
    )
    met_on = forms.DateField(label=_("Meeting held on"), required=False, widget=DateInput)
    questionnaire_on = forms.DateField(
        label=_("Questionnaire recorded on"), required=False, widget=DateInput
    )
    followups_on = forms.DateField(
        label=_("Follow-ups created on"), required=False, widget=DateInput
    )
    version = _version_field()

    FIELDS = ("meeting_planned_on", "met_on", "questionnaire_on", "followups_on")

    @classmethod
    def initial_for(cls, client: ProgramClient) -> dict[str, Any]:
        return {**{f: getattr(client, f) for f in cls.FIELDS}, "version": client.version}

    def service_data(self) -> dict[str, Any]:
        """Only the dates the form sent: a worklist row sends just its next step."""
        return {f: self.cleaned_data.get(f) for f in self.FIELDS if f in self.data}


class AssessForm(_ServiceForm):
    owner_relation = forms.ChoiceField(
        label=_("Owner's relations with the client"), choices=ProgramClient.Relation.choices
    )
    owner_doubted = forms.BooleanField(
        label=_("Doubt that the owner sells it all it can use"), required=False
    )
    owner_guards = forms.BooleanField(
        label=_("The owner guards it from colleagues"),
        required=False,
        help_text=_("Monopolises the relationship: must hand the client to someone else."),
    )
    assessment_note = forms.CharField(
        label=_("Note on the owner"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = _version_field()

    @classmethod
    def initial_for(cls, client: ProgramClient) -> dict[str, Any]:
        return {
            "owner_relation": client.owner_relation,
            "owner_doubted": client.owner_doubted,
            "owner_guards": client.owner_guards,
            "assessment_note": client.assessment_note,
            "version": client.version,
        }


class ReassignForm(forms.Form):
    to_user = StaffChoiceField(label=_("Give it to"), queryset=User.objects.none())
    reason = forms.CharField(
        label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    override = forms.BooleanField(
        label=_("Override: give it back to the owner who guards it"), required=False
    )
    version = _version_field()

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(
            program_memberships__program=program, program_memberships__is_active=True
        ).order_by("last_name", "first_name", "username")


# --- The proposal -------------------------------------------------------------------------------


class MoveForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Move to"), coerce=int)
    lock = forms.BooleanField(label=_("Lock it there"), required=False, initial=True)
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        max_length=500,
        help_text=_("Needed only to give a client back to the owner who guards it."),
    )
    version = _version_field()

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members


class LockForm(forms.Form):
    locked = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
    version = _version_field()


class VersionForm(forms.Form):
    version = _version_field()


# --- Exports ------------------------------------------------------------------------------------

EXPORT_TABLES = ("members", "tiers", "regions", "not_reached")


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")], required=False)
    table = forms.ChoiceField(choices=[(t, t) for t in EXPORT_TABLES], required=False)
