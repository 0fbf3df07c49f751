import datetime

import pytest
from django.urls import reverse

from kamrad.clients import services
from kamrad.clients.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(org) -> str:
    return reverse("clients:card", args=[org.pk])


def fill(org, user, contacts: int = 1):
    """An organization with every section of the card in use."""
    services.bank_account_add(
        user=user, organization=org, data={"bank_name": "Сбербанк", "account_number": "40702810"}
    )
    services.contact_point_add(user=user, organization=org, kind="phone", value="+7 495 000-00-01")
    for i in range(contacts):
        contact = services.contact_create(
            user=user,
            organization=org,
            data={
                "full_name": f"Иванов Пётр {i}",
                "position": "Директор",
                "birthday": datetime.date(1970, 5, 17),
            },
            roles=["decides", "signs"],
            phones=[f"+7 900 000-00-{i:02d}"],
            emails=[f"p{i}@example.com"],
        )
        services.relationship_create(
            user=user,
            data={
                "staff": user,
                "contact": contact,
                "warmth": 4,
                "last_touch": datetime.date(2026, 3, 1),
            },
        )
    services.event_create(
        user=user,
        organization=org,
        data={
            "kind": "anniversary",
            "title": "25 лет компании",
            "date": datetime.date(2001, 9, 1),
            "recurs_yearly": True,
        },
    )
    services.dossier_add(
        user=user,
        data={"organization": org, "date": datetime.date(2026, 1, 10), "text": "Новый директор"},
    )
    services.product_create(user=user, data={"name": "Ромашка Про", "maker": org})


def test_it_shows_every_section_of_the_card(client, alice, alices_client):
    fill(alices_client, alice)
    client.force_login(alice)
    response = client.get(url(alices_client))
    assert response.status_code == 200
    text = response.text
    for expected in [
        "ООО Ромашка",
        "7701000001",
        "Сбербанк",
        "+7 495 000-00-01",
        "Иванов Пётр 0",
        "Takes the decision",
        "Signs finally",
        "p0@example.com",
        "4/5",
        "25 лет компании",
        "yearly",
        "Новый директор",
        "Ромашка Про",
        "History of changes",
    ]:
        assert expected in text, expected


def test_it_shows_each_detail_of_accounts_events_dossier_and_products(client, alice, alices_client):
    alice.first_name, alice.last_name = "Алиса", "Петрова"
    alice.save()
    person = services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Сидорова Анна"}
    )
    services.bank_account_add(
        user=alice,
        organization=alices_client,
        data={
            "bank_name": "Альфа-Банк",
            "account_number": "40702810900000000001",
            "bic": "044525593",
            "correspondent_account": "30101810200000000593",
            "currency": "USD",
        },
    )
    for data in [
        {
            "kind": "birthday",
            "title": "День рождения",
            "date": datetime.date(1980, 2, 29),
            "recurs_yearly": True,
            "contact": person,
        },
        {
            "kind": "merger",
            "title": "Слияние с «Лютиком»",
            "date": datetime.date(2026, 4, 3),
            "notes": "Сделка закрыта",
        },
    ]:
        services.event_create(user=alice, organization=alices_client, data=data)
    services.dossier_add(
        user=alice,
        data={
            "organization": alices_client,
            "contact": person,
            "date": datetime.date(2026, 5, 6),
            "title": "Разговор",
            "text": "Любит теннис",
        },
    )
    services.product_create(
        user=alice, data={"name": "Ромашка Про", "maker": alices_client, "category": "Хостинг"}
    )
    client.force_login(alice)
    text = client.get(url(alices_client)).text
    for expected in [
        "<strong>Альфа-Банк</strong> · 40702810900000000001 USD",
        "BIC 044525593",
        "corr. 30101810200000000593",
        '<time datetime="1980-02-29">29 February</time>',
        "since 1980",
        '<span class="badge subtle">Birthday</span>',
        '<strong>День рождения</strong> <span class="muted">· Сидорова Анна</span>',
        '<time datetime="2026-04-03">',
        '<span class="badge subtle">Merger or acquisition</span>',
        "Сделка закрыта",
        '<time datetime="2026-05-06">',
        "<strong>Разговор</strong>",
        '<span class="badge subtle">Сидорова Анна</span>',
        '<span class="muted">Алиса Петрова</span>',
        "Любит теннис",
        '<span class="muted">Хостинг</span>',
    ]:
        assert expected in text, expected
    # The later event first, and only the birthday is marked yearly.
    assert text.index("Слияние") < text.index("День рождения")
    assert text.count('<span class="badge yearly">') == 1
    client.cookies["django_language"] = "ru"
    russian = client.get(url(alices_client)).text
    assert '<span class="badge subtle">День рождения</span>' in russian
    assert "Слияние или поглощение" in russian


