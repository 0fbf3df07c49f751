"""The questionnaire on paper: both sides of one A4 sheet, blank or pre-filled with what is
known of the client (its name, the meeting, its key people, the services it uses and their
quality checks), to fill in by hand at the meeting and type in later.

WeasyPrint renders it from an HTML template with print CSS; the fonts are the system's
(DejaVu Sans covers Cyrillic), and nothing is ever fetched from the network.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from kamrad.clients.models import Contact, Organization, Product
from kamrad.questionnaires.models import QualityCheck, TemplateVersion
from kamrad.value.models import Sale

MAX_PEOPLE = 8
MAX_SERVICES = 3


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the questionnaire PDF fetches nothing: {url}")


def context_for(
    version: TemplateVersion, *, organization: Organization | None = None, meeting: Any = None
) -> dict[str, Any]:
    organization = organization or (meeting.organization if meeting is not None else None)
    people: list[Contact] = []
    services: list[dict[str, Any]] = []
    more_people = 0
    if organization is not None:
        active = list(
            organization.contacts.filter(status=Contact.Status.ACTIVE)
            .prefetch_related("decision_roles", "contact_points")
            .order_by("full_name")
        )
        people, more_people = active[:MAX_PEOPLE], max(0, len(active) - MAX_PEOPLE)
        product_ids = (
            Sale.objects.filter(organization=organization, product__is_ours=True)
            .values_list("product_id", flat=True)
            .distinct()
        )
        products = list(Product.objects.filter(pk__in=list(product_ids)).order_by("name"))
        checks: dict[int, list[QualityCheck]] = {}
        for check in QualityCheck.objects.filter(product__in=products, is_active=True):
            checks.setdefault(check.product_id, []).append(check)
        with_checks = [p for p in products if p.pk in checks] or products
        services = [
            {"product": p, "checks": checks.get(p.pk, [])} for p in with_checks[:MAX_SERVICES]
        ]
    structure = version.structure
    blank_people = max(2, 5 - len(people)) if people else 5
    return {
        "structure": structure,
        "version": version,
        "organization": organization,
        "meeting": meeting,
        "people": [
            {
                "contact": c,
                "roles": [r.get_role_display() for r in c.decision_roles.all()],
                "points": [p.value for p in c.contact_points.all()][:2],
            }
            for c in people
        ],
        "more_people": more_people,
        "blank_people": range(blank_people),
        "services": services,
        "blank_rows": range(3),
    }


def render_pdf(
    version: TemplateVersion, *, organization: Organization | None = None, meeting: Any = None
) -> bytes:
    """The questionnaire as a two-sided A4 PDF, in the questionnaire's own language."""
    import weasyprint

    language = version.structure.get("language") or "en"
    with translation.override(language):
        html = render_to_string(
            "questionnaires/print.html",
            context_for(version, organization=organization, meeting=meeting),
        )
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()
