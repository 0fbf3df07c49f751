"""The client card: organizations, their people, who knows whom, events, dossiers, products."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Versioned(models.Model):
    """A row edited by people: `version` grows on every save so a stale copy is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Industry(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(Versioned):
    class Kind(models.TextChoices):
        CLIENT = "client", _("Client")
        PROSPECT = "prospect", _("Prospect")
        COMPETITOR = "competitor", _("Competitor")
        PARTNER = "partner", _("Partner")
        SUPPLIER = "supplier", _("Supplier")
        INTERMEDIARY = "intermediary", _("Intermediary")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLIENT)
    is_private = models.BooleanField(
        _("private person"),
        default=False,
        help_text=_("A private person rather than a company."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("The short, everyday name."))
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    industry = models.ForeignKey(
        Industry, models.PROTECT, null=True, blank=True, verbose_name=_("industry")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    tax_number = models.CharField(_("tax number"), max_length=20, blank=True, db_index=True)
    registration_number = models.CharField(_("registration number"), max_length=20, blank=True)
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=500, blank=True)
    website = models.URLField(_("web site"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="brought_organizations",
        verbose_name=_("brought by"),
        help_text=_("The salesperson who brought this client."),
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_organizations",
        verbose_name=_("account manager"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # A referral: the client (and the person there) who recommended this organization to us.
    referred_by = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    referred_by_contact = models.ForeignKey(
        "Contact",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by (person)"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="org_name"),
            models.Index(fields=["account_manager", "name", "id"], name="org_manager_name"),
            models.Index(fields=["kind", "name", "id"], name="org_kind_name"),
            models.Index(fields=["region", "name", "id"], name="org_region_name"),
            models.Index(fields=["industry", "name", "id"], name="org_industry_name"),
            models.Index(fields=["-created_at", "id"], name="org_created"),
        ]

    def __str__(self) -> str:
        return self.name


class BankAccount(models.Model):
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="bank_accounts", verbose_name=_("organization")
    )
    bank_name = models.CharField(_("bank"), max_length=200)
    bic = models.CharField(_("bank code (BIC)"), max_length=20, blank=True)
    account_number = models.CharField(_("account number"), max_length=40)
    correspondent_account = models.CharField(_("correspondent account"), max_length=40, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"


class Contact(Versioned):
    """A person at an organization. One who left stays, marked as left, for the history."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left the company")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="contacts", verbose_name=_("organization")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    personal_notes = models.TextField(
        _("personal notes"),
        blank=True,
        help_text=_("What they said about themselves and their company."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["full_name", "id"]
        indexes = [models.Index(fields=["organization", "full_name"], name="contact_org_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", left_on__isnull=True) | Q(status="left"),
                name="contact_left_on_only_when_left",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class ContactPoint(models.Model):
    """A phone number or e-mail address of an organization or of one of its people."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="contact_points",
        verbose_name=_("organization"),
    )
    contact = models.ForeignKey(
        Contact,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_points",
        verbose_name=_("contact person"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=200)
    label = models.CharField(_("label"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone or e-mail")
        verbose_name_plural = _("phones and e-mails")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.value


class DecisionRole(models.Model):
    """The part a contact person plays in the client's decisions about buying from us."""

    class Role(models.TextChoices):
        PREPARES = "prepares", _("Prepares the decision")
        DECIDES = "decides", _("Takes the decision")
        APPROVES_BUDGET = "approves_budget", _("Approves the budget")
        SIGNS = "signs", _("Signs finally")
        INFLUENCES = "influences", _("Influences")
        USES = "uses", _("Uses the product")
        GATEKEEPER = "gatekeeper", _("Gatekeeper")

    contact = models.ForeignKey(
        Contact, models.CASCADE, related_name="decision_roles", verbose_name=_("contact person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision role")
        verbose_name_plural = _("decision roles")
        ordering = ["contact", "role"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "role"], name="decision_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_role_display()}"


class Relationship(Versioned):
    """Who on our side knows whom on theirs, how warmly, and when they last really talked."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="relationships",
        verbose_name=_("our staff member"),
    )
    contact = models.ForeignKey(
        Contact, models.CASCADE, related_name="relationships", verbose_name=_("contact person")
    )
    warmth = models.PositiveSmallIntegerField(
        _("warmth"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 — barely acquainted, 5 — close, trusted relationship."),
    )
    last_touch = models.DateField(_("last personal touch"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        ordering = ["-warmth", "id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "contact"], name="relationship_once"),
            models.CheckConstraint(
                condition=Q(warmth__gte=1, warmth__lte=5), name="relationship_warmth_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} ↔ {self.contact}"


class Event(Versioned):
    """A notable event at the client, or an important date of the company or its people."""

    class Kind(models.TextChoices):
        REORGANISATION = "reorganisation", _("Reorganisation")
        NEW_DIRECTOR = "new_director", _("New director")
        MERGER = "merger", _("Merger or acquisition")
        MOVE = "move", _("Move")
        ANNIVERSARY = "anniversary", _("Company anniversary")
        BIRTHDAY = "birthday", _("Birthday")
        HOLIDAY = "holiday", _("Professional holiday")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="events", verbose_name=_("organization")
    )
    contact = models.ForeignKey(
        Contact,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("contact person"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    recurs_yearly = models.BooleanField(
        _("every year"), default=False, help_text=_("An anniversary or birthday.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "-date"], name="event_org_date")]

    def __str__(self) -> str:
        return self.title


class Product(Versioned):
    """A product or service: ours, or a competitor's, with its analogues and substitutes."""

    name = models.CharField(_("name"), max_length=200)
    is_ours = models.BooleanField(_("our product"), default=True)
    maker = models.ForeignKey(
        Organization,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("made or sold by"),
    )
    category = models.CharField(_("product line"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    analogues = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("analogues")
    )
    substitutes = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("substitutes")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DossierEntry(models.Model):
    """A dated entry in the dossier of an organization, a person or a product.

    For a person's entry `organization` is that person's organization, so one rule decides
    who may see it; a product's entry has no organization and is seen by everyone.
    """

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="dossier_entries",
        verbose_name=_("organization"),
    )
    contact = models.ForeignKey(
        Contact,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="dossier_entries",
        verbose_name=_("person"),
    )
    product = models.ForeignKey(
        Product,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="dossier_entries",
        verbose_name=_("product"),
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dossier entry")
        verbose_name_plural = _("dossier entries")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "-date"], name="dossier_org_date")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organization__isnull=False, product__isnull=True)
                    | Q(organization__isnull=True, contact__isnull=True, product__isnull=False)
                ),
                name="dossier_entry_has_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class SearchDocument(models.Model):
    """One row per organization: the case-folded text that search looks in.

    Name, legal name, tax and registration numbers, contact names, phones (also as bare
    digits) and e-mails. A trigram index covers it: FTS5 on SQLite, pg_trgm on PostgreSQL.
    See kamrad/clients/search.py.
    """

    organization = models.OneToOneField(
        Organization, models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField()
    # The organization's place in name order, with gaps: on SQLite the FTS5 index uses it as
    # its rowid, so the first page of matches *by name* comes straight from the index.
    sort_key = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return self.text[:80]
