import pytest

from kamrad.clients import services
from kamrad.clients.models import DossierEntry

URL = "/api/dossier-entries/"


@pytest.fixture
def product(head):
    return services.product_create(user=head, data={"name": "Fibre 1G"})


@pytest.mark.django_db
class TestDossierEntries:
    def test_it_shows_a_manager_their_clients_entries_and_every_product_entry(
        self, as_user, alice, bob, alices_client, bobs_client, product
    ):
        services.dossier_add(
            user=alice, data={"organization": alices_client, "date": "2025-01-02", "text": "ours"}
        )
        services.dossier_add(
            user=bob, data={"organization": bobs_client, "date": "2025-01-02", "text": "bobs"}
        )
        services.dossier_add(
            user=bob, data={"product": product, "date": "2025-01-01", "text": "cheap"}
        )
        texts = [row["text"] for row in as_user(alice).get(URL).json()["results"]]
        assert texts == ["ours", "cheap"]

    def test_it_adds_an_entry_on_a_person_under_their_organization(
        self, as_user, alice, olga, alices_client
    ):
        response = as_user(alice).post(
            URL, {"contact": olga.pk, "text": "Любит рыбалку"}, format="json"
        )
        assert response.status_code == 201, response.json()
        entry = DossierEntry.objects.get()
        assert (entry.organization, entry.author, entry.date is not None) == (
            alices_client,
            alice,
            True,
        )
        assert response.json()["author"] == alice.pk

    def test_it_needs_exactly_one_subject(self, as_user, alice, alices_client, product):
        nothing = as_user(alice).post(URL, {"text": "about whom?"}, format="json")
        assert nothing.status_code == 400
        both = as_user(alice).post(
            URL,
            {"organization": alices_client.pk, "product": product.pk, "text": "x"},
            format="json",
        )
        assert both.status_code == 400
        assert not DossierEntry.objects.exists()

    def test_it_refuses_an_entry_on_another_managers_client(self, as_user, alice, bobs_client):
        response = as_user(alice).post(
            URL, {"organization": bobs_client.pk, "text": "x"}, format="json"
        )
        assert response.status_code == 400
        assert "organization" in response.json()

    def test_it_deletes_an_entry_and_hides_others(self, as_user, alice, bob, alices_client):
        entry = services.dossier_add(
            user=alice, data={"organization": alices_client, "date": "2025-01-02", "text": "x"}
        )
        assert as_user(bob).delete(f"{URL}{entry.pk}/").status_code == 404
        assert as_user(alice).delete(f"{URL}{entry.pk}/").status_code == 204
        assert not DossierEntry.objects.exists()

    def test_it_refuses_a_viewer(self, as_user, viewer, alice, alices_client):
        entry = services.dossier_add(
            user=alice, data={"organization": alices_client, "date": "2025-01-02", "text": "x"}
        )
        assert as_user(viewer).delete(f"{URL}{entry.pk}/").status_code == 403
        response = as_user(viewer).post(
            URL, {"organization": alices_client.pk, "text": "y"}, format="json"
        )
        assert response.status_code == 403
        assert DossierEntry.objects.count() == 1
