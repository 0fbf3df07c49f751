"""The work-history pages: indicators on the card, the full history, exports, exchange rates.

Thin: look the client up through access, call a selector or a service, render. htmx asks for
a named partial of the same template; a plain request gets the page, so everything also
works without JavaScript.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from kamrad.clients import selectors as client_selectors
from kamrad.clients.models import Organization
from kamrad.clients.views import _apply_service_errors, _stale
from kamrad.lib import csvsafe, money
from kamrad.lib.pages import query_int
from kamrad.users import access
from kamrad.users.access import Rule, policy
from kamrad.value import forms, selectors, services
from kamrad.value.charts import indicators_chart
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost
from kamrad.value.rates import base_currency

CHANGED_EVENT = "work-history-changed"


# --- Record kinds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    key: str
    title: Any
    add_title: Any
    empty: Any


KINDS = {
    "sales": Kind(
        "sales",
        gettext_lazy("Sales"),
        gettext_lazy("Add a sale"),
        gettext_lazy("No sales recorded."),
    ),
    "payments": Kind(
        "payments",
        gettext_lazy("Payments"),
        gettext_lazy("Add a payment"),
        gettext_lazy("No payments recorded."),
    ),
    "claims": Kind(
        "claims", gettext_lazy("Claims"), gettext_lazy("Add a claim"), gettext_lazy("No claims.")
    ),
    "costs": Kind(
        "costs",
        gettext_lazy("Costs to serve"),
        gettext_lazy("Add a cost to serve"),
        gettext_lazy("No costs to serve recorded."),
    ),
    "accounts": Kind(
        "accounts",
        gettext_lazy("Account months"),
        gettext_lazy("Add an account month"),
        gettext_lazy("No account figures recorded."),
    ),
}


def _money(minor: int, currency: str) -> str:
    sep = "," if (get_language() or "en").startswith("ru") else "."
    return f"{money.format_minor(minor, currency, decimal_sep=sep, group_sep='\u00a0')} {currency}"


def _date(day: datetime.date | None) -> str:
    return day.isoformat() if day else "—"


def _headers(kind: str) -> list[str]:
    return {
        "sales": [_("Date"), _("Product"), _("Quantity"), _("Amount"), _("Cost of sales")],
        "payments": [_("Due"), _("Paid"), _("How paid"), _("Amount"), _("Days late")],
        "claims": [_("Date"), _("What"), _("Resolved on")],
        "costs": [_("Date"), _("What"), _("Amount")],
        "accounts": [_("Month"), _("Turnover"), _("Average daily balance"), _("Exports")],
    }[kind]


def _cells(kind: str, record: Any, today: datetime.date) -> list[str]:
    if isinstance(record, Sale):
        what = str(record.product or record.product_line or record.description or "—")
        return [
            _date(record.date),
            what,
            f"{record.quantity.normalize():f}",
            _money(record.amount_minor, record.currency),
            _money(record.cost_minor, record.currency),
        ]
    if isinstance(record, Payment):
        late = record.days_late(today)
        return [
            _date(record.due_date),
            _date(record.paid_date) if record.paid_date else _("unpaid"),
            str(record.get_method_display()),
            _money(record.amount_minor, record.currency),
            str(late) if late else "—",
        ]
    if isinstance(record, Claim):
        return [
            _date(record.date),
            record.subject,
            _date(record.resolved_on) if record.resolved_on else _("open"),
        ]
    if isinstance(record, ServiceCost):
        return [
            _date(record.date),
            record.description or "—",
            _money(record.amount_minor, record.currency),
        ]
    assert isinstance(record, AccountMonth)
    return [
        f"{record.month:%Y-%m}",
        _money(record.turnover_minor, record.currency),
        _money(record.average_balance_minor, record.currency),
        _money(record.exports_minor, record.currency),
    ]


def _section(
    request: HttpRequest, org: Organization, kind: str, *, form: Any = None
) -> dict[str, Any]:
    page = selectors.records_page(org, kind, page=query_int(request.GET.get(f"{kind}_page"), 1))
    today = timezone.localdate()
    rows = [
        {
            "record": record,
            "cells": _cells(kind, record, today),
            "edit_url": reverse(f"value:{kind}_edit", args=[record.pk]),
            "delete_url": reverse(f"value:{kind}_delete", args=[record.pk]),
        }
        for record in page
    ]
    return {
        "kind": KINDS[kind],
        "headers": _headers(kind),
        "page": page,
        "rows": rows,
        "form": form if form is not None else forms.FORMS[kind](prefix=kind),
        "add_url": reverse(f"value:{kind}_add", args=[org.pk]),
        "page_url": reverse("value:work_history", args=[org.pk]),
    }


# --- Indicators -----------------------------------------------------------------------------


def _parse_day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _period(request: HttpRequest) -> str:
    period = request.GET.get("period", "month")
    return period if period in selectors.PERIODS else "month"


def _indicators_context(request: HttpRequest, org: Organization) -> dict[str, Any]:
    period = _period(request)
    data = selectors.indicators(
        org,
        period=period,
        start=_parse_day(request.GET.get("start")),
        end=_parse_day(request.GET.get("end")),
    )
    unit = 10 ** money.exponent(data.currency)
    return {
        "organization": org,
        "data": data,
        "chart": indicators_chart(data, minor_per_unit=unit),
        "periods": [(key, label) for key, label in selectors.PERIODS.items()],
        "period": period,
        "unit": unit,
        "range_query": f"&start={data.start.isoformat()}&end={data.end.isoformat()}"
        if request.GET.get("start") or request.GET.get("end")
        else "",
    }


@policy(read=Rule.SIGNED_IN)
@require_GET
def indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """The card's work-history section (htmx); without JavaScript, the full page."""
    org = client_selectors.organization_for_card(request.user, pk)
    if request.htmx:
        return render(
            request, "value/work_history.html#indicators", _indicators_context(request, org)
        )
    return redirect(reverse("value:work_history", args=[pk]) + _query(request))


