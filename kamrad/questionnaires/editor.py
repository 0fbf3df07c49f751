"""The program head's questionnaire editor: templates, their sections and questions, the
published versions meetings keep, and the quality checks of our services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamrad.clients.models import Product
from kamrad.clients.services import StaleEdit
from kamrad.questionnaires import forms, services
from kamrad.questionnaires.models import QualityCheck, Question, Section, Template, TemplateVersion
from kamrad.users import access
from kamrad.users.access import Rule, policy


def _errors_into(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, found in error.error_dict.items():
            form.add_error(name if name in form.fields else None, found)
    else:
        form.add_error(None, error)


def _may_edit(request: HttpRequest) -> bool:
    return access.allows(Rule.HEAD, request.user)


@policy(read=Rule.SIGNED_IN, write=Rule.HEAD)
def template_list(request: HttpRequest) -> HttpResponse:
    templates = Template.objects.annotate(
        latest=Max("versions__number"), meetings=Count("versions__meetings")
    ).order_by("language", "-is_default", "name")
    return render(
        request,
        "questionnaires/list.html",
        {"templates": templates, "may_edit": _may_edit(request)},
    )


def _template_page(request: HttpRequest, template: Template, **extra: Any) -> dict[str, Any]:
    sections = list(template.sections.prefetch_related("questions").order_by("position", "id"))
    return {
        "template": template,
        "sections": sections,
        "minutes": sum(s.minutes for s in sections),
        "versions": template.versions.annotate(meetings_count=Count("meetings")).order_by(
            "-number"
        ),
        "may_edit": _may_edit(request),
        "form": extra.pop("form", None)
        or forms.TemplateForm(instance=template, initial={"version": template.version}),
        "section_form": extra.pop("section_form", None) or forms.SectionForm(),
        "question_form": forms.QuestionForm(),
        **extra,
    }


@policy(read=Rule.SIGNED_IN, write=Rule.HEAD)
def template_page(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(Template, pk=pk)
    if request.method != "POST":
        return render(request, "questionnaires/template.html", _template_page(request, template))
    form = forms.TemplateForm(request.POST, instance=Template.objects.get(pk=pk))
    status = 400
    if form.is_valid():
        try:
            services.template_update(
                user=request.user,
                template=template,
                data=forms.data_of(form),
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            status = 409
            form.add_error(None, _("Someone else changed this questionnaire meanwhile; reload it."))
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("questionnaires:template", pk=pk)
    template.refresh_from_db()
    return render(
        request,
        "questionnaires/template.html",
        _template_page(request, template, form=form),
        status=status,
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_POST
def template_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    template = get_object_or_404(Template, pk=pk)
    if action == "publish":
        version = services.template_publish(user=request.user, template=template)
        messages.success(
            request,
            _(
                "Published as version %(n)d: meetings planned from now on use it; "
                "meetings planned before keep theirs."
            )
            % {"n": version.number},
        )
    elif action == "default":
        services.template_set_default(user=request.user, template=template)
        messages.success(request, _("New meetings in this language use this questionnaire now."))
    elif action == "duplicate":
        copy = services.template_duplicate(user=request.user, template=template)
        messages.success(request, _("A copy to edit was made."))
        return redirect("questionnaires:template", pk=copy.pk)
    return redirect("questionnaires:template", pk=pk)


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(Template, pk=pk)
    form = forms.SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_save(user=request.user, template=template, data=forms.data_of(form))
        except ValidationError as error:
            _errors_into(form, error)
        else:
            return redirect("questionnaires:template", pk=pk)
    return render(
        request,
        "questionnaires/template.html",
        _template_page(request, template, section_form=form),
        status=400,
    )


def _edit(
    request: HttpRequest,
    obj: Section | Question | QualityCheck,
    form_class: type[forms.forms.ModelForm],
    save: Any,
    back: str,
    title: str,
) -> HttpResponse:
    form = form_class(request.POST if request.method == "POST" else None, instance=obj)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                save(forms.data_of(form))
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(back)
    return render(
        request,
        "questionnaires/edit.html",
        {"form": form, "back": back, "title": title},
        status=status,
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
def section_edit(request: HttpRequest, section_pk: int) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("template"), pk=section_pk)
    return _edit(
        request,
        Section.objects.get(pk=section_pk),
        forms.SectionForm,
        lambda data: services.section_save(
            user=request.user, template=section.template, data=data, section=section
        ),
        f"/questionnaires/{section.template_id}/#section-{section.pk}",
        _("Edit the section"),
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
def question_add(request: HttpRequest, section_pk: int) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("template"), pk=section_pk)
    return _edit(
        request,
        Question(section=section),
        forms.QuestionForm,
        lambda data: services.question_save(user=request.user, section=section, data=data),
        f"/questionnaires/{section.template_id}/#section-{section.pk}",
        _("Add a question"),
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
def question_edit(request: HttpRequest, question_pk: int) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.select_related("section__template"), pk=question_pk
    )
    return _edit(
        request,
        Question.objects.get(pk=question_pk),
        forms.QuestionForm,
        lambda data: services.question_save(
            user=request.user, section=question.section, data=data, question=question
        ),
        f"/questionnaires/{question.section.template_id}/#section-{question.section_id}",
        _("Edit the question"),
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_POST
def section_change(request: HttpRequest, section_pk: int, action: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("template"), pk=section_pk)
    template_pk = section.template_id
    if action == "delete":
        services.item_delete(user=request.user, item=section)
    else:
        services.item_move(user=request.user, item=section, up=action == "up")
    return redirect("questionnaires:template", pk=template_pk)


@policy(read=Rule.HEAD, write=Rule.HEAD)
@require_POST
def question_change(request: HttpRequest, question_pk: int, action: str) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.select_related("section__template"), pk=question_pk
    )
    template_pk = question.section.template_id
    if action == "delete":
        services.item_delete(user=request.user, item=question)
    else:
        services.item_move(user=request.user, item=question, up=action == "up")
    return redirect("questionnaires:template", pk=template_pk)


@policy(read=Rule.SIGNED_IN)
def version_page(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = get_object_or_404(TemplateVersion.objects.select_related("template"), pk=version_pk)
    return render(request, "questionnaires/version.html", {"version": version})


@policy(read=Rule.SIGNED_IN, write=Rule.HEAD)
def checks(request: HttpRequest) -> HttpResponse:
    products = (
        Product.objects.filter(is_ours=True).prefetch_related("quality_checks").order_by("name")
    )
    form = forms.QualityCheckForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        wanted = request.POST.get("product", "")
        product = Product.objects.filter(
            pk=int(wanted) if wanted.isdigit() else 0, is_ours=True
        ).first()
        valid = form.is_valid()
        if product is None:
            form.add_error(None, _("Choose one of our services."))
        elif valid:
            try:
                services.quality_check_save(
                    user=request.user, product=product, data=forms.data_of(form)
                )
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("The check is added."))
                return redirect("questionnaires:checks")
    return render(
        request,
        "questionnaires/checks.html",
        {"products": products, "form": form, "may_edit": _may_edit(request)},
        status=status,
    )


@policy(read=Rule.HEAD, write=Rule.HEAD)
def check_edit(request: HttpRequest, check_pk: int) -> HttpResponse:
    check = get_object_or_404(QualityCheck.objects.select_related("product"), pk=check_pk)
    return _edit(
        request,
        QualityCheck.objects.get(pk=check_pk),
        forms.QualityCheckForm,
        lambda data: services.quality_check_save(
            user=request.user, product=check.product, data=data, check=check
        ),
        "/questionnaires/checks/",
        _("Edit the quality check"),
    )
