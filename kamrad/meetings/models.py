"""Meetings with clients, their questionnaires, and what a recorded meeting yields: technical
work items for failed quality checks and opportunities for expansion and new products.

Referrals become prospects (`clients.Organization.referred_by`); new and changed key people,
contact data, relations and notes land on the card itself. Each thing a recording changed is
listed as a `MeetingOutcome`, which the reports count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kamrad.clients.models import Contact, Organization, Product, Versioned
from kamrad.program.models import ProgramClient
from kamrad.questionnaires.models import QualityCheck, TemplateVersion


class Meeting(Versioned):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        RECORDED = "recorded", _("Recorded")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="meetings", verbose_name=_("client")
    )
    program_client = models.ForeignKey(
        ProgramClient,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("VIP program entry"),
    )
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=60)
    place = models.CharField(_("place"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    our_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings", blank=True, verbose_name=_("our people")
    )
    their_people = models.ManyToManyField(
        Contact, related_name="meetings", blank=True, verbose_name=_("their people")
    )
    questionnaire = models.ForeignKey(
        TemplateVersion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("questionnaire"),
    )
    # The answers, by question key; see meetings.answers for the shape of each type.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned by"),
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-starts_at"], name="meeting_client"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingOutcome(models.Model):
    """One change a recorded meeting made: what the reports count and the meeting page lists."""

    class Kind(models.TextChoices):
        PERSON_NEW = "person_new", _("New key person")
        PERSON_CHANGED = "person_changed", _("Key person's position changed")
        PERSON_LEFT = "person_left", _("Key person left")
        CONTACT_DATA = "contact_data", _("Contact data refreshed")
        RELATIONSHIP = "relationship", _("Who knows whom")
        WORK_ITEM = "work_item", _("Technical work item")
        OPPORTUNITY = "opportunity", _("Opportunity")
        REFERRAL = "referral", _("Referral")
        NOTE = "note", _("Note and dossier")

    meeting = models.ForeignKey(
        Meeting, models.CASCADE, related_name="outcomes", verbose_name=_("meeting")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=500)
    contact = models.ForeignKey(
        Contact,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # The organization the outcome made or touched (a referral's prospect, say).
    target_organization = models.ForeignKey(
        Organization,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    object_id = models.PositiveBigIntegerField(_("object"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")
        ordering = ["meeting", "id"]
        indexes = [models.Index(fields=["kind", "meeting"], name="meeting_outcome_kind")]

    def __str__(self) -> str:
        return self.summary


class WorkItem(Versioned):
    """Technical work ordered to restore a service's quality, visible to the head until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="work_items", verbose_name=_("client")
    )
    meeting = models.ForeignKey(
        Meeting,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("meeting"),
    )
    product = models.ForeignKey(
        Product,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    quality_check = models.ForeignKey(
        QualityCheck,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("quality check"),
    )
    title = models.CharField(_("what failed"), max_length=300)
    promised = models.CharField(_("promised"), max_length=60, blank=True)
    measured = models.CharField(_("measured"), max_length=60, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    notes = models.TextField(_("notes"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("technical work item")
        verbose_name_plural = _("technical work items")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="work_item_status_due"),
            models.Index(fields=["organization", "status"], name="work_item_client"),
        ]

    def __str__(self) -> str:
        return self.title


class Opportunity(Versioned):
    """More business with a client: an expansion of what it buys or a new product."""

    class Kind(models.TextChoices):
        EXPANSION = "expansion", _("Expansion")
        NEW_PRODUCT = "new_product", _("New product")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="opportunities", verbose_name=_("client")
    )
    meeting = models.ForeignKey(
        Meeting,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("meeting"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    product = models.ForeignKey(
        Product,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("product"),
    )
    product_name = models.CharField(
        _("product or direction"), max_length=200, blank=True, help_text=_("When not a product.")
    )
    # Exact money: an integer of the currency's minor unit (see kamrad.lib.money).
    estimated_minor = models.BigIntegerField(_("estimated value"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_step_on"], name="opportunity_status")]

    def __str__(self) -> str:
        return self.product.name if self.product_id else self.product_name
