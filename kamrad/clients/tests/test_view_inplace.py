"""The in-place forms of the card: htmx gets a section or the form back; a plain post redirects."""

import pytest
from django.urls import reverse

from kamrad.clients import services
from kamrad.clients.models import (
    BankAccount,
    Contact,
    ContactPoint,
    DossierEntry,
    Event,
    Relationship,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_adds_a_contact_and_returns_the_contacts_section(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        reverse("clients:contact_add", args=[alices_client.pk]),
        {
            "contact-full_name": "Петров Иван",
            "contact-position": "Финансовый директор",
            "contact-phones": "+7 900 111-22-33\n+7 495 000-00-00",
            "contact-emails": "ivan@example.com",
            "contact-birthday": "1975-04-12",
            "contact-roles": ["approves_budget", "influences"],
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="contacts"')
    assert "Петров Иван" in response.text
    contact = Contact.objects.get(full_name="Петров Иван")
    assert sorted(r.role for r in contact.decision_roles.all()) == ["approves_budget", "influences"]
    assert sorted(p.value for p in contact.contact_points.all()) == [
        "+7 495 000-00-00",
        "+7 900 111-22-33",
        "ivan@example.com",
    ]


def test_it_returns_the_form_with_errors_where_the_user_types(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        reverse("clients:contact_add", args=[alices_client.pk]),
        {"contact-full_name": "", "contact-emails": "not-an-email"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#contact_form"
    assert response.text.lstrip().startswith('<form id="contact_form"')
    assert "This field is required." in response.text
    assert "is not a valid e-mail address" in response.text
    assert Contact.objects.count() == 0


def test_it_works_without_javascript(client, alice, alices_client):
    client.force_login(alice)
    url = reverse("clients:event_add", args=[alices_client.pk])
    response = client.post(
        url, {"event-kind": "move", "event-title": "Переезд", "event-date": "2026-06-01"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#events")
    assert Event.objects.get().title == "Переезд"
    response = client.post(url, {"event-kind": "move", "event-title": "", "event-date": "soon"})
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Enter a valid date." in response.text


def test_it_adds_an_event_a_dossier_note_and_a_who_knows_whom_link(client, alice, alices_client):
    contact = services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Анна"}
    )
    client.force_login(alice)
    pk = alices_client.pk
    events = client.post(
        reverse("clients:event_add", args=[pk]),
        {
            "event-kind": "anniversary",
            "event-title": "День рождения компании",
            "event-date": "2001-09-01",
            "event-recurs_yearly": "on",
        },
        headers=HTMX,
    )
    assert events.text.lstrip().startswith('<section id="events"')
    assert Event.objects.get().recurs_yearly
    dossier = client.post(
        reverse("clients:dossier_add", args=[pk]),
        {
            "dossier-date": "2026-01-15",
            "dossier-text": "Сменился главный бухгалтер",
            "dossier-contact": contact.pk,
        },
        headers=HTMX,
    )
    assert "Сменился главный бухгалтер" in dossier.text
    entry = DossierEntry.objects.get()
    assert (entry.organization, entry.contact, entry.author) == (alices_client, contact, alice)
    link = client.post(
        reverse("clients:relationship_add", args=[pk]),
        {
            "rel-staff": alice.pk,
            "rel-contact": contact.pk,
            "rel-warmth": "5",
            "rel-last_touch": "2026-02-01",
        },
        headers=HTMX,
    )
    assert link.text.lstrip().startswith('<section id="relationships"')
    assert Relationship.objects.get().warmth == 5


def test_it_refuses_a_second_link_between_the_same_people(client, alice, alices_client):
    contact = services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Анна"}
    )
    services.relationship_create(user=alice, data={"staff": alice, "contact": contact, "warmth": 2})
    client.force_login(alice)
    response = client.post(
        reverse("clients:relationship_add", args=[alices_client.pk]),
        {"rel-staff": alice.pk, "rel-contact": contact.pk, "rel-warmth": "5"},
        headers=HTMX,
    )
    assert "This link already exists" in response.text
    assert Relationship.objects.get().warmth == 2


def test_it_does_not_link_a_contact_of_another_organization(
    client, alice, bob, alices_client, bobs_client
):
    theirs = services.contact_create(
        user=bob, organization=bobs_client, data={"full_name": "Bob's"}
    )
    client.force_login(alice)
    response = client.post(
        reverse("clients:relationship_add", args=[alices_client.pk]),
        {"rel-staff": alice.pk, "rel-contact": theirs.pk, "rel-warmth": "3"},
        headers=HTMX,
    )
    assert "Select a valid choice" in response.text
    assert not Relationship.objects.exists()


def test_it_adds_and_removes_bank_accounts_and_phones_in_place(client, alice, alices_client):
    client.force_login(alice)
    pk = alices_client.pk
    response = client.post(
        reverse("clients:bank_account_add", args=[pk]),
        {
            "bank-bank_name": "Альфа-Банк",
            "bank-account_number": "40702810900000000001",
            "bank-currency": "RUB",
        },
        headers=HTMX,
    )
    assert response.text.lstrip().startswith('<section id="formal"')
    account = BankAccount.objects.get()
    client.post(
        reverse("clients:point_add", args=[pk]),
        {"point-kind": "email", "point-value": "office@romashka.example"},
        headers=HTMX,
    )
    point = ContactPoint.objects.get()
    bad = client.post(
        reverse("clients:point_add", args=[pk]),
        {"point-kind": "email", "point-value": "no at sign"},
        headers=HTMX,
    )
    assert "Enter a valid e-mail address." in bad.text
    removed = client.post(
        reverse("clients:bank_account_remove", args=[pk, account.pk]), headers=HTMX
    )
    assert "Альфа-Банк" not in removed.text
    client.post(reverse("clients:point_remove", args=[pk, point.pk]), headers=HTMX)
    assert not BankAccount.objects.exists()
    assert not ContactPoint.objects.exists()


def test_it_refuses_viewers_and_hides_other_managers_clients(client, alice, viewer, bobs_client):
    url = reverse("clients:contact_add", args=[bobs_client.pk])
    data = {"contact-full_name": "Интрудер"}
    client.force_login(viewer)
    assert client.post(url, data).status_code == 403
    client.force_login(alice)
    assert client.post(url, data).status_code == 404
    account = services.bank_account_add(
        user=None, organization=bobs_client, data={"bank_name": "B", "account_number": "1"}
    )
    remove = reverse("clients:bank_account_remove", args=[bobs_client.pk, account.pk])
    assert client.post(remove).status_code == 404
    assert not Contact.objects.exists()
    assert BankAccount.objects.exists()


def test_it_answers_other_methods_than_get_and_post_with_405(client, alice, alices_client):
    client.force_login(alice)
    assert client.put(reverse("clients:contact_add", args=[alices_client.pk])).status_code == 405


def test_it_refuses_a_viewer_the_empty_add_form(client, viewer, alices_client):
    client.force_login(viewer)
    assert client.get(reverse("clients:contact_add", args=[alices_client.pk])).status_code == 403


def test_it_offers_the_signed_in_user_as_the_acquaintance(client, alice, alices_client):
    client.force_login(alice)
    response = client.get(
        reverse("clients:relationship_add", args=[alices_client.pk]), headers={"HX-Request": "true"}
    )
    assert response.context["relationship_form"]["staff"].value() == alice.pk
