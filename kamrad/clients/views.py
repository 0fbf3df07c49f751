"""The client-card pages. Thin: look up through access, call a selector or a service, render.

An htmx request gets a named partial of the same template; a normal request gets the page, so
every form also works without JavaScript (post, then redirect).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from kamrad.clients import forms, selectors, services
from kamrad.clients.models import (
    BankAccount,
    Contact,
    ContactPoint,
    DecisionRole,
    Event,
    Organization,
    Product,
    Relationship,
)
from kamrad.lib.pages import query_int
from kamrad.users import access
from kamrad.users.access import Rule, policy

STALE_MESSAGE = gettext_lazy(
    "Someone else saved this record while you were editing it, so nothing was saved. "
    "What they changed is shown under those fields; "
    "save again to replace it with yours."
)


def _apply_service_errors(form: BaseForm, error: ValidationError) -> None:
    """A rule only the model knows (a constraint): show it on the form instead of failing."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _shown(form: forms.VersionedForm, current: Model, name: str, value: Any) -> str:
    if isinstance(value, set):
        return ", ".join(sorted(map(str, value))) or "—"
    choices = dict(getattr(form.fields[name], "choices", []) or [])
    if value in choices and value not in ("", None):
        return str(choices[value])
    display = getattr(current, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return str(value) if value not in ("", None) else "—"


def _stale(form: forms.VersionedForm, current: Model) -> list[tuple[str, str]]:
    """Re-arm the form at the saved version and list what the other person changed.

    The change is read against the version this user loaded (its audit record), so a field
    only this user touched is not listed; without that record, against this user's input.
    Decision roles, kept in rows of their own, are compared as of the moment loaded.
    """
    expected = form.expected_version()
    history = getattr(current, "history", None)
    loaded = (
        history.filter(version=expected).order_by("-history_date").first()
        if history is not None and expected
        else None
    )
    differences = []
    for name in form._meta.fields:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        theirs = getattr(current, name)
        before = form.cleaned_data[name]
        if hasattr(theirs, "all"):  # many-to-many: not in the audit record
            theirs, before = set(theirs.all()), set(before or [])
        elif loaded is not None:
            before = getattr(loaded, name)
        if (theirs or None) != (before or None):
            differences.append((str(form.fields[name].label), _shown(form, current, name, theirs)))
    if "roles" in form.fields and isinstance(current, Contact):
        now = {r.role for r in current.decision_roles.all()}
        if loaded is not None:
            then = set(
                DecisionRole.history.as_of(loaded.history_date)
                .filter(contact_id=current.pk)
                .values_list("role", flat=True)
            )
        else:
            then = set(form.cleaned_data.get("roles") or [])
        if now != then:
            labels = dict(DecisionRole.Role.choices)
            shown = ", ".join(str(labels.get(r, r)) for r in sorted(now)) or "—"
            differences.append((str(form.fields["roles"].label), shown))
    data = form.data.copy()
    data[form.add_prefix("version")] = str(current.version)  # type: ignore[attr-defined]
    form.data = data
    form.add_error(None, STALE_MESSAGE)
    return differences


# --- The organization list ----------------------------------------------------------------


@policy(read=Rule.SIGNED_IN)
def organization_list(request: HttpRequest) -> HttpResponse:
    form = forms.OrganizationFilterForm(request.GET, user=request.user)
    number = query_int(request.GET.get("page"), 1)
    qs = selectors.organization_queryset(
        request.user, **form.filters(), window=selectors.page_window(number)
    )
    page = selectors.organization_page(qs, page=number)
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "params": params.urlencode()}
    if request.htmx and not request.htmx.boosted:
        return render(request, "clients/organization_list.html#results", context)
    return render(request, "clients/organization_list.html", context)


@policy(read=Rule.WRITERS)
def organization_duplicates(request: HttpRequest) -> HttpResponse:
    similar = selectors.similar_organizations(
        request.user,
        name=request.GET.get("name", "")[:200],
        tax_number=request.GET.get("tax_number", "")[:20],
    )
    return render(request, "clients/organization_form.html#duplicates", {"similar": similar})


