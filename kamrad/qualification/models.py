"""VIP qualification: criteria as data, people's judgements, decisions, the attraction procedure.

A criterion is either measured from the work history or judged by a person. A measured one
holds one or more measures (its alternatives): the criterion is met when any of them is, so
"volume above thresholds — sales, or turnover, or exports, or balance" counts once, as the
bank's rules say. A client qualifies when at least `QualificationRule.min_met` of the enabled
criteria are met. `kamrad.qualification.services` is the only writer of these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kamrad.clients.models import Organization, Versioned
from kamrad.lib import money


class QualificationRule(Versioned):
    """The one rule: at least `min_met` of the enabled criteria. There is a single row."""

    min_met = models.PositiveSmallIntegerField(
        _("criteria needed"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("A client qualifies when it meets at least this many enabled criteria."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification rule")
        verbose_name_plural = _("qualification rules")

    def __str__(self) -> str:
        return f"≥ {self.min_met}"


class Criterion(Versioned):
    class Kind(models.TextChoices):
        MEASURED = "measured", _("Measured from the work history")
        JUDGED = "judged", _("Judged by a person")

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9_]+$", _("Lower-case letters, digits and _."))],
        help_text=_("A short fixed name for exports and the API."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    help_en = models.TextField(_("explanation (English)"), blank=True)
    help_ru = models.TextField(_("explanation (Russian)"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en

    @property
    def help(self) -> str:
        return self.help_ru if (get_language() or "").startswith("ru") else self.help_en

    @property
    def is_judged(self) -> bool:
        return self.kind == self.Kind.JUDGED


class Measure(models.Model):
    """One figure of the work history compared with a threshold: an alternative of a criterion."""

    class Metric(models.TextChoices):
        PRODUCT_LINES = "product_lines", _("Distinct product lines bought in the last 12 months")
        SALES_YEAR = "sales_year", _("Sales in the last 12 months")
        TURNOVER_MONTH = "turnover_month", _("Account turnover in a month")
        EXPORTS_YEAR = "exports_year", _("Exports in the last 12 months")
        BALANCE_MONTH = "balance_month", _("Average daily balance in a month")
        SALES_GROWTH = "sales_growth", _("Growth of sales, year on year")
        TURNOVER_GROWTH = "turnover_growth", _("Growth of account turnover, year on year")

    MONEY = frozenset(
        {Metric.SALES_YEAR, Metric.TURNOVER_MONTH, Metric.EXPORTS_YEAR, Metric.BALANCE_MONTH}
    )
    GROWTH = frozenset({Metric.SALES_GROWTH, Metric.TURNOVER_GROWTH})

    criterion = models.ForeignKey(
        Criterion, models.CASCADE, related_name="measures", verbose_name=_("criterion")
    )
    metric = models.CharField(_("figure"), max_length=20, choices=Metric.choices)
    amount_minor = models.BigIntegerField(
        _("threshold amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("In minor units (cents) of the threshold's currency."),
    )
    currency = models.CharField(
        _("threshold currency"),
        max_length=3,
        blank=True,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("A three-letter currency code."))],
    )
    count = models.PositiveIntegerField(_("at least this many"), null=True, blank=True)
    percent = models.PositiveIntegerField(
        _("growth of at least, %"), null=True, blank=True, validators=[MaxValueValidator(10_000)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.threshold_text}"

    @property
    def threshold_text(self) -> str:
        """The threshold as people read it: '≥ 5 000 000.00 USD', '≥ 3', '≥ 20 %'."""
        if self.metric in self.MONEY:
            return f"≥ {money.format_minor(self.amount_minor or 0, self.currency)} {self.currency}"
        if self.metric in self.GROWTH:
            return f"≥ {self.percent} %"
        return f"≥ {self.count}"

    def clean(self) -> None:
        if self.metric in self.MONEY:
            errors = {}
            if self.amount_minor is None:
                errors["amount_minor"] = _("A money figure needs a threshold amount.")
            if not self.currency:
                errors["currency"] = _("A money figure needs the threshold's currency.")
            if errors:
                raise ValidationError(errors)
        elif self.metric == self.Metric.PRODUCT_LINES and not self.count:
            raise ValidationError({"count": _("Say how many product lines are needed.")})
        elif self.metric in self.GROWTH and self.percent is None:
            raise ValidationError({"percent": _("Say how many percent of growth are needed.")})


class JudgedMark(Versioned):
    """A person's judgement on a judged criterion for one client: met or not, and why."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="judged_marks", verbose_name=_("organization")
    )
    criterion = models.ForeignKey(
        Criterion, models.CASCADE, related_name="marks", verbose_name=_("criterion")
    )
    met = models.BooleanField(_("met"))
    note = models.TextField(_("note"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("judged by"),
    )
    set_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("judged criterion")
        verbose_name_plural = _("judged criteria")
        ordering = ["criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "criterion"], name="qualification_mark_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.criterion_id}: {self.met}"

    def clean(self) -> None:
        if self.criterion_id and not self.criterion.is_judged:
            raise ValidationError({"criterion": _("Only a judged criterion is set by a person.")})


class CandidateDecision(Versioned):
    """The program head's decision on a qualifying client: admitted to the VIP program or not."""

    class Outcome(models.TextChoices):
        ADMITTED = "admitted", _("Admitted to the VIP program")
        DECLINED = "declined", _("Declined")

    organization = models.OneToOneField(
        Organization, models.CASCADE, related_name="vip_decision", verbose_name=_("organization")
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate decision")
        verbose_name_plural = _("candidate decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.outcome}"


class AttractionStage(Versioned):
    """One stage of attracting a prospective VIP client, done (with a date) or not yet."""

    class Stage(models.IntegerChoices):
        ASSESS = 1, _("Assess its attractiveness")
        PLAN_MEETING = 2, _("Plan the meeting situation")
        MAP_DECISION_MAKERS = 3, _("Make contact and map the decision makers")
        TOP_MEETING = 4, _("Top-level meeting")
        STAKEHOLDERS = 5, _("Relations with every stakeholder")
        COMPROMISE_OFFER = 6, _("A compromise offer")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="attraction_stages",
        verbose_name=_("organization"),
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attraction stage")
        verbose_name_plural = _("attraction stages")
        ordering = ["organization", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stage"], name="qualification_stage_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.get_stage_display()}"

    # What each stage asks of the account manager (PRODUCT.md §2, after seed 002).
    GUIDANCE = {
        Stage.ASSESS: _("Weigh the client against the VIP criteria and decide to pursue it."),
        Stage.PLAN_MEETING: _(
            "Plan where our top managers meet theirs: presentations, receptions. "
            "Do not push our services yet."
        ),
        Stage.MAP_DECISION_MAKERS: _(
            "Learn the client's real needs and who prepares, takes, approves the budget for "
            "and finally signs the decision."
        ),
        Stage.TOP_MEETING: _("Meet at the top level and discuss every need of the client."),
        Stage.STAKEHOLDERS: _("Build relations with every service involved in our products."),
        Stage.COMPROMISE_OFFER: _(
            "An offer that serves every stakeholder and the company's real needs."
        ),
    }

    @property
    def guidance(self) -> str:
        return str(self.GUIDANCE[self.Stage(self.stage)])


class StoredVerdict(models.Model):
    """A client's verdict as last evaluated, so a list over every client reads rows, not figures.

    Written in bulk by `kamrad qualify` (only the rows that changed) and refreshed for one client
    when its judged marks change; a change of the criteria or of the rule marks every row stale.
    Not edited by people; `services` is its only writer.
    """

    organization = models.OneToOneField(
        Organization, models.CASCADE, related_name="stored_verdict", verbose_name=_("organization")
    )
    as_of = models.DateField(_("evaluated as of"))
    met_count = models.PositiveSmallIntegerField(_("criteria met"))
    needed = models.PositiveSmallIntegerField(_("criteria needed"))
    qualifies = models.BooleanField(_("qualifies"), db_index=True)
    met_codes = models.JSONField(_("criteria met (codes)"), default=list, blank=True)
    computed_at = models.DateTimeField(_("evaluated at"))
    stale = models.BooleanField(
        _("stale"),
        default=False,
        help_text=_("The criteria or the rule changed since; the next evaluation rewrites it."),
    )

    class Meta:
        verbose_name = _("stored verdict")
        verbose_name_plural = _("stored verdicts")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.met_count}/{self.needed}"
