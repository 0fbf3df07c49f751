"""Questionnaire pages: the printable PDF, blank or pre-filled for a client or a meeting."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import slugify

from kamrad.clients.models import Organization
from kamrad.meetings.models import Meeting
from kamrad.questionnaires import pdf
from kamrad.questionnaires.models import Template
from kamrad.users import access
from kamrad.users.access import Rule, policy


def _pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    filename = slugify(name, allow_unicode=False) or "questionnaire"
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@policy(read=Rule.SIGNED_IN)
def template_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest version of a questionnaire, blank or (?organization=) pre-filled for a client."""
    template = Template.objects.filter(pk=pk).first()
    version = template.versions.order_by("-number").first() if template else None
    if version is None:
        raise Http404("no published version")
    organization = None
    if request.GET.get("organization", "").isdigit():
        organization = access.get_visible_or_404(
            Organization.objects.all(), request.user, "", pk=int(request.GET["organization"])
        )
    name = f"{template.name} {organization.name}" if organization else template.name
    return _pdf_response(pdf.render_pdf(version, organization=organization), name)


@policy(read=Rule.SIGNED_IN)
def meeting_pdf(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The meeting's own questionnaire version, pre-filled with the client and the meeting."""
    meeting = access.get_visible_or_404(
        Meeting.objects.select_related("organization", "questionnaire"),
        request.user,
        "organization",
        pk=meeting_pk,
    )
    if meeting.questionnaire is None:
        raise Http404("no questionnaire")
    name = f"{meeting.organization.name} {meeting.starts_at:%Y-%m-%d}"
    return _pdf_response(pdf.render_pdf(meeting.questionnaire, meeting=meeting), name)