# --- Create and edit an organization ------------------------------------------------------


@policy(read=Rule.WRITERS)
def organization_create(request: HttpRequest) -> HttpResponse:
    form = forms.OrganizationForm(request.POST or None, user=request.user)
    # As the name or tax number is typed, show what is already there (duplicates).
    for name in ("name", "tax_number"):
        form.fields[name].widget.attrs.update(
            {
                "hx-get": reverse("clients:duplicates"),
                "hx-trigger": "input changed delay:400ms",
                "hx-include": "#id_name, #id_tax_number",
                "hx-target": "#duplicates",
                "hx-swap": "outerHTML",
                "autocomplete": "off",
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(user=request.user, data=form.service_data())
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            messages.success(request, _("The organization was created."))
            return redirect("clients:card", org.pk)
    context: dict[str, Any] = {"form": form, "organization": None}
    if request.method == "POST":
        # The form comes back with errors: keep warning about what is already there.
        context["similar"] = selectors.similar_organizations(
            request.user,
            name=request.POST.get("name", "")[:200],
            tax_number=request.POST.get("tax_number", "")[:20],
        )
    return render(request, "clients/organization_form.html", context)


@policy(read=Rule.WRITERS)
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organization_for_card(request.user, pk, write=True)
    _require_manage(request, org)
    form = forms.OrganizationForm(request.POST or None, instance=org, user=request.user)
    status, differences = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                user=request.user,
                organization=org,
                data=form.service_data(),
                expected_version=form.expected_version(),
            )
        except services.StaleEdit as stale:
            status, differences = 409, _stale(form, stale.current)
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("clients:card", org.pk)
    context = {"form": form, "organization": org, "differences": differences}
    return render(request, "clients/organization_form.html", context, status=status)


# --- The card -----------------------------------------------------------------------------


def _require_manage(request: HttpRequest, org: Organization) -> None:
    if not access.may_manage_organization(request.user, org):
        raise access.deny(request.user, f"write to organization {org.pk}")


def _writable_org(request: HttpRequest, pk: int) -> Organization:
    org = selectors.organization_for_card(request.user, pk, write=True)
    _require_manage(request, org)
    return org


def _card_context(request: HttpRequest, org: Organization, **overrides: Any) -> dict[str, Any]:
    """What the card shows. The add-forms and the history load on their own (htmx), so the
    card costs the same whatever the organization's history, and a form only when opened;
    a form with errors comes in `overrides` and is shown open."""
    context = selectors.card(org)
    context["may_write"] = access.may_manage_organization(request.user, org)
    context.update(overrides)
    return context


ADD_FORM_TITLES = {
    "bank_form": gettext_lazy("Add a bank account"),
    "point_form": gettext_lazy("Add a phone or e-mail"),
    "contact_form": gettext_lazy("Add a contact person"),
    "event_form": gettext_lazy("Add an event or date"),
    "dossier_form": gettext_lazy("Add a note"),
    "relationship_form": gettext_lazy("Add who knows whom"),
}


def _add_form(
    request: HttpRequest, org: Organization, form_key: str, form: BaseForm
) -> HttpResponse:
    """An empty add-form: the card's partial for htmx, a page of its own without JavaScript."""
    if request.htmx:
        context = {"organization": org, form_key: form, "may_write": True}
        return render(request, f"clients/organization_card.html#{form_key}", context)
    context = {
        "form": form,
        "organization": org,
        "title": ADD_FORM_TITLES[form_key],
        "back_url": reverse("clients:card", args=[org.pk]),
    }
    return render(request, "clients/edit_form.html", context)


@policy(read=Rule.SIGNED_IN)
def organization_card(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organization_for_card(request.user, pk)
    return render(request, "clients/organization_card.html", _card_context(request, org))


@policy(read=Rule.SIGNED_IN)
def organization_history(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organization_for_card(request.user, pk)
    offset = query_int(request.GET.get("offset"), 0)
    context = {"organization": org, "history": selectors.history(org, offset=offset)}
    if request.htmx:
        part = "history_rows" if "offset" in request.GET else "history_table"
        return render(request, f"clients/organization_card.html#{part}", context)
    return render(request, "clients/organization_history.html", context)


def _section_response(
    request: HttpRequest,
    org: Organization,
    section: str,
    *,
    form_key: str | None = None,
    form: BaseForm | None = None,
) -> HttpResponse:
    """After an in-place add or remove: the section (htmx) or the card (a plain post)."""
    if form is not None and form.errors:
        if request.htmx:
            # Only the form comes back, with its errors, where the user is typing.
            response = render(
                request,
                f"clients/organization_card.html#{form_key}",
                {"organization": org, form_key: form, "may_write": True},
            )
            return reswap(retarget(response, f"#{form_key}"), "outerHTML")
        context = _card_context(request, org, **{form_key: form})
        return render(request, "clients/organization_card.html", context)
    if request.htmx:
        return render(
            request, f"clients/organization_card.html#{section}", _card_context(request, org)
        )
    return redirect(reverse("clients:card", args=[org.pk]) + f"#{section}")


@policy(read=Rule.WRITERS)
@require_http_methods(["GET", "POST"])
def bank_account_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the empty form (loaded when its section opens); POST: add."""
    org = _writable_org(request, pk)
    form = forms.BankAccountForm(request.POST or None, prefix="bank")
    if request.method == "GET":
        return _add_form(request, org, "bank_form", form)
    if form.is_valid():
        try:
            services.bank_account_add(user=request.user, organization=org, data=form.cleaned_data)
        except ValidationError as e:
            _apply_service_errors(form, e)
    return _section_response(request, org, "formal", form_key="bank_form", form=form)


@policy(read=Rule.WRITERS)
@require_POST
def bank_account_remove(request: HttpRequest, pk: int, account_pk: int) -> HttpResponse:
    account = access.get_visible_or_404(
        BankAccount.objects.select_related("organization"),
        request.user,
        "organization",
        write=True,
        pk=account_pk,
        organization_id=pk,
    )
    _require_manage(request, account.organization)
    services.bank_account_remove(user=request.user, account=account)
    return _section_response(request, account.organization, "formal")


@policy(read=Rule.WRITERS)
@require_http_methods(["GET", "POST"])
def point_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the empty form (loaded when its section opens); POST: add."""
    org = _writable_org(request, pk)
    form = forms.ContactPointForm(request.POST or None, prefix="point")
    if request.method == "GET":
        return _add_form(request, org, "point_form", form)
    if form.is_valid():
        try:
            services.contact_point_add(user=request.user, organization=org, **form.cleaned_data)
        except ValidationError as e:
            _apply_service_errors(form, e)
    return _section_response(request, org, "formal", form_key="point_form", form=form)


@policy(read=Rule.WRITERS)
@require_POST
def point_remove(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    point = access.get_visible_or_404(
        ContactPoint.objects.select_related("organization"),
        request.user,
        "organization",
        write=True,
        pk=point_pk,
        organization_id=pk,
        contact__isnull=True,
    )
    _require_manage(request, point.organization)
    services.contact_point_remove(user=request.user, point=point)
    return _section_response(request, point.organization, "formal")


@policy(read=Rule.WRITERS)
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the empty form (loaded when its section opens); POST: add."""
    org = _writable_org(request, pk)
    form = forms.ContactAddForm(request.POST or None, prefix="contact")
    if request.method == "GET":
        return _add_form(request, org, "contact_form", form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_create(
                user=request.user,
                organization=org,
                data=form.service_data(),
                roles=data["roles"],
                phones=data["phones"],
                emails=data["emails"],
            )
        except ValidationError as e:
            _apply_service_errors(form, e)
    return _section_response(request, org, "contacts", form_key="contact_form", form=form)


@policy(read=Rule.WRITERS)
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the empty form (loaded when its section opens); POST: add."""
    org = _writable_org(request, pk)
    form = forms.EventForm(request.POST or None, prefix="event", organization=org)
    if request.method == "GET":
        return _add_form(request, org, "event_form", form)
    if form.is_valid():
        try:
            services.event_create(user=request.user, organization=org, data=form.service_data())
        except ValidationError as e:
            _apply_service_errors(form, e)
    return _section_response(request, org, "events", form_key="event_form", form=form)


@policy(read=Rule.WRITERS)
@require_http_methods(["GET", "POST"])
def dossier_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the empty form (loaded when its section opens); POST: add."""
    org = _writable_org(request, pk)
    form = forms.DossierForm(request.POST or None, prefix="dossier", organization=org)
    if request.method == "GET":
        return _add_form(request, org, "dossier_form", form)
    if form.is_valid():
        try:
            services.dossier_add(user=request.user, data={**form.cleaned_data, "organization": org})
        except ValidationError as e:
            _apply_service_errors(form, e)
    return _section_response(request, org, "dossier", form_key="dossier_form", form=form)


@policy(read=Rule.WRITERS)
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the empty form (loaded when its section opens); POST: add."""
    org = _writable_org(request, pk)
    # Most often the person recording an acquaintance is the one who has it.
    form = forms.RelationshipForm(
        request.POST or None, prefix="rel", organization=org, initial={"staff": request.user.pk}
    )
    if request.method == "GET":
        return _add_form(request, org, "relationship_form", form)
    if form.is_valid():
        try:
            services.relationship_create(user=request.user, data=form.service_data())
        except ValidationError as e:
            _apply_service_errors(form, e)
    return _section_response(request, org, "relationships", form_key="relationship_form", form=form)


# --- Contact persons, events, relationships: their own edit pages --------------------------


def _edit_page(
    request: HttpRequest,
    obj: Model,
    form: forms.VersionedForm,
    save: Any,
    *,
    title: str,
    section: str,
    delete_url: str = "",
) -> HttpResponse:
    """The edit page shared by contacts, events and relationships: version check, 409."""
    org = obj.organization if hasattr(obj, "organization") else obj.contact.organization
    status, differences = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except services.StaleEdit as stale:
            status, differences = 409, _stale(form, stale.current)
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(reverse("clients:card", args=[org.pk]) + f"#{section}")
    context = {
        "form": form,
        "organization": org,
        "title": title,
        "differences": differences,
        "delete_url": delete_url,
        "back_url": reverse("clients:card", args=[org.pk]) + f"#{section}",
    }
    return render(request, "clients/edit_form.html", context, status=status)


@policy(read=Rule.WRITERS)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access.get_visible_or_404(
        Contact.objects.select_related("organization").prefetch_related(
            "contact_points", "decision_roles"
        ),
        request.user,
        "organization",
        write=True,
        pk=pk,
    )
    _require_manage(request, contact.organization)
    form = forms.ContactForm(request.POST or None, instance=contact)

    def save(form: forms.ContactForm) -> None:
        data = form.cleaned_data
        services.contact_update(
            user=request.user,
            contact=contact,
            data=form.service_data(),
            expected_version=form.expected_version(),
            roles=data["roles"],
            phones=data["phones"],
            emails=data["emails"],
        )

    return _edit_page(
        request, contact, form, save, title=contact.full_name, section=f"contact-{contact.pk}"
    )


@policy(read=Rule.WRITERS)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.get_visible_or_404(
        Event.objects.select_related("organization"),
        request.user,
        "organization",
        write=True,
        pk=pk,
    )
    _require_manage(request, event.organization)
    form = forms.EventForm(request.POST or None, instance=event, organization=event.organization)

    def save(form: forms.EventForm) -> None:
        services.event_update(
            user=request.user,
            event=event,
            data=form.service_data(),
            expected_version=form.expected_version(),
        )

    return _edit_page(
        request,
        event,
        form,
        save,
        title=event.title,
        section="events",
        delete_url=reverse("clients:event_delete", args=[event.pk]),
    )


@policy(read=Rule.WRITERS)
@require_POST
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.get_visible_or_404(
        Event.objects.select_related("organization"),
        request.user,
        "organization",
        write=True,
        pk=pk,
    )
    org = event.organization
    _require_manage(request, org)
    services.event_remove(user=request.user, event=event)
    if not request.htmx:
        messages.success(request, _("The event was deleted."))
    return _section_response(request, org, "events")


@policy(read=Rule.WRITERS)
def relationship_edit(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = access.get_visible_or_404(
        Relationship.objects.select_related("staff", "contact__organization"),
        request.user,
        "contact__organization",
        write=True,
        pk=pk,
    )
    _require_manage(request, relationship.contact.organization)
    form = forms.RelationshipEditForm(request.POST or None, instance=relationship)

    def save(form: forms.RelationshipEditForm) -> None:
        services.relationship_update(
            user=request.user,
            relationship=relationship,
            data=form.service_data(),
            expected_version=form.expected_version(),
        )

    return _edit_page(
        request,
        relationship,
        form,
        save,
        title=f"{relationship.staff} ↔ {relationship.contact.full_name}",
        section="relationships",
    )


# --- Products -----------------------------------------------------------------------------


@policy(read=Rule.SIGNED_IN)
def product_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    page_number = max(query_int(request.GET.get("page"), 1), 1)
    size = 50
    rows = list(selectors.products(query)[(page_number - 1) * size : page_number * size + 1])
    makers = selectors.visible_organization_ids(
        request.user, [p.maker_id for p in rows if p.maker_id]
    )
    context = {
        "products": rows[:size],
        "visible_makers": makers,
        "query": query,
        "page_number": page_number,
        "has_next": len(rows) > size,
    }
    return render(request, "clients/product_list.html", context)


@policy(read=Rule.SIGNED_IN)
def product_card(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_for_card(pk)
    return render(request, "clients/product_card.html", _product_context(request, product))


def _product_context(request: HttpRequest, product: Product, **overrides: Any) -> dict[str, Any]:
    maker_visible = bool(
        product.maker_id and selectors.visible_organization_ids(request.user, [product.maker_id])
    )
    context = {
        "product": product,
        "maker_visible": maker_visible,
        "dossier_form": forms.DossierForm(prefix="dossier"),
    }
    context.update(overrides)
    return context


@policy(read=Rule.WRITERS)
def product_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProductForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(user=request.user, data=form.service_data())
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            messages.success(request, _("The product was created."))
            return redirect("clients:product_card", product.pk)
    return render(request, "clients/product_form.html", {"form": form, "product": None})


@policy(read=Rule.WRITERS)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_for_card(pk)
    form = forms.ProductForm(request.POST or None, instance=product, user=request.user)
    status, differences = 200, []
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(
                user=request.user,
                product=product,
                data=form.service_data(),
                expected_version=form.expected_version(),
            )
        except services.StaleEdit as stale:
            status, differences = 409, _stale(form, stale.current)
        except ValidationError as e:
            _apply_service_errors(form, e)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("clients:product_card", product.pk)
    context = {"form": form, "product": product, "differences": differences}
    return render(request, "clients/product_form.html", context, status=status)


@policy(read=Rule.WRITERS)
@require_POST
def product_dossier_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_for_card(pk)
    form = forms.DossierForm(request.POST, prefix="dossier")
    if form.is_valid():
        try:
            services.dossier_add(user=request.user, data={**form.cleaned_data, "product": product})
        except ValidationError as e:
            _apply_service_errors(form, e)
    if form.errors:
        context = _product_context(request, product, dossier_form=form)
        if request.htmx:
            response = render(request, "clients/product_card.html#dossier_form", context)
            return reswap(retarget(response, "#dossier_form"), "outerHTML")
        return render(request, "clients/product_card.html", context)
    if request.htmx:
        product = selectors.product_for_card(pk)
        return render(
            request, "clients/product_card.html#dossier", _product_context(request, product)
        )
    return redirect(reverse("clients:product_card", args=[pk]) + "#dossier")
