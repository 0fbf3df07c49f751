"""Send each user's daily e-mail digest of their reminders (once a day: run it from cron)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from kamrad.reminders import engine
from kamrad.reminders.models import DigestSent, ReminderSettings
from kamrad.users.models import User


class Command(BaseCommand):
    help = "Send each active user with an e-mail address one digest of their reminders for the day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for (YYYY-MM-DD), today by default")
        parser.add_argument("--dry-run", action="store_true", help="show, send nothing")
        parser.add_argument("--user", help="only this username")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        else:
            day = timezone.localdate()
        users = User.objects.filter(is_active=True).exclude(email="").order_by("username")
        if options["user"]:
            users = users.filter(username=options["user"])
            if not users.exists():
                raise CommandError(f"no active user {options['user']!r} with an e-mail")
        thresholds = ReminderSettings.load()
        already = set(DigestSent.objects.filter(day=day).values_list("user_id", flat=True))
        sent = skipped = 0
        for user in users:
            if user.pk in already:
                skipped += 1
                continue
            reminders = engine.reminders_for(user, day, thresholds)
            if not reminders:
                continue
            if options["dry_run"]:
                self.stdout.write(f"{user.username}: {len(reminders)} (dry run)")
                continue
            try:
                with transaction.atomic():
                    DigestSent.objects.create(user=user, day=day, count=len(reminders))
                    self._send(user, day, reminders)
            except IntegrityError:
                skipped += 1
                continue
            sent += 1
            self.stdout.write(f"{user.username}: {len(reminders)}")
        self.stdout.write(
            self.style.SUCCESS(f"{day}: {sent} digest(s) sent, {skipped} already sent")
        )

    def _send(self, user, day, reminders):
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            when = formats.date_format(day, "j E")
            subject = ngettext(
                "Kamrad: %(count)d reminder for %(day)s",
                "Kamrad: %(count)d reminders for %(day)s",
                len(reminders),
            ) % {"count": len(reminders), "day": when}
            context = {
                "user": user,
                "day": day,
                "groups": [
                    (label, [r for r in reminders if r.group(day) == name])
                    for name, label in (
                        ("overdue", translation.gettext("Overdue")),
                        ("today", translation.gettext("Today")),
                        ("upcoming", translation.gettext("Upcoming")),
                    )
                ],
                "base_url": getattr(settings, "KAMRAD_BASE_URL", ""),
            }
            text = render_to_string("reminders/digest.txt", context)
            html = render_to_string("reminders/digest.html", context)
        message = EmailMultiAlternatives(subject, text, to=[user.email])
        message.attach_alternative(html, "text/html")
        message.send()
