"""Import jobs (who imported what, when, with what outcome) and the external keys of the card."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file on its way through mapping, dry run and the real run."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the column mapping")
        CHECKING = "checking", _("Dry run in progress")
        CHECKED = "checked", _("Dry run done")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Nothing imported: bad rows")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    kind = models.CharField(_("what"), max_length=20)
    file_name = models.CharField(_("file"), max_length=255)
    stored_as = models.CharField(max_length=255, editable=False)
    size = models.BigIntegerField(_("size"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # column index (as text) → field name
    good_rows_only = models.BooleanField(_("import the good rows only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.MAPPING
    )
    dry_run = models.BooleanField(default=True)
    rows_total = models.BigIntegerField(default=0)
    report = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    # The language of the person who started the run: its problems are reported in it.
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    @property
    def is_busy(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.RUNNING}

    @property
    def kind_label(self) -> str:
        from kamrad.imports.kinds import KINDS

        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind

    def count(self, action: str) -> int:
        return int(self.report.get("counts", {}).get(action, 0))


class ExternalKey(models.Model):
    """The key another system gives an organization or contact, so a re-import finds it."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        CONTACT = "contact", _("Contact person")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=100)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="imports_external_key_once")
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="imports_key_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