def _query(request: HttpRequest) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


@policy(read=Rule.SIGNED_IN)
@require_GET
def work_history(request: HttpRequest, pk: int) -> HttpResponse:
    org = client_selectors.organization_for_card(request.user, pk)
    part = request.GET.get("part", "")
    if request.htmx and part in KINDS:
        context = {"organization": org, "section": _section(request, org, part)}
        context["may_write"] = access.may_manage_organization(request.user, org)
        return render(request, "value/work_history.html#records", context)
    context = _indicators_context(request, org)
    context["may_write"] = access.may_manage_organization(request.user, org)
    context["sections"] = [_section(request, org, kind) for kind in KINDS]
    return render(request, "value/work_history.html", context)


def _export_rows(request: HttpRequest, org: Organization) -> tuple[list[str], list[list[Any]], str]:
    context = _indicators_context(request, org)
    data = context["data"]
    unit = context["unit"]
    places = money.exponent(data.currency)

    def major(minor: int) -> Any:
        return money.to_major(minor, data.currency) if places else minor

    header = [
        _("Period"),
        _("Start"),
        _("Revenue"),
        _("Cost of sales"),
        _("Profit"),
        _("Cost to serve"),
        _("Profit less cost to serve"),
        _("Payments received"),
        _("Late payments"),
        _("Average days late"),
        _("Claims opened"),
        _("Still open"),
        _("Turnover"),
        _("Average daily balance"),
        _("Exports"),
        _("Currency"),
    ]
    rows = []
    for row in [*data.rows, data.total]:
        rows.append(
            [
                row.label,
                row.start,
                major(row.revenue),
                major(row.cost_of_sales),
                major(row.profit),
                major(row.cost_to_serve),
                major(row.value),
                major(row.payments_received),
                row.payments_late,
                row.average_days_late,
                row.claims_opened,
                row.claims_open,
                major(row.turnover),
                major(row.average_balance),
                major(row.exports),
                data.currency,
            ]
        )
    del unit
    name = f"{slugify(org.name, allow_unicode=False) or 'client'}-{org.pk}-{data.period}"
    return header, rows, name


