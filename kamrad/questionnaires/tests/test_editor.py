"""The head edits a questionnaire; meetings keep the version they were planned with."""

from __future__ import annotations

import pytest

from kamrad.clients.models import Product
from kamrad.questionnaires.models import QualityCheck, Question, Template
from kamrad.questionnaires.services import version_for_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def template() -> Template:
    return Template.objects.get(language="en", is_default=True)


def test_the_head_adds_a_question_and_publishes_a_new_version(client, head, template):
    before = version_for_meeting("en")
    section = template.sections.get(purpose="cooperation")
    client.force_login(head)
    response = client.post(
        f"/questionnaires/sections/{section.pk}/questions/",
        {"text": "Who else in your company should we know?", "key": "who_else", "kind": "text"},
    )
    assert response.status_code == 302
    assert Question.objects.filter(section=section, key="who_else").exists()
    # Not used by meetings until published.
    assert version_for_meeting("en") == before
    client.post(f"/questionnaires/{template.pk}/publish/")
    after = version_for_meeting("en")
    assert after.number == before.number + 1
    keys = [q["key"] for s in after.structure["sections"] for q in s["questions"]]
    assert "who_else" in keys
    assert "who_else" not in [
        q["key"] for s in before.structure["sections"] for q in s["questions"]
    ]


def test_a_duplicate_key_and_a_choice_without_choices_are_refused(client, head, template):
    section = template.sections.first()
    client.force_login(head)
    taken = client.post(
        f"/questionnaires/sections/{section.pk}/questions/",
        {"text": "Again?", "key": "meeting_goal", "kind": "text"},
    )
    assert taken.status_code == 400 and "has this key" in taken.text
    choice = client.post(
        f"/questionnaires/sections/{section.pk}/questions/",
        {"text": "Which?", "key": "which", "kind": "choice"},
    )
    assert choice.status_code == 400 and "needs its choices" in choice.text
    assert not Question.objects.filter(key__in=["which"]).exists()


def test_sections_move_and_delete(client, head, template):
    first, second = list(template.sections.order_by("position"))[:2]
    client.force_login(head)
    client.post(f"/questionnaires/sections/{second.pk}/up/")
    order = list(template.sections.order_by("position").values_list("pk", flat=True))
    assert order[:2] == [second.pk, first.pk]
    client.post(f"/questionnaires/sections/{first.pk}/delete/")
    assert not template.sections.filter(pk=first.pk).exists()


def test_managers_read_but_do_not_edit(client, alice, template):
    client.force_login(alice)
    assert client.get(f"/questionnaires/{template.pk}/").status_code == 200
    assert client.post(f"/questionnaires/{template.pk}/publish/").status_code == 403
    section = template.sections.first()
    assert client.post(f"/questionnaires/sections/{section.pk}/delete/").status_code == 403


def test_a_stale_name_edit_is_refused(client, head, template):
    client.force_login(head)
    data = {"name": "Renamed", "language": "en", "description": "", "version": template.version}
    assert client.post(f"/questionnaires/{template.pk}/", data).status_code == 302
    stale = client.post(f"/questionnaires/{template.pk}/", {**data, "name": "Again"})
    assert stale.status_code == 409
    template.refresh_from_db()
    assert template.name == "Renamed"


def test_the_head_adds_a_quality_check_to_our_service(client, head):
    service = Product.objects.create(name="Internet 500", is_ours=True)
    theirs = Product.objects.create(name="Their line", is_ours=False)
    client.force_login(head)
    response = client.post(
        "/questionnaires/checks/",
        {
            "product": service.pk,
            "text": "Speed",
            "kind": "at_least",
            "unit": "Mbit/s",
            "promised": "500",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert QualityCheck.objects.get(product=service).promised == "500"
    refused = client.post(
        "/questionnaires/checks/", {"product": theirs.pk, "text": "x", "kind": "no_passes"}
    )
    assert refused.status_code == 400
    bad = client.post(
        "/questionnaires/checks/",
        {"product": service.pk, "text": "x", "kind": "at_least", "promised": "fast"},
    )
    assert bad.status_code == 400 and "Enter a number." in bad.text
