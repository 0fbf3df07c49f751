"""The meeting pages: the list and the calendar, planning, the meeting, its questionnaire on
screen, the review of what it changes, and the work items and opportunities it leaves.

Thin: look up through the access module, call a selector or a service, render. Every form
works without JavaScript (post, then redirect).
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamrad.clients.models import Organization
from kamrad.clients.services import StaleEdit
from kamrad.meetings import forms, selectors, services
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.users import access
from kamrad.users.access import Rule, policy
from kamrad.users.models import User

PAGE_SIZE = 50


def _stale_message() -> str:
    return _(
        "Someone else saved this meeting while you were working on it, so nothing was saved. "
        "What you typed is still here: check it against theirs and save again."
    )


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- Lists and the calendar ---------------------------------------------------------------


@policy(read=Rule.SIGNED_IN)
def meeting_list(request: HttpRequest) -> HttpResponse:
    when = request.GET.get("when", "upcoming")
    if when not in {"upcoming", "past", "all"}:
        when = "upcoming"
    status = request.GET.get("status", "")
    if status not in Meeting.Status.values:
        status = ""
    mine = request.GET.get("mine", "1" if request.user.is_manager else "") == "1"
    meetings = selectors.meeting_list(request.user, when=when, status=status, mine=mine)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/list.html",
        {
            "page": page,
            "when": when,
            "status": status,
            "mine": mine,
            "statuses": Meeting.Status.choices,
            "params": urlencode({"when": when, "status": status, "mine": "1" if mine else "0"}),
        },
    )


def _month(text: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(text or "", "%Y-%m").date()  # noqa: DTZ007
    except ValueError:
        return timezone.localdate().replace(day=1)


@policy(read=Rule.SIGNED_IN)
def calendar_page(request: HttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month"))
    member = request.user
    chosen = _int(request.GET.get("user"))
    if chosen and chosen != request.user.pk:
        member = User.objects.filter(pk=chosen, is_active=True).first() or request.user
    weeks = selectors.month_grid(request.user, member, month)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "meetings/calendar.html",
        {
            "weeks": weeks,
            "month": month,
            "previous": previous,
            "following": following,
            "member": member,
            "staff": forms.staff() if request.user.sees_all_clients else [],
        },
    )


# --- Planning and the meeting ---------------------------------------------------------------


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
def plan(request: HttpRequest) -> HttpResponse:
    organization_pk = _int(request.POST.get("organization") or request.GET.get("organization"))
    if organization_pk is None:
        return render(
            request,
            "meetings/choose_client.html",
            {},
            status=400 if request.method == "POST" else 200,
        )
    organization = access.get_visible_or_404(
        Organization.objects.all(), request.user, "", write=True, pk=organization_pk
    )
    if not access.may_manage_organization(request.user, organization):
        raise access.deny(request.user, f"plan a meeting with organization {organization.pk}")
    initial = {
        "starts_at": forms.default_start(),
        "duration_minutes": 60,
        "our_people": [request.user],
        "language": (get_language() or "en")[:2],
    }
    form = forms.PlanForm(request.POST or None, organization=organization, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting = services.meeting_plan(
                    user=request.user,
                    organization=organization,
                    data=form.service_data(),
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The meeting is planned."))
                return redirect("meetings:detail", meeting_pk=meeting.pk)
    return render(
        request, "meetings/plan.html", {"form": form, "organization": organization}, status=status
    )


def _detail_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    may_write = access.may_manage_organization(request.user, meeting.organization)
    return {
        "meeting": meeting,
        "organization": meeting.organization,
        "outcomes": selectors.outcomes_of(meeting)
        if meeting.status == Meeting.Status.RECORDED
        else [],
        "may_write": may_write,
        "hold_form": extra.pop("hold_form", None)
        or forms.HoldForm(
            initial={"version": meeting.version, "held_on": timezone.localdate(meeting.starts_at)}
        ),
        **extra,
    }


@policy(read=Rule.SIGNED_IN)
def detail(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, meeting_pk)
    return render(request, "meetings/detail.html", _detail_context(request, meeting))


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
def edit(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, meeting_pk, write=True)
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "purpose": meeting.purpose,
        "notes": meeting.notes,
        "our_people": list(meeting.our_people.all()),
        "their_people": list(meeting.their_people.all()),
        "version": meeting.version,
    }
    form = forms.PlanForm(
        request.POST or None, organization=meeting.organization, editing=True, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.meeting_update(
                    user=request.user,
                    meeting=meeting,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except StaleEdit:
                status = 409
                form.add_error(None, _stale_message())
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The meeting is saved."))
                return redirect("meetings:detail", meeting_pk=meeting.pk)
    return render(
        request,
        "meetings/plan.html",
        {"form": form, "organization": meeting.organization, "meeting": meeting},
        status=status,
    )


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
@require_POST
def hold(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, meeting_pk, write=True)
    form = forms.HoldForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.meeting_hold(
                user=request.user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                held_on=form.cleaned_data["held_on"],
            )
        except StaleEdit:
            status = 409
            form.add_error(None, _stale_message())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("The meeting is marked as held: now fill in its questionnaire.")
            )
            return redirect("meetings:questionnaire", meeting_pk=meeting.pk)
    meeting.refresh_from_db()
    return render(
        request,
        "meetings/detail.html",
        _detail_context(request, meeting, hold_form=form),
        status=status,
    )


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
@require_POST
def cancel(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, meeting_pk, write=True)
    try:
        services.meeting_cancel(
            user=request.user,
            meeting=meeting,
            expected_version=_int(request.POST.get("version")) or 0,
        )
    except StaleEdit:
        messages.error(request, _stale_message())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is cancelled."))
    return redirect("meetings:detail", meeting_pk=meeting.pk)


# --- The questionnaire and the review -------------------------------------------------------


@policy(read=Rule.SIGNED_IN, write=Rule.WRITERS)
def questionnaire(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    write = request.method == "POST"
    meeting = selectors.meeting_for_page(request.user, meeting_pk, write=write)
    if write and not access.may_manage_organization(request.user, meeting.organization):
        raise access.deny(request.user, f"questionnaire of meeting {meeting.pk}")
    values: dict[str, Any] = meeting.answers
    errors: dict[str, list[str]] = {}
    problem = ""
    status = 200
    if write and meeting.questionnaire is not None:
        values = forms.answers_from_post(meeting.questionnaire.structure, request.POST)
        try:
            services.meeting_save_answers(
                user=request.user,
                meeting=meeting,
                data=values,
                expected_version=_int(request.POST.get("version")) or 0,
            )
        except StaleEdit as stale:
            status, problem = 409, _stale_message()
            meeting.version = stale.current.version
        except ValidationError as error:
            status = 400
            if hasattr(error, "error_dict"):
                errors = {
                    key: [str(m) for e in found for m in e.messages]
                    for key, found in error.error_dict.items()
                }
                problem = _(
                    "Some answers need correcting: see the marked questions. Nothing was saved."
                )
            else:
                problem = " ".join(error.messages)
        else:
            if request.POST.get("next") == "review":
                return redirect("meetings:review", meeting_pk=meeting.pk)
            messages.success(request, _("The answers are saved as a draft."))
            return redirect("meetings:questionnaire", meeting_pk=meeting.pk)
    context = {
        "meeting": meeting,
        "organization": meeting.organization,
        "sections": forms.questionnaire_layout(meeting, values, errors),
        "problem": problem,
        "roles": forms.role_choices(),
        "contacts": list(meeting.organization.contacts.order_by("full_name")),
        "products": list(forms.Product.objects.filter(is_ours=True).order_by("name")),
        "services_with_checks": list(
            forms.Product.objects.filter(is_ours=True, quality_checks__is_active=True)
            .distinct()
            .order_by("name")
        ),
        "final": meeting.status in {Meeting.Status.RECORDED, Meeting.Status.CANCELLED},
        "may_write": access.may_manage_organization(request.user, meeting.organization),
    }
    return render(request, "meetings/questionnaire.html", context, status=status)


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
def review(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, meeting_pk, write=True)
    if not access.may_manage_organization(request.user, meeting.organization):
        raise access.deny(request.user, f"review of meeting {meeting.pk}")
    if meeting.status == Meeting.Status.RECORDED:
        return redirect("meetings:detail", meeting_pk=meeting.pk)
    problem = ""
    status = 200
    held_on = timezone.localdate(meeting.starts_at)
    if request.method == "POST":
        accepted = request.POST.getlist("accept")
        held_text = request.POST.get("held_on", "")
        try:
            held = datetime.date.fromisoformat(held_text) if held_text else None
        except ValueError:
            held, problem, status = (
                None,
                _("Enter the day the meeting was held as YYYY-MM-DD."),
                400,
            )
        if not problem:
            try:
                outcomes = services.meeting_record(
                    user=request.user,
                    meeting=meeting,
                    accepted=accepted,
                    expected_version=_int(request.POST.get("version")) or 0,
                    held_on=held,
                )
            except StaleEdit:
                status, problem = (
                    409,
                    _(
                        "Someone else changed this meeting meanwhile, so nothing was recorded. "
                        "The changes as they are now are shown: confirm them again."
                    ),
                )
                meeting.refresh_from_db()
            except ValidationError as error:
                status, problem = 400, " ".join(error.messages)
                meeting.refresh_from_db()
            else:
                messages.success(
                    request,
                    _("The meeting is recorded: %(n)d changes were made.") % {"n": len(outcomes)},
                )
                return redirect("meetings:detail", meeting_pk=meeting.pk)
    changes = services.meeting_review(meeting)
    groups: dict[str, list[services.Change]] = {}
    for change in changes:
        groups.setdefault(change.kind_label, []).append(change)
    return render(
        request,
        "meetings/review.html",
        {
            "meeting": meeting,
            "organization": meeting.organization,
            "groups": list(groups.items()),
            "problem": problem,
            "held_on": held_on,
            "needs_held_on": meeting.status == Meeting.Status.PLANNED,
        },
        status=status,
    )


# --- The card's section ------------------------------------------------------------------------


@policy(read=Rule.SIGNED_IN)
def for_client(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = access.get_visible_or_404(
        Organization.objects.select_related("referred_by", "referred_by_contact"),
        request.user,
        "",
        pk=organization_pk,
    )
    template = "meetings/for_client.html#section" if request.htmx else "meetings/for_client.html"
    return render(
        request,
        template,
        {
            "organization": organization,
            "found": selectors.for_client(organization),
            "may_write": access.may_manage_organization(request.user, organization),
        },
    )


# --- Work items and opportunities ------------------------------------------------------------


@policy(read=Rule.SIGNED_IN)
def work_item_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    items = selectors.work_items_visible_to(request.user).select_related(
        "organization", "product", "assigned_to"
    )
    if status == "open":
        items = items.exclude(status=WorkItem.Status.CLOSED)
    elif status in WorkItem.Status.values:
        items = items.filter(status=status)
    if request.GET.get("mine") == "1":
        items = items.filter(assigned_to=request.user)
    page = Paginator(items.order_by("due_on", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/work_items.html",
        {
            "page": page,
            "status": status,
            "statuses": WorkItem.Status.choices,
            "mine": request.GET.get("mine") == "1",
            "today": timezone.localdate(),
        },
    )


def _edit_row(
    request: HttpRequest,
    obj: WorkItem | Opportunity,
    form_class: type[BaseForm],
    update: Any,
    template: str,
) -> HttpResponse:
    write = request.method == "POST"
    may_write = access.may_manage_organization(request.user, obj.organization)
    if write and not may_write:
        raise access.deny(request.user, f"edit {type(obj).__name__} {obj.pk}")
    form = form_class(request.POST or None, instance=obj, initial={"version": obj.version})
    status = 200
    if write:
        status = 400
        if form.is_valid():
            try:
                update(obj, form.service_data(), form.cleaned_data.get("version") or 0)
            except StaleEdit:
                status = 409
                form.add_error(None, _stale_message())
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.path)
    return render(
        request,
        template,
        {"obj": obj, "organization": obj.organization, "form": form, "may_write": may_write},
        status=status,
    )


@policy(read=Rule.SIGNED_IN, write=Rule.WRITERS)
def work_item(request: HttpRequest, work_item_pk: int) -> HttpResponse:
    item = access.get_visible_or_404(
        WorkItem.objects.select_related("organization", "meeting", "product", "assigned_to"),
        request.user,
        "organization",
        write=request.method == "POST",
        pk=work_item_pk,
    )
    return _edit_row(
        request,
        item,
        forms.WorkItemForm,
        lambda obj, data, version: services.work_item_update(
            user=request.user, item=obj, data=data, expected_version=version
        ),
        "meetings/work_item.html",
    )


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
def work_item_add(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = access.get_visible_or_404(
        Organization.objects.all(), request.user, "", write=True, pk=organization_pk
    )
    if not access.may_manage_organization(request.user, organization):
        raise access.deny(request.user, f"work item for organization {organization.pk}")
    form = forms.WorkItemForm(
        request.POST or None, initial={"assigned_to": organization.account_manager}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = services.work_item_create(
                    user=request.user, organization=organization, data=form.service_data()
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The work item is opened."))
                return redirect("meetings:work_item", work_item_pk=item.pk)
    return render(
        request,
        "meetings/work_item.html",
        {"form": form, "organization": organization, "may_write": True},
        status=status,
    )


@policy(read=Rule.SIGNED_IN)
def opportunity_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    rows = selectors.opportunities_visible_to(request.user).select_related(
        "organization", "product", "owner"
    )
    if status in Opportunity.Status.values:
        rows = rows.filter(status=status)
    if kind in Opportunity.Kind.values:
        rows = rows.filter(kind=kind)
    if request.GET.get("mine") == "1":
        rows = rows.filter(owner=request.user)
    page = Paginator(rows.order_by("next_step_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "meetings/opportunities.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": Opportunity.Status.choices,
            "kinds": Opportunity.Kind.choices,
            "mine": request.GET.get("mine") == "1",
        },
    )


@policy(read=Rule.SIGNED_IN, write=Rule.WRITERS)
def opportunity(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    row = access.get_visible_or_404(
        Opportunity.objects.select_related("organization", "meeting", "product", "owner"),
        request.user,
        "organization",
        write=request.method == "POST",
        pk=opportunity_pk,
    )
    return _edit_row(
        request,
        row,
        forms.OpportunityForm,
        lambda obj, data, version: services.opportunity_update(
            user=request.user, opportunity=obj, data=data, expected_version=version
        ),
        "meetings/opportunity.html",
    )


@policy(read=Rule.WRITERS, write=Rule.WRITERS)
def opportunity_add(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = access.get_visible_or_404(
        Organization.objects.all(), request.user, "", write=True, pk=organization_pk
    )
    if not access.may_manage_organization(request.user, organization):
        raise access.deny(request.user, f"opportunity for organization {organization.pk}")
    form = forms.OpportunityForm(
        request.POST or None,
        initial={"owner": organization.account_manager, "kind": Opportunity.Kind.NEW_PRODUCT},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                row = services.opportunity_create(
                    user=request.user, organization=organization, data=form.service_data()
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The opportunity is recorded."))
                return redirect("meetings:opportunity", opportunity_pk=row.pk)
    return render(
        request,
        "meetings/opportunity.html",
        {"form": form, "organization": organization, "may_write": True},
        status=status,
    )
