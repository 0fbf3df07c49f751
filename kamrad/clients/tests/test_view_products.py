import pytest
from django.urls import reverse

from kamrad.clients import services
from kamrad.clients.models import DossierEntry, Product

pytestmark = pytest.mark.django_db

LIST = reverse("clients:product_list")
CREATE = reverse("clients:product_create")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def internet(head) -> Product:
    return services.product_create(
        user=head, data={"name": "Интернет 1 Гбит/с", "category": "Связь"}
    )


def test_everyone_signed_in_reads_the_list_and_the_card(client, viewer, internet):
    client.force_login(viewer)
    assert "Интернет 1 Гбит/с" in client.get(LIST).text
    response = client.get(reverse("clients:product_card", args=[internet.pk]))
    assert response.status_code == 200
    assert "Интернет 1 Гбит/с" in response.text
    assert reverse("clients:product_edit", args=[internet.pk]) not in response.text


def test_a_viewer_may_not_create_or_edit(client, viewer, internet):
    client.force_login(viewer)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "X"}).status_code == 403
    edit = reverse("clients:product_edit", args=[internet.pk])
    assert client.post(edit, {"name": "X", "version": 1}).status_code == 403
    assert Product.objects.count() == 1


def test_a_manager_creates_a_competitors_product_with_analogues(
    client, alice, alices_client, internet
):
    client.force_login(alice)
    response = client.post(
        CREATE,
        {
            "name": "Конкурент-Нет",
            "maker": alices_client.pk,
            "analogues": [internet.pk],
            "substitutes": [],
        },
    )
    product = Product.objects.get(name="Конкурент-Нет")
    assert response.status_code == 302
    assert product.maker == alices_client
    assert list(internet.analogues.all()) == [product]  # symmetrical
    card = client.get(reverse("clients:product_card", args=[product.pk]))
    assert reverse("clients:card", args=[alices_client.pk]) in card.text
    assert "Интернет 1 Гбит/с" in card.text


def test_a_manager_cannot_pick_another_managers_client_as_maker(client, alice, bobs_client):
    client.force_login(alice)
    response = client.post(CREATE, {"name": "X", "maker": bobs_client.pk})
    assert "Select a valid choice" in response.text
    assert not Product.objects.exists()


def test_the_card_names_a_maker_the_user_may_not_open_without_a_link(
    client, alice, bob, bobs_client
):
    product = services.product_create(user=bob, data={"name": "Widget", "maker": bobs_client})
    client.force_login(alice)
    response = client.get(reverse("clients:product_card", args=[product.pk]))
    assert "Acme Widgets Ltd" in response.text
    assert reverse("clients:card", args=[bobs_client.pk]) not in response.text


def test_a_stale_product_edit_is_refused_with_409(client, alice, head, internet):
    services.product_update(
        user=head, product=internet, data={"category": "ШПД"}, expected_version=1
    )
    client.force_login(alice)
    response = client.post(
        reverse("clients:product_edit", args=[internet.pk]), {"name": "Мой интернет", "version": 1}
    )
    assert response.status_code == 409
    internet.refresh_from_db()
    assert internet.name == "Интернет 1 Гбит/с"


def test_a_writer_adds_to_the_products_dossier_in_place(client, alice, internet):
    client.force_login(alice)
    url = reverse("clients:product_dossier_add", args=[internet.pk])
    response = client.post(
        url,
        {"dossier-date": "2026-02-02", "dossier-text": "Конкуренты снизили цену"},
        headers={"HX-Request": "true"},
    )
    assert response.text.lstrip().startswith('<section id="dossier"')
    assert "Конкуренты снизили цену" in response.text
    assert DossierEntry.objects.get().product == internet
    bad = client.post(url, {"dossier-date": "", "dossier-text": ""}, headers={"HX-Request": "true"})
    assert bad["HX-Retarget"] == "#dossier_form"
    assert DossierEntry.objects.count() == 1


def test_the_list_searches_by_name(client, alice, internet):
    services.product_create(user=alice, data={"name": "Hosting"})
    client.force_login(alice)
    response = client.get(LIST, {"q": "host"})
    assert [p.name for p in response.context["products"]] == ["Hosting"]
