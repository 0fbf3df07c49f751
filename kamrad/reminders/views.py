"""The reminder pages: the user's list with Done and Snooze, the calendar feed, the settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kamrad.reminders import calendar, engine, services
from kamrad.reminders.models import ReminderSettings
from kamrad.users.access import Rule, policy

GROUPS = ("overdue", "today", "upcoming")


def _groups(reminders, today):
    grouped = {name: [] for name in GROUPS}
    for r in reminders:
        grouped[r.group(today)].append(r)
    labels = {"overdue": _("Overdue"), "today": _("Today"), "upcoming": _("Upcoming")}
    return [(name, labels[name], grouped[name]) for name in GROUPS]


@policy(read=Rule.SIGNED_IN)
@require_GET
def reminder_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    reminders = engine.reminders_for(request.user, today)
    return render(
        request,
        "reminders/list.html",
        {"groups": _groups(reminders, today), "today": today, "count": len(reminders)},
    )


@policy(read=Rule.SIGNED_IN)
@require_GET
def reminder_badge(request: HttpRequest) -> HttpResponse:
    """The count in the top navigation of the reminders due today or overdue (loaded after
    the page, so a page's own queries stay its own)."""
    return render(request, "reminders/_badge.html")


def _after_mark(request: HttpRequest, message: str) -> HttpResponse:
    if request.htmx:
        return HttpResponse(f'<li class="muted small">{message}</li>')
    messages.success(request, message)
    return redirect("reminders:list")


@policy(read=Rule.SIGNED_IN, write=Rule.SIGNED_IN)
@require_POST
def reminder_done(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    if not key:
        return HttpResponseBadRequest(_("Which reminder?"))
    services.mark_done(user=request.user, key=key)
    return _after_mark(request, _("Done."))


@policy(read=Rule.SIGNED_IN, write=Rule.SIGNED_IN)
@require_POST
def reminder_snooze(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    if not key:
        return HttpResponseBadRequest(_("Which reminder?"))
    today = timezone.localdate()
    until = services.snooze_until(request.POST.get("for", ""), request.POST.get("until"), today)
    if engine.find(request.user, key, today) is None:
        raise Http404("no such reminder")
    if until is None:
        message = _("Choose a date after today.")
        if request.htmx:
            return HttpResponseBadRequest(message)
        messages.error(request, message)
        return redirect("reminders:list")
    services.snooze(user=request.user, key=key, until=until)
    return _after_mark(request, _("Snoozed until %(day)s.") % {"day": until.strftime("%d.%m.%Y")})


@policy(read=Rule.SIGNED_IN, write=Rule.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def feed_page(request: HttpRequest) -> HttpResponse:
    url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(user=request.user)
            messages.success(request, _("The calendar feed no longer works."))
            return redirect("reminders:feed")
        token = services.feed_create(user=request.user)
        url = request.build_absolute_uri(reverse("reminders:feed_ics", args=[token]))
    return render(
        request,
        "reminders/feed.html",
        {"url": url, "active": services.feed_active(request.user)},
    )


@policy(read=Rule.PUBLIC, write=Rule.PUBLIC)
@require_GET
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    user = services.feed_user(token)
    if user is None:
        raise Http404("no such feed")
    response = HttpResponse(calendar.feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kamrad.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "meetings_ahead_days",
            "dates_ahead_days",
            "unmet_after_days",
            "untouched_after_days",
        ]


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    row = ReminderSettings.load()
    form = SettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Reminder settings saved."))
        return redirect("reminders:settings")
    return render(request, "reminders/settings.html", {"form": form})
