import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_answers_another_managers_client_with_the_same_page_as_a_missing_one(
    client, alice, bobs_client
):
    client.force_login(alice)
    hidden = client.get(reverse("clients:card", args=[bobs_client.pk]))
    missing = client.get("/no-such-page/")
    assert hidden.status_code == missing.status_code == 404
    for response in (hidden, missing):
        assert "There is no such page, or it is not open to you." in response.text
        assert f'href="{reverse("home")}"' in response.text
    assert bobs_client.name not in hidden.text


def test_it_explains_a_viewers_refused_write_in_russian_with_a_way_back(
    client, viewer, alices_client
):
    client.force_login(viewer)
    response = client.get(
        reverse("clients:edit", args=[alices_client.pk]), headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 403
    assert "Нет доступа" in response.text
    assert f'href="{reverse("home")}"' in response.text
    assert "write to organization" not in response.text  # the log's words, not the user's


def test_it_renders_the_server_error_page_without_a_user_or_session():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
