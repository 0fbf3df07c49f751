"""The VIP program: its head and staff, its client list, the split into individual lists.

A client on a program's list stays there: the list only grows, so nobody falls off silently;
coverage counts every one of them until the program is closed.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kamrad.clients.models import Organization, Versioned


class Program(Versioned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goals = models.TextField(
        _("goals"), blank=True, help_text=_("What the program is to achieve, in words.")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PLANNED
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="headed_programs",
        verbose_name=_("program head"),
    )
    # The workload estimate of one client: a meeting of up to an hour, its preparation and its
    # follow-up. Minutes, so that no float ever decides a split.
    meeting_minutes = models.PositiveIntegerField(
        _("meeting, minutes"), default=60, validators=[MinValueValidator(1)]
    )
    preparation_minutes = models.PositiveIntegerField(_("preparation, minutes"), default=30)
    followup_minutes = models.PositiveIntegerField(_("follow-up, minutes"), default=30)
    weekly_hours = models.PositiveIntegerField(
        _("working hours a week"),
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
        help_text=_("A full-time member's working week."),
    )
    part_time_percent = models.PositiveSmallIntegerField(
        _("part-time share, %"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of their time a part-time member gives the program by default."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("VIP program")
        verbose_name_plural = _("VIP programs")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="program_one_running"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="program_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The program cannot end before it starts.")})

    @property
    def client_minutes(self) -> int:
        """The estimated time one client takes: meeting, preparation and follow-up."""
        return self.meeting_minutes + self.preparation_minutes + self.followup_minutes

    @property
    def weeks(self) -> float:
        return ((self.ends_on - self.starts_on).days + 1) / 7

    def full_time_minutes(self) -> int:
        """The minutes a full-time member has over the whole program."""
        days = (self.ends_on - self.starts_on).days + 1
        return math.floor(self.weekly_hours * 60 * days / 7)

    def days_running(self, on: datetime.date) -> int:
        return max(0, (on - self.starts_on).days)


class Member(Versioned):
    """One of our staff on the program, with the share of their time it has."""

    class Capacity(models.TextChoices):
        DEDICATED = "dedicated", _("Dedicated (full time)")
        PART_TIME = "part_time", _("Part-time (alongside finding new clients)")

    program = models.ForeignKey(
        Program, models.CASCADE, related_name="members", verbose_name=_("program")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="program_memberships",
        verbose_name=_("staff member"),
    )
    capacity = models.CharField(
        _("capacity"), max_length=16, choices=Capacity.choices, default=Capacity.DEDICATED
    )
    share_percent = models.PositiveSmallIntegerField(
        _("share of their time, %"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("100 for dedicated members; part-time ones give half by default."),
    )
    is_active = models.BooleanField(
        _("takes clients"),
        default=True,
        help_text=_("A member who left the program keeps their history but gets no new clients."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program member")
        verbose_name_plural = _("program members")
        ordering = ["program", "user__last_name", "user__first_name", "user__username", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="program_member_once"),
            models.CheckConstraint(
                condition=Q(share_percent__gte=1, share_percent__lte=100),
                name="program_member_share_1_100",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def capacity_minutes(self, program: Program | None = None) -> int:
        program = program or self.program
        if not self.is_active:
            return 0
        return program.full_time_minutes() * self.share_percent // 100


class ProgramClient(Versioned):
    """A client on the program's list, with what the head judged of the salesperson who brought
    it and how far it has been worked through."""

    class Source(models.TextChoices):
        CORPORATE = "corporate", _("Corporate client")
        PRIVATE = "private", _("Important private client")
        CANDIDATE = "candidate", _("VIP candidate")
        ADDED = "added", _("Added by the head")

    class Relation(models.TextChoices):
        UNKNOWN = "unknown", _("Not rated")
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        POOR = "poor", _("Poor")

    program = models.ForeignKey(
        Program, models.CASCADE, related_name="clients", verbose_name=_("program")
    )
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="program_entries", verbose_name=_("client")
    )
    source = models.CharField(_("why on the list"), max_length=16, choices=Source.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    # What the head judged of the salesperson who brought the client (assignment rules 1–3).
    owner_relation = models.CharField(
        _("owner's relations with the client"),
        max_length=16,
        choices=Relation.choices,
        default=Relation.UNKNOWN,
    )
    owner_doubted = models.BooleanField(
        _("doubt that the owner sells it all it can use"), default=False
    )
    owner_guards = models.BooleanField(
        _("the owner guards it from colleagues"),
        default=False,
        help_text=_("Monopolises the relationship: must hand the client to someone else."),
    )
    assessment_note = models.CharField(_("note on the owner"), max_length=500, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="program_clients",
        verbose_name=_("assigned to"),
        help_text=_("Set when the head confirms a split."),
    )
    # How far the client has been worked through; see selectors.work_state.
    meeting_planned_on = models.DateField(_("meeting planned for"), null=True, blank=True)
    met_on = models.DateField(_("meeting held on"), null=True, blank=True)
    questionnaire_on = models.DateField(_("questionnaire recorded on"), null=True, blank=True)
    followups_on = models.DateField(_("follow-ups created on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program client")
        verbose_name_plural = _("program clients")
        ordering = ["program", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "organization"], name="program_client_once"),
        ]
        indexes = [models.Index(fields=["program", "assigned_to"], name="program_client_member")]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.organization_id}"


class Proposal(models.Model):
    """A proposed split of the program's clients among its members, reviewed and confirmed by
    the head. A draft can be changed (move, lock); a confirmed one is history."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        SUPERSEDED = "superseded", _("Superseded")

    program = models.ForeignKey(
        Program, models.CASCADE, related_name="proposals", verbose_name=_("program")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    client_count = models.PositiveIntegerField(_("clients"), default=0)
    seconds = models.FloatField(_("computed in, s"), default=0)

    class Meta:
        verbose_name = _("assignment proposal")
        verbose_name_plural = _("assignment proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program"], condition=Q(status="draft"), name="proposal_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} #{self.pk} {self.status}"


class Rule(models.TextChoices):
    """Which rule decided a client's place in a proposal."""

    LOCKED = "locked", _("Locked by the head")
    OWNER_KEPT = "owner_kept", _("Rule 1: the salesperson who brought it keeps it")
    OWNER_FULL = "owner_full", _("Rule 2: its owner has no room left; balanced by workload")
    OWNER_DOUBTED = "owner_doubted", _("Rule 2: its owner is doubtful; another member takes it")
    OWNER_GUARDS = "owner_guards", _("Rule 3: its owner guards it and must hand it over")
    NO_OWNER = "no_owner", _("Balanced by workload (its owner is not on the program)")
    MOVED = "moved", _("Moved by the head")
    OVERRIDE = "override", _("Given back to its guarding owner by the head's override")
    NOBODY = "nobody", _("No member may take it")


class ProposalLine(models.Model):
    # A proposal writes a line per client (100,000 at once), so the table carries only the
    # indexes its reads need: (proposal, client) and (proposal, member) lead with the proposal,
    # and `client` keeps its own for the cascade when a program client goes.
    proposal = models.ForeignKey(
        Proposal, models.CASCADE, related_name="lines", verbose_name=_("proposal"), db_index=False
    )
    client = models.ForeignKey(
        ProgramClient, models.CASCADE, related_name="proposal_lines", verbose_name=_("client")
    )
    # Denormalised from `client` so that access scoping and the by-member view need no join.
    # No constraint of its own: it is always the client's organization, which that client's
    # PROTECT keeps in place (a check per line would cost a second per 100,000 lines).
    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
        db_index=False,
        db_constraint=False,
    )
    member = models.ForeignKey(
        Member,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="proposal_lines",
        verbose_name=_("member"),
        db_index=False,
    )
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    proposed_rule = models.CharField(
        _("rule proposed"), max_length=16, choices=Rule.choices, blank=True
    )
    grouped = models.BooleanField(
        _("kept with the member's clients of its industry or region"), default=False
    )
    over_capacity = models.BooleanField(_("beyond the member's capacity"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        db_index=False,  # only a few lines are ever changed; nothing looks them up by it
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal line")
        verbose_name_plural = _("proposal lines")
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "client"], name="proposal_line_once"),
        ]
        indexes = [models.Index(fields=["proposal", "member"], name="proposal_line_member")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.client_id} → {self.member_id}"


