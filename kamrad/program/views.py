"""The VIP program's pages: the program, its staff, its client list, the proposed split, the
reassignment log, worklists and coverage.

Thin: look up through access, call a selector or a service, render. Each page is one template
with named partials; htmx asks for a partial, a normal request gets the page, so every form
here also works without JavaScript (post, then redirect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kamrad.clients import search
from kamrad.clients.models import Organization
from kamrad.program import charts, exports, forms, selectors, services
from kamrad.program.models import (
    Member,
    Program,
    ProgramClient,
    Proposal,
    ProposalLine,
    Reassignment,
    Rule,
)
from kamrad.pyramid.models import Tier
from kamrad.users import access
from kamrad.users.access import Rule as Access
from kamrad.users.access import policy
from kamrad.users.models import User

# The rules that are about the salesperson who brought the client: the page names them.
OWNER_RULES = frozenset({Rule.OWNER_KEPT, Rule.OWNER_FULL, Rule.OWNER_DOUBTED, Rule.OWNER_GUARDS})
# Which date a worklist row records next, by the step that is due.
STEP_FIELDS = {
    selectors.STEP_PLAN: "meeting_planned_on",
    selectors.STEP_MEET: "met_on",
    selectors.STEP_QUESTIONNAIRE: "questionnaire_on",
    selectors.STEP_FOLLOWUPS: "followups_on",
}


def _stale_message() -> str:
    return _(
        "Someone else saved this while you were editing it, so nothing was saved. "
        "Their version is shown now; make your change again if it is still needed."
    )


def _proposal_stale_message() -> str:
    return _(
        "Someone else changed this proposal meanwhile, so nothing was changed. "
        "The proposal as it is now is shown; make your change again if it is still needed."
    )


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _rearmed(form: BaseForm, current_version: int, **kwargs: Any) -> BaseForm:
    """The user's input again, now at the saved version: saving it replaces theirs knowingly."""
    data = form.data.copy()
    data["version"] = str(current_version)
    again = type(form)(data, **kwargs)
    again.is_valid()
    again.add_error(None, _stale_message())
    return again


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _today() -> Any:
    return timezone.localdate()


# --- Paging -------------------------------------------------------------------------------------


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_next: bool
    count: int
    capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page(request: HttpRequest, queryset: QuerySet[Any], *, query: QueryDict | None = None) -> Page:
    """One page of rows (KAMRAD_PAGE_SIZE) and a count that stops at KAMRAD_COUNT_LIMIT."""
    size = settings.KAMRAD_PAGE_SIZE
    limit = settings.KAMRAD_COUNT_LIMIT
    number = max(_int((query or request.GET).get("page"), 1), 1)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    total = queryset.order_by()[: limit + 1].count()
    return Page(rows[:size], number, len(rows) > size, min(total, limit), total > limit)


