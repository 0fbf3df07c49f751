"""The pyramid pages. Thin: parse, read through the selectors (scoped), call the services.

An htmx request gets a named partial of the same template; a normal request gets the page,
so everything also works without JavaScript (the recompute then shows its progress on reload).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kamrad.lib.pages import query_int
from kamrad.pyramid import exports, forms, selectors, services
from kamrad.pyramid.models import PyramidSettings, Tier
from kamrad.users.access import Rule, allows, policy


def _recompute_context(request: HttpRequest) -> dict[str, object]:
    running, finished = selectors.last_runs()
    return {
        "running": running,
        "finished": finished,
        "may_recompute": allows(Rule.HEAD, request.user),
    }


@policy(read=Rule.SIGNED_IN)
def pyramid(request: HttpRequest) -> HttpResponse:
    moves_form = forms.MovesForm(request.GET)
    since, falls = moves_form.filters()
    limits = PyramidSettings.current()
    context = {
        "tiers": selectors.summary(request.user),
        "svg_width": selectors.SVG_SIZE[0],
        "svg_height": selectors.SVG_SIZE[1],
        "svg_mid": selectors.SVG_SIZE[0] // 2,
        "moves_form": moves_form,
        "since": since,
        "limits": limits,
        "settings_form": forms.SettingsForm(instance=limits),
        "currency": settings.KAMRAD_BASE_CURRENCY,
        **selectors.moves_since(request.user, since, falls_only=falls),
        **_recompute_context(request),
    }
    return render(request, "pyramid/pyramid.html", context)


@policy(read=Rule.SIGNED_IN)
def tier_moves(request: HttpRequest) -> HttpResponse:
    """The moves section alone (htmx), or the pyramid page with it."""
    if not request.htmx:
        return pyramid(request)
    moves_form = forms.MovesForm(request.GET)
    since, falls = moves_form.filters()
    context = {
        "moves_form": moves_form,
        "since": since,
        **selectors.moves_since(request.user, since, falls_only=falls),
    }
    return render(request, "pyramid/pyramid.html#moves", context)


@policy(read=Rule.SIGNED_IN)
def tier_clients(request: HttpRequest) -> HttpResponse:
    form = forms.TierFilterForm(request.GET)
    filters = form.filters()
    page = selectors.tier_page(
        request.user,
        filters["tier"],
        page=query_int(request.GET.get("page"), 1),
        start=filters["start"],
        end=filters["end"],
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "tier": filters["tier"],
        "tier_label": dict(Tier.choices).get(filters["tier"], _("All tiers")),
        "period": bool(filters["start"] or filters["end"]),
        "params": params.urlencode(),
        "currency": settings.KAMRAD_BASE_CURRENCY,
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "pyramid/tier_clients.html#results", context)
    return render(request, "pyramid/tier_clients.html", context)


@policy(read=Rule.SIGNED_IN)
def tier_export(request: HttpRequest) -> HttpResponse:
    form = forms.TierFilterForm(request.GET)
    tier = form.filters()["tier"]
    rows = selectors.export_rows(request.user, tier).iterator(chunk_size=2000)
    name = f"clients-{tier or 'all'}-{timezone.localdate():%Y-%m-%d}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@policy(read=Rule.HEAD, write=Rule.HEAD)
def settings_edit(request: HttpRequest) -> HttpResponse:
    limits = PyramidSettings.current()
    form = forms.SettingsForm(request.POST or None, instance=limits)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.pyramid_settings_update(
                user=request.user,
                data=form.service_data(),
                expected_version=form.expected_version(),
            )
        except services.StaleEdit as stale:
            # Keep what this user typed, armed with the saved version: saving again replaces.
            status = 409
            data = form.data.copy()
            data["version"] = str(stale.current.version)
            form = forms.SettingsForm(data, instance=stale.current)
            form.is_valid()
            form.add_error(None, str(stale))
        else:
            messages.success(
                request, _("The settings were saved. The tiers follow at the next recompute.")
            )
            return redirect("pyramid:pyramid")
    return render(request, "pyramid/settings.html", {"form": form}, status=status)


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_http_methods(["GET", "POST"])
def recompute(request: HttpRequest) -> HttpResponse:
    """POST: start a recompute (one at a time); GET: its progress (the page polls it)."""
    if request.method == "POST":
        try:
            services.recompute_launch(user=request.user)
        except services.RecomputeBusy:
            messages.info(request, _("A recompute is already running."))
        if not request.htmx:
            return redirect("pyramid:pyramid")
        return render(request, "pyramid/pyramid.html#recompute", _recompute_context(request))
    context = _recompute_context(request)
    # Polled while running: once it is over, offer to show the new figures.
    context["just_finished"] = context["running"] is None
    return render(request, "pyramid/pyramid.html#recompute", context)
