import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_shows_the_administrator_the_way_to_the_administration(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("clients:list"), headers={"Accept-Language": "ru"})
    assert f'<a href="{reverse("admin:index")}">Администрирование</a>' in response.text


@pytest.mark.parametrize("persona", ["head", "alice", "viewer"])
def test_it_offers_no_administration_link_to_anyone_else(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("clients:list"))
    assert reverse("admin:index") not in response.text
