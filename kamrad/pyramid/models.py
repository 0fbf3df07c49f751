"""The pyramid of clients: its settings, each client's value and tier, tier moves, recomputes.

Every figure here is derived from the work history (kamrad.value) by
`kamrad.pyramid.services.pyramid_recompute`; only the settings are edited by people.
Money is integers of minor units of settings.KAMRAD_BASE_CURRENCY.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kamrad.clients.models import Organization


class Tier(models.TextChoices):
    """The four tiers, top first. `RANK` orders them: a move to a larger rank is a fall."""

    MOST_VALUABLE = "most_valuable", _("Most valuable")
    STRATEGIC = "strategic", _("Strategic")
    WORKERS = "workers", _("Workers")
    BALLAST = "ballast", _("Ballast")


TIER_RANK = {Tier.MOST_VALUABLE: 1, Tier.STRATEGIC: 2, Tier.WORKERS: 3, Tier.BALLAST: 4}


class Trend(models.TextChoices):
    GROWING = "growing", _("Growing")
    STABLE = "stable", _("Stable")
    FALLING = "falling", _("Falling")
    UNSTABLE = "unstable", _("Unstable")


class PyramidSettings(models.Model):
    """The thresholds of the pyramid: one row, edited by the program head."""

    top_share_percent = models.PositiveSmallIntegerField(
        _("share of clients that are most valuable, %"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The top this share of clients by LTV (rounded up) are the most valuable."),
    )
    cv_threshold_percent = models.PositiveIntegerField(
        _("instability threshold (coefficient of variation), %"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text=_(
            "A client whose quarterly profit varies more than this (standard deviation over "
            "the mean) is unstable: a worker, unless it is most valuable or ballast."
        ),
    )
    quarters = models.PositiveSmallIntegerField(
        _("recent quarters"),
        default=8,
        validators=[MinValueValidator(2), MaxValueValidator(40)],
        help_text=_("How many whole quarters before today the variation and the trend look at."),
    )
    stable_band_percent = models.PositiveSmallIntegerField(
        _("stable band, % a quarter"),
        default=5,
        validators=[MaxValueValidator(1000)],
        help_text=_(
            "A trend line rising or falling by more than this share of the mean each quarter "
            "is growing or falling; within it, the client is stable (or unstable)."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pyramid settings")
        verbose_name_plural = _("pyramid settings")

    def __str__(self) -> str:
        return str(_("Pyramid settings"))

    @classmethod
    def current(cls) -> PyramidSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ClientValue(models.Model):
    """What one client is worth, as the last recompute found it. One row per client."""

    # Figures the recompute derives, not checked against the organizations by the database
    # (on PostgreSQL that check took 0.4 s of a first run's 75,000 rows): an organization's
    # deletion takes its row with it (the ORM's cascade), and each recompute drops the rows
    # of organizations that are no longer clients.
    organization = models.OneToOneField(
        Organization,
        models.CASCADE,
        primary_key=True,
        related_name="pyramid_value",
        verbose_name=_("organization"),
        db_constraint=False,
    )
    ltv = models.BigIntegerField(_("LTV"), default=0, help_text=_("Profit − cost to serve."))
    profit = models.BigIntegerField(_("profit"), default=0)
    cost_to_serve = models.BigIntegerField(_("cost to serve"), default=0)
    recent_ltv = models.BigIntegerField(
        _("LTV of the recent quarters"), default=0, help_text=_("Over the recent quarters.")
    )
    cv = models.FloatField(
        _("coefficient of variation"),
        null=True,
        blank=True,
        help_text=_("Of the quarterly profit; empty when the mean is zero."),
    )
    is_unstable = models.BooleanField(
        _("unstable"),
        default=False,
        help_text=_("The coefficient of variation is above the threshold."),
    )
    trend = models.CharField(_("trend"), max_length=16, choices=Trend.choices)
    # No index of its own: the (tier, -ltv, organization) index below starts with it.
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("client value")
        verbose_name_plural = _("client values")
        ordering = ["-ltv", "organization"]
        indexes = [
            models.Index(fields=["tier", "-ltv", "organization"], name="pyramid_value_tier_ltv")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.tier}"


class RecomputeRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    on = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    clients = models.PositiveIntegerField(_("clients"), default=0)
    changed = models.PositiveIntegerField(_("rows written"), default=0)
    moves = models.PositiveIntegerField(_("tier moves"), default=0)
    # The quarters and settings the figures were computed with: a later run with the same
    # ones may recompute only the clients whose records changed.
    window_start = models.DateField(_("recent quarters from"), null=True, blank=True)
    settings_version = models.PositiveIntegerField(_("settings version"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Each tier's [count, LTV] over all clients when the run finished: the pyramid page of
    # those who see every client reads it instead of summing every value row per request.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("recompute")
        verbose_name_plural = _("recomputes")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One run at a time, whoever starts it and from wherever.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="pyramid_one_run_at_a_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


class TierMove(models.Model):
    """A client moved between tiers in a recompute. `from_tier` is empty when it first
    entered the pyramid, `to_tier` when it left it (no longer a client)."""

    # Looked up through the (organization, -at) index below; no index of its own. A log, like
    # the audit history: the database does not check each move's organization (on PostgreSQL
    # that took 0.25 s of a first run's 75,000 moves); an organization's deletion takes its
    # moves with it (the ORM's cascade), and pages read moves joined to their organization.
    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
        db_index=False,
        db_constraint=False,
    )
    from_tier = models.CharField(_("from"), max_length=16, choices=Tier.choices, blank=True)
    to_tier = models.CharField(_("to"), max_length=16, choices=Tier.choices, blank=True)
    is_fall = models.BooleanField(_("fall"), default=False)
    at = models.DateTimeField(_("when"))
    # Not indexed: nothing looks moves up by their run, and a first recompute writes one move
    # per client (the index cost more than the rows to keep up). Nor checked by the database:
    # on PostgreSQL that check took 0.2 s of such a run's 75,000 moves; runs are a log and
    # never deleted but through the ORM, which sets this empty.
    run = models.ForeignKey(
        RecomputeRun,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tier_moves",
        verbose_name=_("recompute"),
        db_index=False,
        db_constraint=False,
    )
    ltv = models.BigIntegerField(_("LTV"), default=0)

    class Meta:
        verbose_name = _("tier move")
        verbose_name_plural = _("tier moves")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="pyramid_move_at"),
            models.Index(fields=["organization", "-at"], name="pyramid_move_org_at"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.from_tier or '—'} → {self.to_tier or '—'}"
