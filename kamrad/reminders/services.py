"""Writes of the reminders: marks, calendar feeds, settings."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from kamrad.reminders import engine
from kamrad.reminders.models import FeedToken, ReminderMark

SNOOZES = {"1d": 1, "3d": 3, "1w": 7}


def _own(user, key: str) -> None:
    if engine.find(user, key) is None:
        raise Http404("no such reminder")


def mark_done(*, user, key: str) -> ReminderMark:
    _own(user, key)
    mark, _created = ReminderMark.objects.update_or_create(
        user=user, key=key, defaults={"done_at": timezone.now(), "snoozed_until": None}
    )
    return mark


def snooze(*, user, key: str, until: datetime.date) -> ReminderMark:
    _own(user, key)
    mark, _created = ReminderMark.objects.update_or_create(
        user=user, key=key, defaults={"done_at": None, "snoozed_until": until}
    )
    return mark


def snooze_until(choice: str, day: str | None, today: datetime.date) -> datetime.date | None:
    """The date a snooze choice means, or None for bad input."""
    if choice in SNOOZES:
        return today + datetime.timedelta(days=SNOOZES[choice])
    if day:
        try:
            when = datetime.date.fromisoformat(day)
        except ValueError:
            return None
        return when if when > today else None
    return None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(*, user) -> str:
    """A new feed for the user (the old one stops working); returns the secret once."""
    feed_revoke(user=user)
    token = secrets.token_urlsafe(32)
    FeedToken.objects.create(user=user, token_hash=hash_token(token))
    return token


def feed_revoke(*, user) -> int:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_user(token: str):
    feed = (
        FeedToken.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_active(user) -> FeedToken | None:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
