"""Questionnaire templates: sections and questions the program head edits, the versions meetings
keep, and the measurable quality checks defined per service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kamrad.clients.models import Product, Versioned


class Template(Versioned):
    """A questionnaire as the head edits it. Meetings never point here directly: they keep the
    `TemplateVersion` they were filled with, so an edit never rewrites a recorded meeting."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        RUSSIAN = "ru", _("Russian")

    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default for its language"),
        default=False,
        help_text=_("New meetings in this language are planned with this questionnaire."),
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["language", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(is_default=True),
                name="questionnaire_one_default_per_language",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """One of the questionnaire's parts. `purpose` says what its answers feed when recorded."""

    class Purpose(models.TextChoices):
        MEETING = "meeting", _("The meeting: client, date, who held it")
        KEY_PEOPLE = "key_people", _("Key people and their contact data")
        CARNEGIE = "carnegie", _("Carnegie questions: their company and themselves")
        COOPERATION = "cooperation", _("Our current cooperation")
        QUALITY = "quality", _("Objective quality of our service")
        EXPANSION = "expansion", _("Expanding the volume of cooperation")
        NEW_PRODUCTS = "new_products", _("New products and directions")
        REFERRALS = "referrals", _("Referrals")
        OTHER = "other", _("Other")

    template = models.ForeignKey(
        Template, models.CASCADE, related_name="sections", verbose_name=_("questionnaire")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.OTHER
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=5, help_text=_("The share of the hour this section takes.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire section")
        verbose_name_plural = _("questionnaire sections")
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        YES_NO = "yes_no", _("Yes / no")
        NUMBER = "number", _("Number with unit")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        RATING = "rating", _("Rating 1–5")
        PERSONS = "persons", _("List of persons")
        REFERRALS = "referrals", _("List of referrals")
        PRODUCT_OFFER = "product_offer", _("Product offer")
        QUALITY = "quality", _("Quality checks of the client's services")

    section = models.ForeignKey(
        Section, models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Stable across versions: answers are stored under it.
    key = models.SlugField(_("key"), max_length=60)
    text = models.CharField(_("question"), max_length=500)
    hint = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    required = models.BooleanField(_("required"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class TemplateVersion(models.Model):
    """A frozen copy of a questionnaire as it stood when published; meetings keep one.

    `structure` is {"name", "language", "sections": [{"title", "intro", "purpose", "minutes",
    "questions": [{"key", "text", "hint", "kind", "unit", "choices": [...], "required"}]}]}.
    """

    template = models.ForeignKey(
        Template, models.CASCADE, related_name="versions", verbose_name=_("questionnaire")
    )
    number = models.PositiveIntegerField(_("version"))
    structure = models.JSONField(_("structure"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="questionnaire_version"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class QualityCheck(models.Model):
    """A measurable check of one of our services: the service is of quality only when every
    check passes. A number check compares what the client really gets with what was promised;
    a yes/no check names the answer that passes."""

    class Kind(models.TextChoices):
        AT_LEAST = "at_least", _("Measured at least the promised value")
        AT_MOST = "at_most", _("Measured at most the promised value")
        NO_PASSES = "no_passes", _("Passes when the answer is no")
        YES_PASSES = "yes_passes", _("Passes when the answer is yes")

    product = models.ForeignKey(
        Product,
        models.CASCADE,
        related_name="quality_checks",
        verbose_name=_("service"),
        limit_choices_to={"is_ours": True},
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("check"), max_length=300)
    kind = models.CharField(_("how it passes"), max_length=12, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    promised = models.CharField(
        _("usually promised"),
        max_length=30,
        blank=True,
        help_text=_("Pre-filled at the meeting; the client's contract may say otherwise."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")
        ordering = ["product", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_number(self) -> bool:
        return self.kind in {self.Kind.AT_LEAST, self.Kind.AT_MOST}
