import pytest

from kamrad.clients import services
from kamrad.clients.models import Product

URL = "/api/products/"


@pytest.mark.django_db
class TestProducts:
    def test_it_shows_every_product_to_every_role(self, as_user, alice, viewer, head):
        services.product_create(user=head, data={"name": "Fibre 1G"})
        for user in (alice, viewer):
            assert [row["name"] for row in as_user(user).get(URL).json()["results"]] == ["Fibre 1G"]

    def test_it_creates_a_competitors_product_with_its_analogue(
        self, as_user, alice, alices_client
    ):
        ours = services.product_create(user=alice, data={"name": "Fibre 1G"})
        response = as_user(alice).post(
            URL,
            {
                "name": "Их гигабит",
                "is_ours": False,
                "maker": alices_client.pk,
                "analogues": [ours.pk],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        theirs = Product.objects.get(name="Их гигабит")
        assert list(ours.analogues.all()) == [theirs]

    def test_it_refuses_a_maker_the_manager_may_not_see(self, as_user, alice, bobs_client):
        response = as_user(alice).post(URL, {"name": "X", "maker": bobs_client.pk}, format="json")
        assert response.status_code == 400
        assert "maker" in response.json()

    def test_it_refuses_a_stale_edit(self, as_user, alice, head):
        product = services.product_create(user=head, data={"name": "Fibre"})
        url = f"{URL}{product.pk}/"
        assert (
            as_user(head).patch(url, {"name": "Fibre 2", "version": 1}, format="json").status_code
            == 200
        )
        response = as_user(alice).put(url, {"name": "Fibre X", "version": 1}, format="json")
        assert response.status_code == 409
        assert Product.objects.get().name == "Fibre 2"

    def test_it_refuses_a_viewer_and_does_not_delete(self, as_user, viewer, head):
        product = services.product_create(user=head, data={"name": "Fibre"})
        url = f"{URL}{product.pk}/"
        assert as_user(viewer).post(URL, {"name": "X"}, format="json").status_code == 403
        assert (
            as_user(viewer).patch(url, {"name": "X", "version": 1}, format="json").status_code
            == 403
        )
        assert as_user(head).delete(url).status_code == 405
