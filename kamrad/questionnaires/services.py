"""Writes to questionnaires: editing a template and publishing the version meetings keep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kamrad.questionnaires.models import QualityCheck, Question, Section, Template, TemplateVersion

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


# --- Editing (the program head) ---------------------------------------------------------------


def _require_head(user: User | None) -> None:
    from kamrad.users import access

    if user is not None and access.role_of(user) not in {"head", "admin"}:
        raise access.deny(user, "questionnaire edit")


def _touch(template: Template, user: User | None) -> None:
    """Any edit of a section or question is an edit of the template: its version grows."""
    template.version += 1
    template._history_user = user  # type: ignore[attr-defined]
    template.save(update_fields=["version", "updated_at"])


@transaction.atomic
def template_update(
    *, user: User | None, template: Template, data: dict[str, Any], expected_version: int
) -> Template:
    from kamrad.clients.services import StaleEdit

    _require_head(user)
    current = Template.objects.select_for_update().get(pk=template.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    for name in ("name", "description", "language"):
        if name in data:
            setattr(current, name, data[name])
    current.full_clean(validate_constraints=False)
    current.version += 1
    current._history_user = user  # type: ignore[attr-defined]
    current.save()
    return current


@transaction.atomic
def template_set_default(*, user: User | None, template: Template) -> Template:
    """Meetings planned from now on in the template's language use it."""
    _require_head(user)
    if not template.versions.exists():
        template_publish(user=user, template=template)
    Template.objects.filter(language=template.language, is_default=True).exclude(
        pk=template.pk
    ).update(is_default=False)
    template.is_default, template.is_archived = True, False
    template.save(update_fields=["is_default", "is_archived", "updated_at"])
    return template


@transaction.atomic
def template_duplicate(*, user: User | None, template: Template, name: str = "") -> Template:
    """A copy to edit: same sections and questions, not the default, no versions yet."""
    _require_head(user)
    copy = Template.objects.create(
        name=name or f"{template.name} (2)",
        language=template.language,
        description=template.description,
    )
    for section in template.sections.prefetch_related("questions"):
        questions = list(section.questions.all())
        section.pk = None
        section.template = copy
        section.save()
        for question in questions:
            question.pk = None
            question.section = section
            question.save()
    return copy


def _check_question(section: Section, data: dict[str, Any], question: Question | None) -> None:
    errors = {}
    key = data.get("key", "")
    clash = Question.objects.filter(section__template=section.template, key=key)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        errors["key"] = _("Another question of this questionnaire has this key.")
    if data.get("kind") == Question.Kind.CHOICE and not (data.get("choices") or "").strip():
        errors["choices"] = _("A choice question needs its choices, one per line.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def section_save(
    *, user: User | None, template: Template, data: dict[str, Any], section: Section | None = None
) -> Section:
    _require_head(user)
    if section is None:
        last = template.sections.aggregate(n=Max("position"))["n"]
        section = Section(template=template, position=0 if last is None else last + 1)
    for name in ("title", "intro", "purpose", "minutes"):
        if name in data:
            setattr(section, name, data[name])
    section.full_clean(exclude=["template"])
    section._history_user = user  # type: ignore[attr-defined]
    section.save()
    _touch(template, user)
    return section


@transaction.atomic
def question_save(
    *, user: User | None, section: Section, data: dict[str, Any], question: Question | None = None
) -> Question:
    _require_head(user)
    _check_question(section, data, question)
    if question is None:
        last = section.questions.aggregate(n=Max("position"))["n"]
        question = Question(section=section, position=0 if last is None else last + 1)
    for name in ("key", "text", "hint", "kind", "unit", "choices", "required"):
        if name in data:
            setattr(question, name, data[name])
    question.full_clean(exclude=["section"])
    question._history_user = user  # type: ignore[attr-defined]
    question.save()
    _touch(section.template, user)
    return question


@transaction.atomic
def item_delete(*, user: User | None, item: Section | Question) -> None:
    """Remove a section (with its questions) or a question. Recorded meetings keep theirs:
    they hold the version they were filled with."""
    _require_head(user)
    template = item.template if isinstance(item, Section) else item.section.template
    item._history_user = user  # type: ignore[attr-defined]
    item.delete()
    _touch(template, user)


@transaction.atomic
def item_move(*, user: User | None, item: Section | Question, up: bool) -> None:
    """Swap a section or question with its neighbour above or below."""
    _require_head(user)
    siblings = list(
        item.template.sections.all() if isinstance(item, Section) else item.section.questions.all()
    )
    siblings.sort(key=lambda s: (s.position, s.pk))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    template = item.template if isinstance(item, Section) else item.section.template
    _touch(template, user)


@transaction.atomic
def quality_check_save(
    *, user: User | None, product: Any, data: dict[str, Any], check: QualityCheck | None = None
) -> QualityCheck:
    _require_head(user)
    if not product.is_ours:
        raise ValidationError(_("Quality checks belong to our own services."))
    if check is None:
        last = product.quality_checks.aggregate(n=Max("position"))["n"]
        check = QualityCheck(product=product, position=0 if last is None else last + 1)
    for name in ("text", "kind", "unit", "promised", "is_active"):
        if name in data:
            setattr(check, name, data[name])
    if check.is_number and check.promised:
        from kamrad.lib import money

        try:
            money.parse_decimal(check.promised)
        except money.MoneyError:
            raise ValidationError({"promised": _("Enter a number.")}) from None
    check.full_clean(exclude=["product"])
    check._history_user = user  # type: ignore[attr-defined]
    check.save()
    return check
