"""What each client is worth: its work history in exact money, and the exchange rates behind it.

Every amount is an integer of its currency's minor unit (`*_minor`) with the currency beside it,
plus the same amount in the base currency (`*_base`, settings.KAMRAD_BASE_CURRENCY) converted
once, at the rate of the record's date, when it is written. Sums across records use the base
columns only, so currencies never mix silently; the original amount and currency stay for
display and export. `kamrad.value.services` is the only writer of these columns.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kamrad.clients.models import Organization, Product, Versioned
from kamrad.lib.money import RATE_SCALE


class ExchangeRate(models.Model):
    """How many base-currency units one unit of `currency` was worth from `date` on."""

    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    rate_scaled = models.BigIntegerField(
        _("rate"), validators=[MinValueValidator(1)], help_text=_("Rate × 10⁸.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="value_rate_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date}"

    @property
    def rate(self) -> Decimal:
        """The rate as people write it: base units for one unit of the currency."""
        exact = Decimal(self.rate_scaled).scaleb(-len(str(RATE_SCALE)) + 1)
        return Decimal(format(exact.normalize(), "f"))


class Record(Versioned):
    """What every dated work-history record has: its client, where it came from, a key."""

    # No index of its own: every kind of record has an index that starts with the
    # organization (its dates or its month), which serves the same lookups and cascades.
    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        verbose_name=_("organization"),
        related_name="+",
        db_index=False,
    )
    # A key from the system the record came from (an invoice number, a CRM id); re-importing
    # the same file finds the record by it and changes nothing.
    external_id = models.CharField(_("external key"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=40, blank=True, help_text=_("'manual', or the import it came in.")
    )

    class Meta:
        abstract = True


class Sale(Record):
    date = models.DateField(_("date"))
    product = models.ForeignKey(
        Product, models.PROTECT, null=True, blank=True, verbose_name=_("product"), related_name="+"
    )
    # The product line the sale counts towards (the product's line when a product is set);
    # kept on the row so product breadth is one query.
    product_line = models.CharField(_("product line"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, default=1)
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.BigIntegerField(_("amount"))
    cost_minor = models.BigIntegerField(
        _("cost of sales"), default=0, help_text=_("What the sale cost us; profit = amount − cost.")
    )
    amount_base = models.BigIntegerField(_("amount in base currency"))
    cost_base = models.BigIntegerField(_("cost in base currency"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-date", "-id"]
        # Covering: a client's figures by month and the pyramid's sums per client are read
        # from the index alone (no table row per sale).
        indexes = [
            models.Index(
                fields=["organization", "date", "amount_base", "cost_base"],
                name="value_sale_org_date_sums",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="value_sale_external_id",
            )
        ]

    @property
    def profit_base(self) -> int:
        return self.amount_base - self.cost_base


class Payment(Record):
    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        OFFSET = "offset", _("Offset")
        OTHER = "other", _("Other")

    due_date = models.DateField(_("due"))
    paid_date = models.DateField(_("paid"), null=True, blank=True)
    method = models.CharField(
        _("how paid"), max_length=16, choices=Method.choices, default=Method.TRANSFER
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.BigIntegerField(_("amount"))
    amount_base = models.BigIntegerField(_("amount in base currency"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-due_date", "-id"]
        indexes = [models.Index(fields=["organization", "due_date"], name="value_pay_org_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="value_payment_external_id",
            )
        ]

    def days_late(self, today) -> int:  # noqa: ANN001 - a date
        """Days after the due date it was paid, or, unpaid, days overdue as of `today`."""
        end = self.paid_date or today
        return max(0, (end - self.due_date).days)


class Claim(Record):
    date = models.DateField(_("date"))
    subject = models.CharField(_("what"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "date"], name="value_claim_org_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="value_claim_external_id",
            )
        ]

    @property
    def is_resolved(self) -> bool:
        return self.resolved_on is not None


class ServiceCost(Record):
    """What serving the client cost us: support, visits, gifts, discounts given."""

    date = models.DateField(_("date"))
    description = models.CharField(_("what"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.BigIntegerField(_("amount"))
    amount_base = models.BigIntegerField(_("amount in base currency"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost to serve")
        verbose_name_plural = _("costs to serve")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "date", "amount_base"], name="value_cost_org_date_sums"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="value_cost_external_id",
            )
        ]


class AccountMonth(Record):
    """A bank-style client's account figures for one month, in one currency."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    currency = models.CharField(_("currency"), max_length=3)
    turnover_minor = models.BigIntegerField(_("turnover"), default=0)
    average_balance_minor = models.BigIntegerField(_("average daily balance"), default=0)
    exports_minor = models.BigIntegerField(_("exports"), default=0)
    turnover_base = models.BigIntegerField(_("turnover in base currency"), default=0)
    average_balance_base = models.BigIntegerField(
        _("average daily balance in base currency"), default=0
    )
    exports_base = models.BigIntegerField(_("exports in base currency"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account month")
        verbose_name_plural = _("account months")
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "currency"], name="value_account_month_once"
            ),
        ]


class QuarterTotal(models.Model):
    """One client's sales and costs to serve summed over one calendar quarter.

    Kept by the database's triggers as records change (`kamrad/value/totals.py`, migration
    0003), never written by the application: what the pyramid's recompute reads instead of
    every record. No audit history (it is derived), no foreign-key constraint (a client's
    rows go with its last record).
    """

    pk = models.CompositePrimaryKey("organization", "quarter")
    organization = models.ForeignKey(
        Organization, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    quarter = models.DateField(help_text="The first day of the quarter.")
    records = models.IntegerField()
    sales_profit = models.BigIntegerField()
    cost_to_serve = models.BigIntegerField()
    # The date of the quarter's latest record, or later (a record taken away leaves it).
    last_date = models.DateField()

    class Meta:
        db_table = "value_quartertotal"

    def __str__(self) -> str:
        return f"{self.organization_id} {self.quarter:%Y-%m}"