def _params(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Look-ups -----------------------------------------------------------------------------------


def _program(pk: int) -> Program:
    return get_object_or_404(Program.objects.select_related("head"), pk=pk)


def _program_client(
    request: HttpRequest, program: Program, organization_pk: int, *, write: bool = False
) -> ProgramClient:
    return access.get_visible_or_404(
        ProgramClient.objects.filter(program=program).select_related(
            "organization__owner",
            "organization__account_manager",
            "organization__pyramid_value",
            "assigned_to",
        ),
        request.user,
        "organization",
        write=write,
        organization_id=organization_pk,
    )


def _line(request: HttpRequest, program: Program, line_pk: int) -> ProposalLine:
    return access.get_visible_or_404(
        ProposalLine.objects.filter(proposal__program=program).select_related(
            "proposal", "client", "organization__owner", "member__user"
        ),
        request.user,
        "organization",
        write=True,
        pk=line_pk,
    )


def _may_head(request: HttpRequest) -> bool:
    return access.may_assign_managers(request.user)


def _base(request: HttpRequest, program: Program, section: str) -> dict[str, Any]:
    return {
        "program": program,
        "section": section,
        "may_head": _may_head(request),
        "may_oversee": access.allows(Access.OVERSEERS, request.user),
    }


# --- Programs -----------------------------------------------------------------------------------


@policy(read=Access.SIGNED_IN)
@require_GET
def current(request: HttpRequest) -> HttpResponse:
    """The running (else the latest) program's overview; the list when there is none."""
    program = selectors.current_program()
    if program is None:
        return _program_list(request)
    return _overview(request, _program(program.pk))


@policy(read=Access.SIGNED_IN)
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    return _program_list(request)


def _program_list(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.select_related("head").annotate(client_count=Count("clients"))
    context = {"programs": programs, "may_head": _may_head(request)}
    return render(request, "program/list.html", context)


@policy(read=Access.HEAD, write=Access.HEAD)
def program_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProgramForm(
        request.POST or None,
        initial={"head": request.user.pk, "status": Program.Status.PLANNED},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                program = services.program_create(user=request.user, data=form.service_data())
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The program was created."))
                return redirect("program:overview", program.pk)
    return render(request, "program/form.html", {"form": form, "program": None}, status=status)


@policy(read=Access.HEAD, write=Access.HEAD)
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(pk)
    form = forms.ProgramForm(request.POST or None, initial=forms.ProgramForm.initial_for(program))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.program_update(
                    user=request.user,
                    program=program,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleEdit as stale:
                status = 409
                form = _rearmed(form, stale.current.version)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("program:overview", program.pk)
    context = {"form": form, "program": program}
    return render(request, "program/form.html", context, status=status)


def _goal_figures(request: HttpRequest, program: Program, bad: BaseForm | None = None) -> list:
    figures = selectors.goal_figures(program, request.user, _today())
    for figure in figures:
        figure.entered = figure.code in selectors.ENTERED_GOALS  # type: ignore[attr-defined]
        if bad is not None and bad.data.get("code") == figure.code:
            figure.form = bad  # type: ignore[attr-defined]
    return figures


def _coverage_total(request: HttpRequest, program: Program) -> selectors.CoverageRow:
    """The program's coverage alone: one grouped query (the coverage page has the tables)."""
    total = selectors.CoverageRow("program", program.name)
    clients = selectors.clients_visible_to(request.user, program)
    states = clients.annotate(state=selectors.state_expression()).values_list("state")
    for state, n in states.annotate(n=Count("id")).order_by():
        total.add(state, n)
    return total


def _overview(request: HttpRequest, program: Program, status: int = 200, **extra: Any) -> Any:
    loads = selectors.member_loads(program)
    context = {
        **_base(request, program, "overview"),
        "goals": _goal_figures(request, program, extra.pop("goal_form", None)),
        "loads": loads,
        "capacity_hours": round(sum(load.capacity_minutes for load in loads) / 60, 1),
        "coverage": _coverage_total(request, program),
        "draft": selectors.draft_of(program),
        "client_hours": round(program.client_minutes / 60, 2),
        **extra,
    }
    return render(request, "program/overview.html", context, status=status)


@policy(read=Access.SIGNED_IN)
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    return _overview(request, _program(pk))


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The head sets a goal's target (and the achieved figure nothing measures), in place."""
    program = _program(pk)
    form = forms.GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_set(
                user=request.user,
                program=program,
                code=form.cleaned_data["code"],
                target=form.cleaned_data["target"],
                achieved=form.cleaned_data["achieved"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
    if form.errors:
        if request.htmx:
            context = {**_base(request, program, "overview")}
            context["goals"] = _goal_figures(request, program, form)
            return render(request, "program/overview.html#goals", context)
        return _overview(request, program, status=400, goal_form=form)
    if request.htmx:
        context = {**_base(request, program, "overview"), "saved": form.cleaned_data["code"]}
        context["goals"] = _goal_figures(request, program)
        return render(request, "program/overview.html#goals", context)
    messages.success(request, _("The goal was saved."))
    return redirect(reverse("program:overview", args=[program.pk]) + "#goals")


# --- Staff --------------------------------------------------------------------------------------


@policy(read=Access.SIGNED_IN, write=Access.HEAD)
def staff(request: HttpRequest, pk: int) -> HttpResponse:
    """The members and their workload; the head adds a member here (POST)."""
    program = _program(pk)
    form = forms.MemberAddForm(request.POST or None, program=program)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member = services.member_add(
                    user=request.user, program=program, data=form.service_data()
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request, _("%(name)s joined the program's staff.") % {"name": member.user}
                )
                return redirect("program:staff", program.pk)
    context = {
        **_base(request, program, "staff"),
        "loads": selectors.member_loads(program),
        "form": form,
        "full_time_hours": round(program.full_time_minutes() / 60, 1),
        "client_hours": round(program.client_minutes / 60, 2),
    }
    return render(request, "program/staff.html", context, status=status)


@policy(read=Access.HEAD, write=Access.HEAD)
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    program = _program(pk)
    member = get_object_or_404(
        Member.objects.select_related("user", "program"), program=program, pk=member_pk
    )
    form = forms.MemberForm(request.POST or None, initial=forms.MemberForm.initial_for(member))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.member_update(
                    user=request.user,
                    member=member,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleEdit as stale:
                status = 409
                form = _rearmed(form, stale.current.version)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("program:staff", program.pk)
    context = {**_base(request, program, "staff"), "member": member, "form": form}
    return render(request, "program/member_form.html", context, status=status)


# --- The client list ----------------------------------------------------------------------------


def _client_rows(queryset: QuerySet[ProgramClient]) -> QuerySet[ProgramClient]:
    return queryset.select_related(
        "organization__owner",
        "organization__account_manager",
        "organization__pyramid_value",
        "assigned_to",
    ).annotate(state=selectors.state_expression())


@policy(read=Access.SIGNED_IN)
@require_GET
def clients(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(pk)
    members = list(Member.objects.filter(program=program).select_related("user"))
    form = forms.ClientFilterForm(request.GET or None, members=members)
    filters = form.filters()
    queryset = selectors.clients_visible_to(request.user, program)
    if filters["q"].strip():
        found = Organization.objects.filter(search.matching(filters["q"])).values("pk")
        queryset = queryset.filter(organization_id__in=found)
    if filters["state"]:
        queryset = queryset.alias(state_of=selectors.state_expression()).filter(
            state_of=filters["state"]
        )
    if filters["member"] == 0:
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters["member"]:
        queryset = queryset.filter(assigned_to_id=filters["member"])
    if filters["source"]:
        queryset = queryset.filter(source=filters["source"])
    page = _page(request, _client_rows(queryset).order_by("organization__name", "id"))
    suspects = selectors.monopoly_suspects(
        program, request.user, [c.organization_id for c in page.rows]
    )
    for row in page.rows:
        row.suspect = suspects.get(row.organization_id)
        row.state_label = selectors.STATE_LABELS[row.state]
    context = {
        **_base(request, program, "clients"),
        "form": form,
        "page": page,
        "params": _params(request),
        "filtered": any(
            filters.get(k) not in (None, "") for k in ("q", "state", "member", "source")
        ),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "program/clients.html#results", context)
    return render(request, "program/clients.html", context)


@policy(read=Access.HEAD, write=Access.HEAD)
def clients_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add clients to the list: every corporate client, the VIP candidates, or picked by hand
    (GET finds them by name, private persons included; POST adds)."""
    program = _program(pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("corporate", "candidates"):
            add = (
                services.clients_add_corporate
                if action == "corporate"
                else services.clients_add_candidates
            )
            try:
                added = add(user=request.user, program=program)
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
                return redirect("program:clients", program.pk)
            return _added(request, program, added)
        return _clients_pick(request, program)
    search_form = forms.ClientSearchForm(request.GET or None)
    query = search_form.data.get("q", "").strip() if search_form.is_bound else ""
    return _clients_add_page(request, program, query)


def _found(request: HttpRequest, program: Program, query: str) -> list[Organization]:
    if not query:
        return []
    return list(
        access.organizations_visible_to(request.user)
        .filter(kind__in=[Organization.Kind.CLIENT, Organization.Kind.PROSPECT])
        .filter(search.matching(query))
        .exclude(program_entries__program=program)
        .select_related("account_manager")
        .order_by("name", "id")[: settings.KAMRAD_PAGE_SIZE]
    )


def _clients_add_page(
    request: HttpRequest,
    program: Program,
    query: str,
    pick_form: BaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    found = _found(request, program, query)
    context = {
        **_base(request, program, "clients"),
        "search_form": forms.ClientSearchForm(initial={"q": query}),
        "query": query,
        "found": found,
        "pick_form": pick_form,
    }
    return render(request, "program/clients_add.html", context, status=status)


def _clients_pick(request: HttpRequest, program: Program) -> HttpResponse:
    posted = [_int(v) for v in request.POST.getlist("organizations")]
    visible = list(
        access.organizations_visible_to(request.user).filter(pk__in=[p for p in posted if p])
    )
    form = forms.ClientPickForm(request.POST, choices=[(o.pk, o.name) for o in visible])
    query = request.POST.get("q", "").strip()
    if form.is_valid():
        chosen = [o for o in visible if o.pk in set(form.cleaned_data["organizations"])]
        try:
            added = services.clients_add(user=request.user, program=program, organizations=chosen)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _added(request, program, added)
    return _clients_add_page(request, program, query, pick_form=form, status=400)


def _added(request: HttpRequest, program: Program, added: int) -> HttpResponse:
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s client was added to the list.",
                "%(count)s clients were added to the list.",
                added,
            )
            % {"count": added},
        )
    else:
        messages.info(request, _("No client was added: they are all on the list already."))
    return redirect("program:clients", program.pk)


# --- One program client -------------------------------------------------------------------------


def _client_context(
    request: HttpRequest, program: Program, client: ProgramClient, **extra: Any
) -> dict[str, Any]:
    org = client.organization
    may_work = access.may_manage_organization(request.user, org)
    may_head = _may_head(request)
    context = {
        **_base(request, program, "clients"),
        "client": client,
        "organization": org,
        "state": selectors.work_state(client),
        "state_label": selectors.STATE_LABELS[selectors.work_state(client)],
        "tier_label": _tier_label(org),
        "suspect": selectors.monopoly_suspects(program, request.user, [org.pk]).get(org.pk),
        "may_work": may_work,
        "history": Reassignment.objects.filter(organization=org)
        .select_related("from_user", "to_user", "by", "program")
        .order_by("-at", "-id")[:100],
    }
    if may_work:
        context["work_form"] = extra.pop("work_form", None) or forms.WorkForm(
            initial=forms.WorkForm.initial_for(client), auto_id="work_%s"
        )
    if may_head:
        context["assess_form"] = extra.pop("assess_form", None) or forms.AssessForm(
            initial=forms.AssessForm.initial_for(client), auto_id="assess_%s"
        )
        context["reassign_form"] = extra.pop("reassign_form", None) or forms.ReassignForm(
            program=program,
            initial={"version": client.version, "to_user": client.assigned_to_id},
            auto_id="reassign_%s",
        )
    context.update(extra)
    return context


def _tier_label(org: Organization) -> str:
    try:
        value = org.pyramid_value
    except Organization.pyramid_value.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return ""
    return str(dict(Tier.choices).get(value.tier, value.tier))


def _client_response(
    request: HttpRequest, program: Program, client: ProgramClient, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _client_context(request, program, client, **extra)
    if request.htmx:
        # A 400 would not be swapped in; the form with its errors must be.
        return render(
            request, "program/client.html#section", context, status=409 if status == 409 else 200
        )
    return render(request, "program/client.html", context, status=status)


def _client_saved(request: HttpRequest, program: Program, organization_pk: int) -> HttpResponse:
    if request.htmx:
        client = _program_client(request, program, organization_pk)
        return _client_response(request, program, client, saved=True)
    messages.success(request, _("Your changes were saved."))
    return redirect("program:client", program.pk, organization_pk)


@policy(read=Access.SIGNED_IN, write=Access.WRITERS)
def client(request: HttpRequest, pk: int, organization_pk: int) -> HttpResponse:
    """A program client: its state, the work marks (POST: its account manager or the head),
    the head's assessment and reassignment, and who held it before."""
    program = _program(pk)
    entry = _program_client(request, program, organization_pk, write=request.method == "POST")
    if request.method != "POST":
        return _client_response(request, program, entry)
    if not access.may_manage_organization(request.user, entry.organization):
        raise access.deny(request.user, f"program work on organization {organization_pk}")
    form = forms.WorkForm(request.POST, auto_id="work_%s")
    to_worklist = request.POST.get("next") == "worklist"
    status = 400
    if form.is_valid():
        try:
            services.client_record_work(
                user=request.user,
                client=entry,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            status = 409
            form = _rearmed(form, stale.current.version, auto_id="work_%s")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if to_worklist:
                return _worklist_saved(request, program, entry)
            return _client_saved(request, program, organization_pk)
    if to_worklist:
        return _worklist_row_response(request, program, entry, form, status)
    return _client_response(request, program, entry, status=status, work_form=form)


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def client_assess(request: HttpRequest, pk: int, organization_pk: int) -> HttpResponse:
    program = _program(pk)
    entry = _program_client(request, program, organization_pk, write=True)
    form = forms.AssessForm(request.POST, auto_id="assess_%s")
    status = 400
    if form.is_valid():
        try:
            services.client_assess(
                user=request.user,
                client=entry,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            status = 409
            form = _rearmed(form, stale.current.version, auto_id="assess_%s")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _client_saved(request, program, organization_pk)
    return _client_response(request, program, entry, status=status, assess_form=form)


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def client_reassign(request: HttpRequest, pk: int, organization_pk: int) -> HttpResponse:
    program = _program(pk)
    entry = _program_client(request, program, organization_pk, write=True)
    form = forms.ReassignForm(request.POST, program=program, auto_id="reassign_%s")
    status = 400
    if form.is_valid():
        try:
            services.client_reassign(
                user=request.user,
                client=entry,
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
                override=form.cleaned_data["override"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            status = 409
            form = _rearmed(form, stale.current.version, program=program, auto_id="reassign_%s")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _client_saved(request, program, organization_pk)
    return _client_response(request, program, entry, status=status, reassign_form=form)


# --- The proposal -------------------------------------------------------------------------------


def _member_choices(program: Program) -> list[tuple[int, str]]:
    members = Member.objects.filter(program=program, is_active=True).select_related("user")
    return [(m.pk, str(m.user)) for m in members]


def _prepare_line(line: ProposalLine) -> ProposalLine:
    """The words of the rule that placed the client, ready to print."""
    label = str(Rule(line.rule).label) if line.rule in Rule.values else line.rule
    line.rule_label = label  # type: ignore[attr-defined]
    owner = line.organization.owner
    line.owner_name = str(owner) if owner and line.rule in OWNER_RULES else ""  # type: ignore[attr-defined]
    line.guarded = bool(line.client.owner_guards and owner)  # type: ignore[attr-defined]
    return line


def _proposal_lines(
    request: HttpRequest, proposal: Proposal, selected: str
) -> QuerySet[ProposalLine] | None:
    lines = selectors.lines_visible_to(request.user, proposal).select_related(
        "client", "organization__owner", "member__user"
    )
    if selected == "none":
        return lines.filter(member__isnull=True).order_by("organization__name", "id")
    member_id = _int(selected)
    if not member_id:
        return None
    return lines.filter(member_id=member_id).order_by("organization__name", "id")


def _summary_context(program: Program, shown: Proposal | None) -> dict[str, Any]:
    if shown is None:
        return {"loads": [], "unplaced": 0}
    loads = selectors.member_loads(program, shown)
    for load in loads:
        load.rules = [  # type: ignore[attr-defined]
            (str(Rule(rule).label), n) for rule, n in sorted(load.by_rule.items())
        ]
    unplaced = ProposalLine.objects.filter(proposal=shown, member__isnull=True).count()
    return {"loads": loads, "unplaced": unplaced}


def _proposal_page(
    request: HttpRequest,
    program: Program,
    status: int = 200,
    query: QueryDict | None = None,
    **extra: Any,
) -> Any:
    """The page; `query` stands for the address's parameters after a plain post."""
    query = query if query is not None else request.GET
    draft = selectors.draft_of(program)
    shown = draft or selectors.latest_confirmed(program)
    selected = query.get("member", "")
    context: dict[str, Any] = {
        **_base(request, program, "proposal"),
        "draft": draft,
        "shown": shown,
        "selected": selected,
        "back": query.urlencode(),
        "member_choices": _member_choices(program),
        "problems": services.confirm_problems(draft) if draft and _may_head(request) else [],
        **_summary_context(program, shown),
    }
    lines = _proposal_lines(request, shown, selected) if shown else None
    line_errors = extra.pop("line_errors", {})
    if lines is not None:
        page = _page(request, lines, query=query)
        for line in page.rows:
            _prepare_line(line)
            line.errors = line_errors.get(line.pk, {})  # type: ignore[attr-defined]
        context["page"] = page
        params = query.copy()
        params.pop("page", None)
        context["params"] = params.urlencode()
        if selected == "none":
            context["selected_label"] = _("Not placed")
        else:
            names = {m.member.pk: str(m.member.user) for m in context["loads"]}
            context["selected_label"] = names.get(_int(selected), "")
    context.update(extra)
    return render(request, "program/proposal.html", context, status=status)


@policy(read=Access.OVERSEERS, write=Access.HEAD)
@require_GET
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """The split under review, by member: their load and, for a chosen member, their clients."""
    return _proposal_page(request, _program(pk))


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(pk)
    try:
        made = services.proposal_create(user=request.user, program=program)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            ngettext(
                "A split of %(count)s client was proposed in %(seconds)s s.",
                "A split of %(count)s clients was proposed in %(seconds)s s.",
                made.client_count,
            )
            % {"count": made.client_count, "seconds": f"{made.seconds:.2f}"},
        )
    return redirect("program:proposal", program.pk)


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def proposal_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(pk)
    draft = selectors.draft_of(program)
    form = forms.VersionForm(request.POST)
    if draft is None:
        messages.error(request, _("There is no draft to confirm: propose a split first."))
        return redirect("program:proposal", program.pk)
    if not form.is_valid():
        return _proposal_page(request, program, status=400, confirm_errors=[_("Reload the page.")])
    try:
        changed = services.proposal_confirm(
            user=request.user, proposal=draft, expected_version=form.cleaned_data["version"]
        )
    except services.StaleEdit:
        return _proposal_page(request, program, status=409, stale=True)
    except ValidationError as error:
        return _proposal_page(request, program, status=400, confirm_errors=error.messages)
    messages.success(
        request,
        ngettext(
            "The split was confirmed: %(count)s client changed hands.",
            "The split was confirmed: %(count)s clients changed hands.",
            changed,
        )
        % {"count": changed},
    )
    return redirect("program:proposal", program.pk)


def _line_response(
    request: HttpRequest,
    program: Program,
    line: ProposalLine,
    *,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    stale: bool = False,
) -> HttpResponse:
    """After a move or a lock: the line's row (htmx, with the new version and the members'
    loads out of band) or the page again (a plain post)."""
    if not request.htmx:
        if status == 200:
            messages.success(request, _("Your changes were saved."))
            back = request.POST.get("back", "")
            url = reverse("program:proposal", args=[program.pk])
            return redirect(url + ("?" + back if back.startswith("member=") else ""))
        context = {"line_errors": {line.pk: errors or {}}, "stale": stale}
        query = QueryDict(request.POST.get("back", ""), mutable=True)
        if "member" not in query:  # show the line where it is, with its errors
            query["member"] = str(line.member_id) if line.member_id else "none"
        return _proposal_page(request, program, status=status, query=query, **context)
    fresh = _line(request, program, line.pk)
    fresh.errors = errors or {}  # type: ignore[attr-defined]
    shown = fresh.proposal
    back = request.POST.get("back", "")
    context = {
        **_base(request, program, "proposal"),
        "line": _prepare_line(fresh),
        "selected": QueryDict(back).get("member", ""),
        "draft": shown if shown.status == Proposal.Status.DRAFT else None,
        "shown": shown,
        "member_choices": _member_choices(program),
        "row_stale": stale,
        "oob": True,
        "back": back,
        **_summary_context(program, shown),
    }
    return render(
        request, "program/proposal.html#line_update", context, status=409 if stale else 200
    )


def _errors_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}
    return {"all": [str(m) for m in error.messages]}


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def line_move(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    program = _program(pk)
    line = _line(request, program, line_pk)
    form = forms.MoveForm(request.POST, members=_member_choices(program))
    if not form.is_valid():
        errors = {
            ("all" if k == "__all__" else k): [str(e) for e in v] for k, v in form.errors.items()
        }
        return _line_response(request, program, line, status=400, errors=errors)
    member = Member.objects.select_related("user").get(
        program=program, pk=form.cleaned_data["member"]
    )
    try:
        services.proposal_move(
            user=request.user,
            line=line,
            member=member,
            expected_version=form.cleaned_data["version"],
            lock=form.cleaned_data["lock"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except services.StaleEdit:
        return _line_response(request, program, line, status=409, stale=True)
    except ValidationError as error:
        return _line_response(request, program, line, status=400, errors=_errors_of(error))
    return _line_response(request, program, line)


@policy(read=Access.HEAD, write=Access.HEAD)
@require_POST
def line_lock(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    program = _program(pk)
    line = _line(request, program, line_pk)
    form = forms.LockForm(request.POST)
    if not form.is_valid():
        errors = {"all": [_("Reload the page and try again.")]}
        return _line_response(request, program, line, status=400, errors=errors)
    try:
        services.proposal_lock(
            user=request.user,
            line=line,
            locked=form.cleaned_data["locked"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleEdit:
        return _line_response(request, program, line, status=409, stale=True)
    except ValidationError as error:
        return _line_response(request, program, line, status=400, errors=_errors_of(error))
    return _line_response(request, program, line)


# --- The reassignment log -----------------------------------------------------------------------


@policy(read=Access.OVERSEERS, write=Access.HEAD)
@require_GET
def reassignments(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(pk)
    log = access.scope(
        Reassignment.objects.filter(program=program), request.user, "organization"
    ).select_related("organization", "from_user", "to_user", "by")
    page = _page(request, log.order_by("-at", "-id"))
    for row in page.rows:
        row.rule_label = str(Rule(row.rule).label) if row.rule in Rule.values else ""
    context = {**_base(request, program, "reassignments"), "page": page, "params": _params(request)}
    return render(request, "program/reassignments.html", context)


# --- Worklists ----------------------------------------------------------------------------------


def _prepare_worklist_row(row: ProgramClient, may_head: bool, user: User) -> ProgramClient:
    row.step_label = selectors.STEP_LABELS[row.step]  # type: ignore[attr-defined]
    row.tier_label = dict(Tier.choices).get(row.tier, "") if row.tier else ""  # type: ignore[attr-defined]
    row.next_field = STEP_FIELDS.get(row.step)  # type: ignore[attr-defined]
    row.may_record = may_head or row.organization.account_manager_id == user.pk  # type: ignore[attr-defined]
    return row


def _worklist_page(
    request: HttpRequest, program: Program, member_user: User, member: Member | None
) -> HttpResponse:
    rows = selectors.worklist(program, request.user, member_user)
    page = _page(request, rows)
    may_head = _may_head(request) and request.user.can_write
    for row in page.rows:
        _prepare_worklist_row(row, may_head, request.user)
    context = {
        **_base(request, program, "worklist"),
        "member_user": member_user,
        "member": member,
        "page": page,
        "params": _params(request),
        "mine": member_user.pk == request.user.pk,
        "members": Member.objects.filter(program=program).select_related("user")
        if request.user.sees_all_clients
        else [],
        "today": _today(),
    }
    return render(request, "program/worklist.html", context)


@policy(read=Access.SIGNED_IN)
@require_GET
def my_worklist(request: HttpRequest) -> HttpResponse:
    program = selectors.current_program()
    if program is None:
        return _program_list(request)
    program = _program(program.pk)
    member = Member.objects.filter(program=program, user=request.user).first()
    return _worklist_page(request, program, request.user, member)


@policy(read=Access.SIGNED_IN)
@require_GET
def worklist(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """A member's worklist: the head and management see anyone's, a manager only their own."""
    program = _program(pk)
    if user_pk == request.user.pk:
        member = Member.objects.filter(program=program, user=request.user).first()
        return _worklist_page(request, program, request.user, member)
    if not request.user.sees_all_clients:
        raise access.not_found(request.user, f"worklist of user {user_pk}")
    member = Member.objects.filter(program=program, user_id=user_pk).select_related("user").first()
    if member is None:
        raise Http404("not a member of this program")
    return _worklist_page(request, program, member.user, member)


def _worklist_row_context(
    request: HttpRequest, program: Program, entry: ProgramClient, form: BaseForm | None = None
) -> dict[str, Any] | None:
    member_user = entry.assigned_to or request.user
    row = selectors.worklist(program, request.user, member_user).filter(pk=entry.pk).first()
    if row is None:
        return None
    _prepare_worklist_row(row, _may_head(request), request.user)
    row.form = form  # type: ignore[attr-defined]
    return {**_base(request, program, "worklist"), "row": row, "today": _today()}


def _worklist_saved(request: HttpRequest, program: Program, entry: ProgramClient) -> HttpResponse:
    if request.htmx:
        context = _worklist_row_context(request, program, entry)
        if context is None:
            return HttpResponse("")
        context["saved"] = True
        return render(request, "program/worklist.html#row", context)
    messages.success(request, _("Your changes were saved."))
    member_user = entry.assigned_to_id or request.user.pk
    return redirect("program:worklist", program.pk, member_user)


def _worklist_row_response(
    request: HttpRequest, program: Program, entry: ProgramClient, form: BaseForm, status: int
) -> HttpResponse:
    if request.htmx:
        context = _worklist_row_context(request, program, entry, form)
        if context is None:
            return HttpResponse("")
        return render(
            request, "program/worklist.html#row", context, status=409 if status == 409 else 200
        )
    return _client_response(request, program, entry, status=status, work_form=form)


# --- Coverage -----------------------------------------------------------------------------------


@policy(read=Access.SIGNED_IN)
@require_GET
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    """Worked through, in progress and not started: the program's, per member, per tier and
    per region, over time, and the clients not reached yet (scoped to what the user sees)."""
    program = _program(pk)
    today = _today()
    not_reached = selectors.not_reached(program, request.user)
    page = _page(request, not_reached.select_related("organization__account_manager"))
    context = {
        **_base(request, program, "coverage"),
        "coverage": selectors.coverage(program, request.user),
        "chart": charts.coverage_chart(selectors.coverage_over_time(program, request.user, today)),
        "page": page,
        "params": _params(request),
        "days": program.days_running(today),
        "today": today,
    }
    if request.htmx and not request.htmx.boosted and "page" in request.GET:
        return render(request, "program/coverage.html#not_reached", context)
    return render(request, "program/coverage.html", context)


@policy(read=Access.SIGNED_IN)
@require_GET
def coverage_export(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(pk)
    form = forms.ExportForm(request.GET)
    form.is_valid()
    table = form.cleaned_data.get("table") or "members"
    kind = form.cleaned_data.get("format") or "csv"
    today = _today()
    if table == "not_reached":
        header = exports.not_reached_header()
        clients = (
            selectors.not_reached(program, request.user)
            .select_related("organization__account_manager")
            .iterator(chunk_size=2000)
        )
        rows = exports.not_reached_rows(clients, program.days_running(today))
        sheet = _("Not reached")
    else:
        found = selectors.coverage(program, request.user)
        first, data, sheet = {
            "members": (_("Member"), found.by_member, _("By member")),
            "tiers": (_("Tier"), found.by_tier, _("By tier")),
            "regions": (_("Region"), found.by_region, _("By region")),
        }[table]
        header = exports.coverage_header(first)
        rows = exports.coverage_rows([found.total, *data] if table == "members" else data)
    name = f"{table.replace('_', '-')}-{today:%Y-%m-%d}.{kind}"
    ascii_name = f"{slugify(program.name) or f'program-{program.pk}'}-{name}"
    unicode_name = f"{slugify(program.name, allow_unicode=True) or f'program-{program.pk}'}-{name}"
    if kind == "xlsx":
        body = exports.to_xlsx(rows, header, sheet)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.to_csv(rows, header)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name)}"
    )
    return response