@policy(read=Rule.SIGNED_IN)
@require_GET
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    org = client_selectors.organization_for_card(request.user, pk)
    header, rows, name = _export_rows(request, org)
    response = HttpResponse(
        csvsafe.write_csv(rows, header=header), content_type=csvsafe.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@policy(read=Rule.SIGNED_IN)
@require_GET
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    org = client_selectors.organization_for_card(request.user, pk)
    header, rows, name = _export_rows(request, org)
    body = csvsafe.write_xlsx(rows, header=header, sheet=_("Indicators"))
    response = HttpResponse(body, content_type=csvsafe.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- Adding, editing and deleting records ---------------------------------------------------


def _writable_org(request: HttpRequest, pk: int) -> Organization:
    org = client_selectors.organization_for_card(request.user, pk, write=True)
    if not access.may_manage_organization(request.user, org):
        raise access.deny(request.user, f"write to organization {org.pk}")
    return org


def _writable_record(request: HttpRequest, kind: str, pk: int) -> Any:
    record = selectors.visible_record(request.user, kind, pk, write=True)
    if not access.may_manage_organization(request.user, record.organization):
        raise access.deny(request.user, f"write to {kind} {pk}")
    return record


def _after_change(request: HttpRequest, org: Organization, kind: str) -> HttpResponse:
    if request.htmx:
        context = {"organization": org, "section": _section(request, org, kind), "may_write": True}
        response = render(request, "value/work_history.html#records", context)
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect(reverse("value:work_history", args=[org.pk]) + f"#{kind}")


def record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    org = _writable_org(request, pk)
    form = forms.FORMS[kind](request.POST or None, prefix=kind)
    if request.method == "GET":
        context = {
            "form": form,
            "organization": org,
            "title": KINDS[kind].add_title,
            "back_url": reverse("value:work_history", args=[org.pk]) + f"#{kind}",
        }
        return render(request, "clients/edit_form.html", context)
    if form.is_valid():
        try:
            services.record_create(
                form._meta.model, user=request.user, organization=org, data=form.service_data()
            )
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            if not request.htmx:
                messages.success(request, _("The record was added."))
            return _after_change(request, org, kind)
    context = {
        "organization": org,
        "section": _section(request, org, kind, form=form),
        "may_write": True,
    }
    if request.htmx:
        response = render(request, "value/work_history.html#records", context)
        return reswap(retarget(response, f"#{kind}"), "outerHTML")
    page = _indicators_context(request, org)
    page["may_write"] = True
    page["sections"] = [
        context["section"] if k == kind else _section(request, org, k) for k in KINDS
    ]
    return render(request, "value/work_history.html", page, status=400)


def record_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    record = _writable_record(request, kind, pk)
    org = record.organization
    form = forms.FORMS[kind](request.POST or None, instance=record)
    back = reverse("value:work_history", args=[org.pk]) + f"#{kind}"
    status, differences = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            services.record_update(
                record,
                user=request.user,
                data=form.service_data(),
                expected_version=form.expected_version(),
            )
        except services.StaleEdit as stale:
            status, differences = 409, _stale(form, stale.current)
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(back)
    context = {
        "form": form,
        "organization": org,
        "title": f"{record._meta.verbose_name.capitalize()} · {org.name}",
        "differences": differences,
        "delete_url": reverse(f"value:{kind}_delete", args=[record.pk]),
        "back_url": back,
    }
    return render(request, "clients/edit_form.html", context, status=status)


def record_delete(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    record = _writable_record(request, kind, pk)
    org = record.organization
    services.record_delete(record, user=request.user)
    if not request.htmx:
        messages.success(request, _("The record was deleted."))
    return _after_change(request, org, kind)


def _bind(kind: str) -> tuple[Any, Any, Any]:
    """The add, edit and delete views of one record kind, each with its access decision."""

    @policy(read=Rule.WRITERS)
    @require_http_methods(["GET", "POST"])
    def add(request: HttpRequest, pk: int) -> HttpResponse:
        return record_add(request, pk, kind)

    @policy(read=Rule.WRITERS)
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: int) -> HttpResponse:
        return record_edit(request, pk, kind)

    @policy(read=Rule.WRITERS)
    @require_POST
    def delete(request: HttpRequest, pk: int) -> HttpResponse:
        return record_delete(request, pk, kind)

    for view, verb in ((add, "add"), (edit, "edit"), (delete, "delete")):
        view.__name__ = view.__qualname__ = f"{kind}_{verb}"
    return add, edit, delete


RECORD_VIEWS = {kind: _bind(kind) for kind in KINDS}


# --- Exchange rates -------------------------------------------------------------------------


@policy(read=Rule.SIGNED_IN, write=Rule.HEAD)
@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    form = forms.RateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rate, changed = services.rate_set(user=request.user, **form.cleaned_data)
            except ValidationError as e:
                _apply_service_errors(form, e)
            else:
                messages.success(
                    request,
                    _(
                        "The rate of %(currency)s from %(date)s was saved; "
                        "%(count)d records recomputed."
                    )
                    % {"currency": rate.currency, "date": rate.date.isoformat(), "count": changed},
                )
                return redirect("value:rates")
        status = 400
    currency = request.GET.get("currency", "")[:3]
    context = {
        "form": form,
        "page": selectors.rates_page(currency=currency, page=query_int(request.GET.get("page"), 1)),
        "currencies": selectors.currencies_in_use(),
        "currency": currency.upper(),
        "base": base_currency(),
        "may_write": access.allows(Rule.HEAD, request.user),
    }
    return render(request, "value/rates.html", context, status=status)


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_POST
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = ExchangeRate.objects.filter(pk=pk).first()
    if rate is None:
        raise access.not_found(request.user, f"exchange rate {pk}")
    try:
        services.rate_delete(user=request.user, rate=rate)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The rate was deleted."))
    return redirect("value:rates")
