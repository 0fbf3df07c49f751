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
