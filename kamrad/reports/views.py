"""The reports: an index, and the questionnaire results across the program with its exports.

Thin: read the filters, call the selector (scoped to what the user sees), render. Pages work
without JavaScript; the charts are server-rendered SVG.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kamrad.lib import csvsafe, money
from kamrad.reports import charts, exports, forms, selectors
from kamrad.users.access import Rule, policy


@policy(read=Rule.SIGNED_IN)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html")


def _report(request: HttpRequest) -> tuple[forms.ReportFilterForm, selectors.MeetingsReport]:
    form = forms.ReportFilterForm(request.GET)
    today = timezone.localdate()
    default = selectors.default_period(today)
    data = form.cleaned_data if form.is_valid() else {}
    period = selectors.Period(
        data.get("from_date") or default.starts_on, data.get("to_date") or default.ends_on
    )
    if period.starts_on > period.ends_on:
        period = default
    report = selectors.meetings_report(period, request.user, data.get("member"), today)
    return form, report


def _charts(report: selectors.MeetingsReport) -> dict[str, charts.BarChart]:
    opp = report.opportunities
    return {
        "quality": charts.bar_chart(
            _("Failed quality checks and closed work items by service"),
            [r.label for r in report.quality],
            [
                (
                    _("Failed checks"),
                    [r.failed for r in report.quality],
                    [str(r.failed) for r in report.quality],
                ),
                (
                    _("Closed"),
                    [r.closed for r in report.quality],
                    [str(r.closed) for r in report.quality],
                ),
            ],
        ),
        "opportunities": charts.bar_chart(
            _("Estimated value of opportunities by product, %(currency)s")
            % {"currency": opp.currency},
            [r.label for r in opp.rows],
            [
                (
                    _("Estimated value"),
                    [r.value_base for r in opp.rows],
                    [
                        money.format_whole(r.value_base, 10 ** money.exponent(opp.currency))
                        for r in opp.rows
                    ],
                )
            ],
        ),
        "referrals": charts.bar_chart(
            _("Prospects gained and converted by referring client"),
            [r.label for r in report.referrals],
            [
                (
                    _("Prospects gained"),
                    [r.gained for r in report.referrals],
                    [str(r.gained) for r in report.referrals],
                ),
                (
                    _("Now clients"),
                    [r.converted for r in report.referrals],
                    [str(r.converted) for r in report.referrals],
                ),
            ],
        ),
        "people": charts.bar_chart(
            _("Key people newly met by member and month"),
            [f"{r.member} · {r.month:%Y-%m}" for r in report.people],
            [
                (
                    _("New key people"),
                    [r.new_people for r in report.people],
                    [str(r.new_people) for r in report.people],
                ),
                (
                    _("People met for the first time"),
                    [r.first_met for r in report.people],
                    [str(r.first_met) for r in report.people],
                ),
            ],
        ),
    }


@policy(read=Rule.SIGNED_IN)
@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    """Questionnaire results across the program, for a period (by default the program's)."""
    form, report = _report(request)
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "charts": _charts(report),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/meetings.html", context)


@policy(read=Rule.SIGNED_IN)
@require_GET
def meetings_export(request: HttpRequest, kind: str) -> HttpResponse:
    chosen = forms.ExportForm(request.GET)
    chosen.is_valid()
    block = chosen.cleaned_data.get("block") or "quality"
    _form, report = _report(request)
    sheet, header, rows = exports.block_table(report, block)
    period = report.period
    name = f"meetings-{block}-{period.starts_on:%Y-%m-%d}-{period.ends_on:%Y-%m-%d}.{kind}"
    if kind == "xlsx":
        body = exports.to_xlsx(rows, header, sheet)
        content_type = csvsafe.XLSX_CONTENT_TYPE
    else:
        body = exports.to_csv(rows, header)
        content_type = csvsafe.CSV_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
