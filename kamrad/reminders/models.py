"""What the reminders keep: the thresholds, each user's done/snoozed marks, the digests sent
and the personal calendar feeds. The reminders themselves are computed (see engine.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderSettings(models.Model):
    """The one row of thresholds, edited by the program head."""

    meetings_ahead_days = models.PositiveSmallIntegerField(
        _("meetings shown ahead, days"), default=7
    )
    dates_ahead_days = models.PositiveSmallIntegerField(
        _("important dates shown ahead, days"), default=7
    )
    unmet_after_days = models.PositiveSmallIntegerField(
        _("remind of clients not met after the program has run, days"), default=14
    )
    untouched_after_days = models.PositiveSmallIntegerField(
        _("remind of key people not touched for, days"), default=90
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> ReminderSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class ReminderMark(models.Model):
    """A user's reminder marked done or snoozed, by the reminder's key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reminder_marks"
    )
    key = models.CharField(_("reminder"), max_length=120)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder mark")
        verbose_name_plural = _("reminder marks")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reminder_mark_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class DigestSent(models.Model):
    """The daily e-mail sent to a user on a day (once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("reminders"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class FeedToken(models.Model):
    """A personal calendar feed: only the SHA-256 hash of its secret is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
