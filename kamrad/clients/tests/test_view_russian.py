import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_renders_the_list_in_russian_for_a_russian_browser(client, alice, alices_client):
    client.force_login(alice)
    response = client.get(reverse("clients:list"), headers={"Accept-Language": "ru"})
    assert '<html lang="ru">' in response.text
    assert "Организации" in response.text
    assert "Клиент" in response.text  # the kind badge
    assert "Organizations" not in response.text


def test_it_renders_the_card_in_russian_from_the_language_cookie(client, alice, alices_client):
    client.force_login(alice)
    client.cookies["django_language"] = "ru"
    response = client.get(reverse("clients:card", args=[alices_client.pk]))
    for heading in ["Реквизиты", "Контактные лица", "Кто кого знает", "Досье", "История изменений"]:
        assert heading in response.text, heading
    assert "Contact persons" not in response.text


def test_it_shows_russian_form_labels_and_role_names(client, alice, alices_client):
    from kamrad.clients import services

    contact = services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Анна"}, roles=["decides"]
    )
    client.force_login(alice)
    response = client.get(
        reverse("clients:contact_edit", args=[contact.pk]), headers={"Accept-Language": "ru"}
    )
    assert "ФИО" in response.text
    assert "Принимает решение" in response.text


def test_it_translates_the_empty_choice_of_every_select(client, alice):
    client.force_login(alice)
    response = client.get(reverse("clients:create"), headers={"Accept-Language": "ru"})
    assert "— не выбрано —" in response.text
    assert "Select an option" not in response.text


def test_it_heads_the_history_column_with_a_noun_not_the_edit_button(client, alice, alices_client):
    client.force_login(alice)
    response = client.get(
        reverse("clients:history", args=[alices_client.pk]), headers={"Accept-Language": "ru"}
    )
    assert "<th>Изменение</th>" in response.text
    assert "<th>Изменить</th>" not in response.text
