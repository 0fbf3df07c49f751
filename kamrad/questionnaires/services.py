"""Writes to questionnaires: editing a template and publishing the version meetings keep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from kamrad.questionnaires.models import Template, TemplateVersion

if TYPE_CHECKING:
    from kamrad.users.models import User


def structure_of(template: Template) -> dict[str, Any]:
    """The template as it stands, in the frozen shape a `TemplateVersion` keeps."""
    sections = template.sections.prefetch_related("questions").order_by("position", "id")
    return {
        "name": template.name,
        "language": template.language,
        "sections": [
            {
                "title": section.title,
                "intro": section.intro,
                "purpose": section.purpose,
                "minutes": section.minutes,
                "questions": [
                    {
                        "key": q.key,
                        "text": q.text,
                        "hint": q.hint,
                        "kind": q.kind,
                        "unit": q.unit,
                        "choices": q.choice_list,
                        "required": q.required,
                    }
                    for q in sorted(section.questions.all(), key=lambda q: (q.position, q.id))
                ],
            }
            for section in sections
        ],
    }


@transaction.atomic
def template_publish(*, user: User | None, template: Template) -> TemplateVersion:
    """Freeze the template as it stands; meetings planned from now on use this version.

    Publishing an unchanged template returns the latest version rather than a copy of it.
    """
    structure = structure_of(template)
    latest = template.versions.order_by("-number").first()
    if latest is not None and latest.structure == structure:
        return latest
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return TemplateVersion.objects.create(
        template=template, number=number, structure=structure, created_by=user
    )


def version_for_meeting(language: str) -> TemplateVersion | None:
    """The latest published version of the default questionnaire for a language (English when
    the language has none), publishing the default template first if it never was."""
    for lang in dict.fromkeys([language, Template.Language.ENGLISH]):
        template = Template.objects.filter(
            language=lang, is_default=True, is_archived=False
        ).first()
        if template is None:
            continue
        latest = template.versions.order_by("-number").first()
        return latest or template_publish(user=None, template=template)
    return None
