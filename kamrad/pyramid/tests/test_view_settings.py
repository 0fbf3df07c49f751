"""The pyramid settings: the head edits them; a stale edit is refused; viewers get 403."""

import pytest
from django.test import Client

from kamrad.pyramid.models import PyramidSettings

pytestmark = pytest.mark.django_db

VALID = {
    "top_share_percent": 30,
    "cv_threshold_percent": 40,
    "quarters": 6,
    "stable_band_percent": 3,
}


def test_the_head_changes_the_settings(client: Client, head) -> None:
    client.force_login(head)
    response = client.post("/pyramid/settings/", {**VALID, "version": 1})
    assert response.status_code == 302
    saved = PyramidSettings.current()
    assert (saved.top_share_percent, saved.quarters, saved.version) == (30, 6, 2)


def test_bad_values_are_shown_on_the_form(client: Client, head) -> None:
    client.force_login(head)
    response = client.post(
        "/pyramid/settings/", {**VALID, "top_share_percent": 0, "quarters": "x", "version": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"top_share_percent", "quarters"}
    assert PyramidSettings.current().version == 1


def test_a_stale_edit_is_refused_with_a_message(client: Client, head) -> None:
    PyramidSettings.current()
    client.force_login(head)
    client.post("/pyramid/settings/", {**VALID, "version": 1})
    response = client.post("/pyramid/settings/", {**VALID, "quarters": 12, "version": 1})
    assert response.status_code == 409
    assert "Someone else saved the settings" in response.content.decode()
    assert PyramidSettings.current().quarters == 6


@pytest.mark.parametrize("persona", ["viewer", "alice"])
def test_viewers_and_managers_may_not_change_the_settings(
    client: Client, persona: str, request
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post("/pyramid/settings/", {**VALID, "version": 1}).status_code == 403
    assert client.get("/pyramid/settings/").status_code == 403
    assert PyramidSettings.current().top_share_percent == 20
