"""The questionnaires over the API: read by all, published by the head."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kamrad.questionnaires.models import Template

pytestmark = pytest.mark.django_db


def test_every_user_reads_the_questionnaires_and_their_versions(alice):
    api = APIClient()
    api.force_authenticate(alice)
    found = api.get("/api/questionnaires/").json()
    ru = next(t for t in found["results"] if t["language"] == "ru")
    assert ru["is_default"] and ru["latest_version"] == 1
    assert [s["purpose"] for s in ru["sections"]][:2] == ["meeting", "key_people"]
    versions = api.get("/api/questionnaire-versions/").json()["results"]
    assert {v["number"] for v in versions} == {1}
    assert versions[0]["structure"]["sections"]


def test_only_the_head_publishes(alice, head):
    template = Template.objects.get(language="en", is_default=True)
    api = APIClient()
    api.force_authenticate(alice)
    assert api.post(f"/api/questionnaires/{template.pk}/publish/").status_code == 403
    api.force_authenticate(head)
    template.sections.first().questions.first().delete()
    response = api.post(f"/api/questionnaires/{template.pk}/publish/")
    assert response.status_code == 200 and response.json()["number"] == 2


def test_the_head_adds_changes_and_removes_questions(head, alice):
    template = Template.objects.get(language="en", is_default=True)
    section = template.sections.get(purpose="cooperation")
    api = APIClient()
    api.force_authenticate(alice)
    assert (
        api.post(
            "/api/questions/",
            {"section": section.pk, "key": "x", "text": "X?", "kind": "text"},
            format="json",
        ).status_code
        == 403
    )
    api.force_authenticate(head)
    made = api.post(
        "/api/questions/",
        {"section": section.pk, "key": "who_else", "text": "Who else?", "kind": "text"},
        format="json",
    )
    assert made.status_code == 201, made.content
    clash = api.post(
        "/api/questions/",
        {"section": section.pk, "key": "who_else", "text": "Again?", "kind": "text"},
        format="json",
    )
    assert clash.status_code == 400 and "key" in clash.json()
    changed = api.patch(
        f"/api/questions/{made.json()['id']}/", {"text": "Who else should we know?"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["text"] == "Who else should we know?"
    assert api.delete(f"/api/questions/{made.json()['id']}/").status_code == 204
    added = api.post(
        "/api/questionnaire-sections/",
        {"template": template.pk, "title": "Extra", "purpose": "other", "minutes": 2},
        format="json",
    )
    assert added.status_code == 201 and added.json()["position"] == 8