def test_it_puts_each_phone_and_role_with_its_person_and_the_organizations_own_apart(
    client, alice, alices_client
):
    services.contact_point_add(
        user=alice, organization=alices_client, kind="email", value="office@example.com"
    )
    services.contact_create(
        user=alice,
        organization=alices_client,
        data={"full_name": "Борисова Анна"},
        roles=["uses", "decides"],
        phones=["+7 900 111-11-11"],
    )
    services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Алексеев Иван"}, roles=[]
    )
    client.force_login(alice)
    context = client.get(url(alices_client)).context
    assert [p["value"] for p in context["points"]] == ["office@example.com"]
    first, second = context["contacts"]
    assert (first["full_name"], first["roles_list"], first["points_list"]) == (
        "Алексеев Иван",
        [],
        [],
    )
    assert second["full_name"] == "Борисова Анна"
    assert [(r["role"], str(r["label"])) for r in second["roles_list"]] == [
        ("decides", "Takes the decision"),
        ("uses", "Uses the product"),
    ]
    assert [p["value"] for p in second["points_list"]] == ["+7 900 111-11-11"]


def test_it_shows_a_contact_who_left_distinctly(client, alice, alices_client):
    contact = services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Сидорова Анна"}
    )
    services.contact_update(
        user=alice,
        contact=contact,
        data={"status": "left", "left_on": datetime.date(2026, 2, 3)},
        expected_version=contact.version,
    )
    client.force_login(alice)
    text = client.get(url(alices_client)).text
    assert 'class="person left"' in text
    assert "Left on Feb. 3, 2026" in text


def test_it_hides_another_managers_client(client, alice, bobs_client):
    client.force_login(alice)
    assert client.get(url(bobs_client)).status_code == 404
    assert client.get(reverse("clients:history", args=[bobs_client.pk])).status_code == 404


def test_it_shows_the_viewer_everything_without_edit_controls(client, viewer, alice, alices_client):
    fill(alices_client, alice)
    client.force_login(viewer)
    response = client.get(url(alices_client))
    assert response.status_code == 200
    assert "Иванов Пётр 0" in response.text
    assert reverse("clients:edit", args=[alices_client.pk]) not in response.text
    assert reverse("clients:contact_add", args=[alices_client.pk]) not in response.text
    assert "<form id=" not in response.text


def test_it_lists_the_audit_history_newest_first_with_old_and_new_values(
    client, alice, alices_client
):
    services.organization_update(
        user=alice,
        organization=alices_client,
        data={"legal_name": "Общество «Ромашка»"},
        expected_version=alices_client.version,
    )
    client.force_login(alice)
    history_url = reverse("clients:history", args=[alices_client.pk])
    assert f'hx-get="{history_url}" hx-trigger="load"' in client.get(url(alices_client)).text
    response = client.get(history_url, headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert "Общество «Ромашка»" in response.text
    changes = response.context["history"]["changes"]
    assert changes[0].action == "~"
    assert changes[0].who == alice
    assert [(f.field, f.old, f.new) for f in changes[0].fields] == [
        ("legal name", "—", "Общество «Ромашка»")
    ]
    assert changes[-1].action == "+"


def test_it_loads_the_history_and_add_forms_only_when_asked(client, alice, alices_client):
    client.force_login(alice)
    card = client.get(url(alices_client)).text
    contact_add = reverse("clients:contact_add", args=[alices_client.pk])
    assert f'hx-get="{contact_add}"' in card
    assert 'id="contact_form"' not in card
    form = client.get(contact_add, headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert 'id="contact_form"' in form.text
    assert "<html" not in form.text
    page = client.get(contact_add)
    assert "<html" in page.text
    assert 'name="contact-full_name"' in page.text


def test_it_keeps_the_card_history_to_fifty_with_a_link_to_older(client, alice, alices_client):
    for i in range(55):
        services.contact_point_add(
            user=alice, organization=alices_client, kind="phone", value=f"+7 1 {i}"
        )
    client.force_login(alice)
    history_url = reverse("clients:history", args=[alices_client.pk])
    response = client.get(history_url, headers={"HX-Request": "true"})
    assert len(response.context["history"]["changes"]) == 50
    older = reverse("clients:history", args=[alices_client.pk]) + "?offset=50"
    assert older in response.text
    rest = client.get(older, headers={"HX-Request": "true"})
    assert rest.text.count("<tr") == 6  # 55 phones and the organization's creation
    assert "<html" not in rest.text


@pytest.mark.parametrize("contacts", [1, 50])
def test_it_runs_a_fixed_number_of_queries_whatever_the_contacts(
    client, alice, alices_client, contacts, django_assert_max_num_queries
):
    fill(alices_client, alice, contacts=contacts)
    client.force_login(alice)
    client.get(url(alices_client))
    with django_assert_max_num_queries(10):
        response = client.get(url(alices_client))
    assert len(response.context["contacts"]) == contacts


def test_it_names_the_maker_of_a_product_on_the_card_only_once(client, alice, alices_client):
    Product.objects.create(name="Без производителя")
    services.product_create(user=alice, data={"name": "Ромашка Про", "maker": alices_client})
    client.force_login(alice)
    products = client.get(url(alices_client)).context["products"]
    assert [p["name"] for p in products] == ["Ромашка Про"]
