"""The qualification pages: the criteria, the candidates, and the verdict on a client's card.

Thin: look up through access, call a selector or a service, render. The verdict section is
one template with named partials; htmx asks for the section, a normal request gets a page, so
every form here also works without JavaScript (post, then redirect).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from kamrad.clients.models import Organization
from kamrad.qualification import exports, forms, selectors, services
from kamrad.qualification.models import CandidateDecision, Criterion
from kamrad.users import access
from kamrad.users.access import Rule, policy

# The card (kamrad/clients) holds this section's placeholder; its words are translated here.
CARD_PLACEHOLDER = gettext_noop("Show the VIP qualification")


def _stale_message() -> str:
    return _(
        "Someone else saved this while you were editing it, so nothing was saved. "
        "Their version is shown now; make your change again if it is still needed."
    )


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- The criteria -------------------------------------------------------------------------------


@policy(read=Rule.SIGNED_IN, write=Rule.HEAD)
def criteria(request: HttpRequest) -> HttpResponse:
    """Every criterion and the rule; the program head changes the rule here (POST)."""
    rule = selectors.rule()
    form = forms.RuleForm(
        request.POST or None, initial={"min_met": rule.min_met, "version": rule.version}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                user=request.user,
                min_met=form.cleaned_data["min_met"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            status = 409
            form = _rearmed(forms.RuleForm, request, stale, "id_%s")
            form.add_error(None, _stale_message())
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("The rule was saved."))
            return redirect("qualification:criteria")
    context = {
        "criteria": Criterion.objects.prefetch_related("measures"),
        "rule": rule,
        "rule_form": form,
        "may_edit": access.may_assign_managers(request.user),
        "base_currency": selectors.base_currency(),
    }
    return render(request, "qualification/criteria.html", context, status=status)


def _measure_formset(request: HttpRequest, criterion: Criterion | None) -> Any:
    initial = (
        [forms.MeasureForm.initial_for(m) for m in criterion.measures.all()] if criterion else []
    )
    return forms.MeasureFormSet(request.POST or None, initial=initial, prefix="measures")


def _measure_specs(formset: Any) -> list[dict[str, Any]]:
    # An untouched extra form has no cleaned data; a ticked "delete" drops its measure.
    return [f.spec() for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


@policy(read=Rule.HEAD, write=Rule.HEAD)
def criterion_create(request: HttpRequest) -> HttpResponse:
    form = forms.CriterionForm(request.POST or None)
    formset = _measure_formset(request, None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.service_data()
        measures = _measure_specs(formset) if data["kind"] == Criterion.Kind.MEASURED else []
        try:
            services.criterion_create(user=request.user, data=data, measures=measures)
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("The criterion was added."))
            return redirect("qualification:criteria")
    context = {"form": form, "formset": formset, "criterion": None}
    return render(request, "qualification/criterion_form.html", context)


@policy(read=Rule.HEAD, write=Rule.HEAD)
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion.objects.prefetch_related("measures"), pk=pk)
    form = forms.CriterionForm(request.POST or None, instance=criterion)
    formset = _measure_formset(request, criterion)
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        measures = None if criterion.is_judged else _measure_specs(formset)
        try:
            services.criterion_update(
                user=request.user,
                criterion=criterion,
                data=form.service_data(),
                measures=measures,
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEdit:
            status = 409
            form.add_error(None, _stale_message())
            data = form.data.copy()
            data["version"] = str(Criterion.objects.get(pk=pk).version)
            form.data = data
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("qualification:criteria")
    context = {"form": form, "formset": formset, "criterion": criterion}
    return render(request, "qualification/criterion_form.html", context, status=status)


# --- Candidates ---------------------------------------------------------------------------------


@policy(read=Rule.SIGNED_IN)
def candidates(request: HttpRequest) -> HttpResponse:
    found = selectors.stored_candidates(request.user)
    evaluated_at, stale = selectors.stored_evaluated_at(request.user)
    context = {
        "candidates": found,
        "may_decide": access.may_assign_managers(request.user),
        "as_of": found[0].verdict.as_of if found else selectors.today(),
        "evaluated_at": evaluated_at,
        "stale": stale,
        "needed": found[0].verdict.needed if found else selectors.rule().min_met,
    }
    return render(request, "qualification/candidates.html", context)


@policy(read=Rule.SIGNED_IN)
def candidates_export(request: HttpRequest) -> HttpResponse:
    found = selectors.stored_candidates(request.user)
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(found),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="vip-candidates-{stamp}.xlsx"'
        return response
    response = HttpResponse(exports.to_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vip-candidates-{stamp}.csv"'
    return response


# --- The verdict on a client's card -------------------------------------------------------------


def _organization(request: HttpRequest, pk: int, *, write: bool = False) -> Organization:
    org = access.get_visible_or_404(
        Organization.objects.select_related("account_manager"), request.user, "", write=write, pk=pk
    )
    if write and not access.may_manage_organization(request.user, org):
        raise access.deny(request.user, f"qualification of organization {org.pk}")
    return org


def _verdict_context(request: HttpRequest, org: Organization, **extra: Any) -> dict[str, Any]:
    verdict = selectors.verdict_for(org)
    checklist = selectors.attraction_checklist(org)
    may_write = access.may_manage_organization(request.user, org)
    may_decide = access.may_assign_managers(request.user)
    mark_forms = extra.pop("mark_forms", {})
    stage_forms = extra.pop("stage_forms", {})
    for row in verdict.criteria:
        if row.criterion.is_judged and may_write:
            row.form = mark_forms.get(row.criterion.pk) or forms.JudgedMarkForm(
                auto_id=f"mark{row.criterion.pk}_%s",
                initial={
                    "criterion": row.criterion.pk,
                    "met": ("yes" if row.mark.met else "no") if row.mark else None,
                    "note": row.mark.note if row.mark else "",
                    "version": row.mark.version if row.mark else 0,
                },
            )
    for stage in checklist:
        if may_write:
            stage.form = stage_forms.get(stage.stage) or forms.StageForm(
                auto_id=f"stage{stage.stage}_%s",
                initial={
                    "stage": stage.stage,
                    "done_on": stage.row.done_on if stage.row else None,
                    "notes": stage.row.notes if stage.row else "",
                    "version": stage.version,
                },
            )
    decision = verdict.decision
    context = {
        "organization": org,
        "verdict": verdict,
        "checklist": checklist,
        "show_checklist": (
            org.kind == Organization.Kind.PROSPECT
            or verdict.is_candidate
            or any(stage.row for stage in checklist)
        ),
        "may_write": may_write,
        "may_decide": may_decide,
        "decision_form": extra.pop("decision_form", None)
        or forms.DecisionForm(
            auto_id="decision_%s",
            initial={
                "outcome": decision.outcome if decision else None,
                "note": decision.note if decision else "",
                "version": decision.version if decision else 0,
            },
        ),
    }
    context.update(extra)
    return context


def _section(
    request: HttpRequest, org: Organization, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _verdict_context(request, org, **extra)
    if request.htmx:
        return render(request, "qualification/verdict.html#section", context, status=status)
    return render(request, "qualification/verdict.html", context, status=status)


@policy(read=Rule.SIGNED_IN)
def verdict(request: HttpRequest, pk: int) -> HttpResponse:
    return _section(request, _organization(request, pk))


def _after_write(request: HttpRequest, org: Organization, anchor: str) -> HttpResponse:
    if request.htmx:
        return _section(request, org)
    messages.success(request, _("Your changes were saved."))
    return redirect(reverse("qualification:verdict", args=[org.pk]) + f"#{anchor}")


@policy(read=Rule.WRITERS)
@require_POST
def judged_mark(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organization(request, pk, write=True)
    form = forms.JudgedMarkForm(request.POST)
    criterion = None
    if form.is_valid():
        criterion = Criterion.objects.filter(
            pk=form.cleaned_data["criterion"], kind=Criterion.Kind.JUDGED, enabled=True
        ).first()
        if criterion is None:
            form.add_error(None, _("There is no such judged criterion."))
    if not form.is_valid() or criterion is None:
        key = criterion.pk if criterion else _int(request.POST.get("criterion"))
        form.auto_id = f"mark{key}_%s"
        return _section(request, org, status=400, mark_forms={key: form})
    try:
        services.judged_mark_set(
            user=request.user,
            organization=org,
            criterion=criterion,
            met=form.cleaned_data["met"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleEdit as stale:
        again = _rearmed(forms.JudgedMarkForm, request, stale, f"mark{criterion.pk}_%s")
        return _section(
            request, org, status=409, stale=criterion.pk, mark_forms={criterion.pk: again}
        )
    return _after_write(request, org, f"criterion-{criterion.pk}")


@policy(read=Rule.WRITERS)
@require_POST
def attraction_stage(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organization(request, pk, write=True)
    form = forms.StageForm(request.POST)
    if not form.is_valid():
        key = _int(request.POST.get("stage"))
        form.auto_id = f"stage{key}_%s"
        return _section(request, org, status=400, stage_forms={key: form})
    stage = form.cleaned_data["stage"]
    try:
        services.attraction_stage_set(
            user=request.user,
            organization=org,
            stage=stage,
            done_on=form.cleaned_data["done_on"],
            notes=form.cleaned_data["notes"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleEdit as stale:
        again = _rearmed(forms.StageForm, request, stale, f"stage{stage}_%s")
        return _section(request, org, status=409, stale_stage=stage, stage_forms={stage: again})
    return _after_write(request, org, f"stage-{stage}")


@policy(read=Rule.HEAD, write=Rule.HEAD)
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the verdict with the decision form; POST: admit to the VIP program or decline."""
    org = _organization(request, pk)
    if request.method != "POST":
        return _section(request, org)
    form = forms.DecisionForm(request.POST, auto_id="decision_%s")
    if not form.is_valid():
        return _section(request, org, status=400, decision_form=form)
    try:
        decided = services.candidate_decide(
            user=request.user,
            organization=org,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleEdit as stale:
        again = _rearmed(forms.DecisionForm, request, stale, "decision_%s")
        return _section(request, org, status=409, stale_decision=True, decision_form=again)
    if request.POST.get("next") == "candidates" and not request.htmx:
        if decided.outcome == CandidateDecision.Outcome.ADMITTED:
            text = _("%(name)s was admitted to the VIP program.")
        else:
            text = _("%(name)s was declined.")
        messages.success(request, text % {"name": org.name})
        return redirect("qualification:candidates")
    return _after_write(request, org, "decision")


def _rearmed(form_class: Any, request: HttpRequest, stale: services.StaleEdit, auto_id: str) -> Any:
    """The user's input again, now at the saved version: saving it replaces theirs knowingly."""
    data = request.POST.copy()
    data["version"] = str(stale.current.version)
    form = form_class(data, auto_id=auto_id)
    form.is_valid()
    return form


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