class Reassignment(models.Model):
    """A client's account manager changed: from whom, to whom, why, by whom, when."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="reassignments", verbose_name=_("client")
    )
    program = models.ForeignKey(
        Program,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reassignments",
        verbose_name=_("program"),
    )
    proposal = models.ForeignKey(
        Proposal,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reassignments",
        verbose_name=_("proposal"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"], name="reassignment_org")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.from_user_id} → {self.to_user_id}"


class Goal(models.Model):
    """A goal of the program as a figure: its target, and what was achieved so far.

    Most figures are measured from the data (selectors.goal_figures); the ones nothing records
    yet are entered by the head.
    """

    class Code(models.TextChoices):
        KEY_PEOPLE_MET = "key_people_met", _("Key people newly met")
        CONTACTS_UPDATED = "contacts_updated", _("Contact data updated")
        QUALITY_FOUND = "quality_found", _("Quality problems found")
        QUALITY_FIXED = "quality_fixed", _("Quality problems fixed")
        EXTRA_VOLUME = "extra_volume", _("Extra volume sold")
        NEW_PRODUCTS = "new_products", _("New products sold")
        REFERRALS = "referrals", _("Referrals gained")

    program = models.ForeignKey(
        Program, models.CASCADE, related_name="goal_figures", verbose_name=_("program")
    )
    code = models.CharField(_("goal"), max_length=20, choices=Code.choices)
    target = models.BigIntegerField(_("target"), null=True, blank=True)
    # Only for the goals that nothing in Kamrad measures yet.
    achieved = models.BigIntegerField(_("achieved (entered)"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program goal")
        verbose_name_plural = _("program goals")
        ordering = ["program", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="program_goal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.code}"
