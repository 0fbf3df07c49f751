import datetime

import pytest
from django.urls import reverse

from kamrad.clients import services
from kamrad.clients.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def contact(alice, alices_client) -> Contact:
    return services.contact_create(
        user=alice,
        organization=alices_client,
        data={"full_name": "Сидорова Анна", "position": "Бухгалтер"},
        roles=["prepares"],
        phones=["+7 900 000-00-01"],
        emails=["anna@example.com"],
    )


def url(contact) -> str:
    return reverse("clients:contact_edit", args=[contact.pk])


def data(contact, **changes) -> dict:
    values = {
        "full_name": contact.full_name,
        "position": contact.position,
        "status": contact.status,
        "phones": "+7 900 000-00-01",
        "emails": "anna@example.com",
        "roles": ["prepares"],
        "version": contact.version,
    }
    values.update(changes)
    return values


def test_it_shows_the_current_phones_emails_and_roles(client, alice, contact):
    client.force_login(alice)
    response = client.get(url(contact))
    assert "+7 900 000-00-01" in response.text
    assert "anna@example.com" in response.text
    assert 'value="prepares" id="id_roles_0" checked' in response.text
    assert 'value="decides" id="id_roles_1">' in response.text


def test_it_marks_a_contact_as_left_with_the_date_and_keeps_them(client, alice, contact):
    client.force_login(alice)
    response = client.post(url(contact), data(contact, status="left", left_on="2026-03-31"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.status, contact.left_on) == ("left", datetime.date(2026, 3, 31))


def test_it_asks_when_a_contact_left(client, alice, contact):
    client.force_login(alice)
    response = client.post(url(contact), data(contact, status="left"))
    assert response.status_code == 200
    assert "Say when they left the company." in response.text
    contact.refresh_from_db()
    assert contact.status == "active"


def test_it_clears_the_left_date_of_an_active_contact(client, alice, contact):
    client.force_login(alice)
    client.post(url(contact), data(contact, status="active", left_on="2026-03-31"))
    contact.refresh_from_db()
    assert (contact.status, contact.left_on) == ("active", None)


def test_it_replaces_roles_phones_and_emails(client, alice, contact):
    client.force_login(alice)
    client.post(
        url(contact),
        data(contact, phones="+7 111", emails="", roles=["decides", "signs"]),
    )
    assert sorted(r.role for r in contact.decision_roles.all()) == ["decides", "signs"]
    assert [p.value for p in contact.contact_points.all()] == ["+7 111"]


def test_it_refuses_a_stale_edit_with_409_and_saves_nothing(client, alice, head, contact):
    read_version = contact.version
    services.contact_update(
        user=head,
        contact=contact,
        data={"position": "Главный бухгалтер"},
        expected_version=read_version,
    )
    client.force_login(alice)
    response = client.post(url(contact), data(contact, full_name="Анна С.", version=read_version))
    assert response.status_code == 409
    assert "Someone else saved this record" in response.text
    assert 'value="Анна С."' in response.text
    contact.refresh_from_db()
    assert contact.full_name == "Сидорова Анна"


def test_it_notes_decision_roles_changed_meanwhile(client, alice, head, contact):
    read_version = contact.version
    services.contact_update(
        user=head,
        contact=contact,
        data={"position": "Главный бухгалтер"},
        expected_version=read_version,
        roles=["approves_budget"],
    )
    client.force_login(alice)
    response = client.post(url(contact), data(contact, full_name="Анна С.", version=read_version))
    assert response.status_code == 409
    notes = dict(response.context["differences"])
    assert notes == {"Position": "Главный бухгалтер", "Role in decisions": "Approves the budget"}


def test_it_hides_another_managers_contact_and_refuses_viewers(client, bob, viewer, contact):
    client.force_login(bob)
    assert client.get(url(contact)).status_code == 404
    client.force_login(viewer)
    assert client.get(url(contact)).status_code == 403
    assert client.post(url(contact), data(contact, full_name="X")).status_code == 403


def test_it_edits_and_deletes_an_event(client, alice, alices_client):
    event = services.event_create(
        user=alice,
        organization=alices_client,
        data={"title": "Переезд", "date": datetime.date(2026, 5, 1)},
    )
    client.force_login(alice)
    edit = reverse("clients:event_edit", args=[event.pk])
    response = client.post(
        edit,
        {
            "kind": "move",
            "title": "Переезд в новый офис",
            "date": "2026-05-02",
            "version": event.version,
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version) == ("Переезд в новый офис", 2)
    stale = client.post(edit, {"kind": "move", "title": "Old", "date": "2026-05-02", "version": 1})
    assert stale.status_code == 409
    response = client.post(reverse("clients:event_delete", args=[event.pk]))
    assert response.status_code == 302
    assert not alices_client.events.exists()


def test_it_asks_before_the_edit_page_deletes_an_event(client, alice, alices_client):
    event = services.event_create(
        user=alice,
        organization=alices_client,
        data={"title": "Переезд", "date": datetime.date(2026, 5, 1)},
    )
    client.force_login(alice)
    response = client.get(reverse("clients:event_edit", args=[event.pk]))
    delete = reverse("clients:event_delete", args=[event.pk])
    assert f'action="{delete}" class="danger-zone" data-confirm="Delete this record for good?"' in (
        response.text
    )


def test_it_edits_warmth_and_last_touch_of_a_relationship(client, alice, bob, contact):
    rel = services.relationship_create(
        user=alice, data={"staff": alice, "contact": contact, "warmth": 2}
    )
    client.force_login(alice)
    url = reverse("clients:relationship_edit", args=[rel.pk])
    response = client.post(url, {"warmth": "4", "last_touch": "2026-04-01", "version": rel.version})
    assert response.status_code == 302
    rel.refresh_from_db()
    assert (rel.warmth, rel.last_touch) == (4, datetime.date(2026, 4, 1))
    client.force_login(bob)
    assert client.get(url).status_code == 404
