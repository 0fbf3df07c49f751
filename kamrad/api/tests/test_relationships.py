import pytest

from kamrad.clients import services
from kamrad.clients.models import Relationship

URL = "/api/relationships/"


@pytest.fixture
def alice_knows_olga(alice, olga) -> Relationship:
    return services.relationship_create(
        user=alice, data={"staff": alice, "contact": olga, "warmth": 3}
    )


@pytest.mark.django_db
class TestRelationships:
    def test_it_lists_only_relationships_at_the_managers_clients(
        self, as_user, alice, bob, head, alice_knows_olga, bobs_contact
    ):
        services.relationship_create(
            user=bob, data={"staff": bob, "contact": bobs_contact, "warmth": 5}
        )
        rows = as_user(alice).get(URL).json()["results"]
        assert [row["id"] for row in rows] == [alice_knows_olga.pk]
        assert as_user(head).get(URL).json()["count"] == 2

    def test_it_records_that_the_requester_knows_someone(self, as_user, head, olga):
        response = as_user(head).post(
            URL, {"contact": olga.pk, "warmth": 4, "last_touch": "2025-05-01"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert Relationship.objects.get().staff == head

    def test_it_refuses_warmth_outside_one_to_five(self, as_user, alice, olga):
        for warmth in (0, 6, "hot"):
            response = as_user(alice).post(
                URL, {"contact": olga.pk, "warmth": warmth}, format="json"
            )
            assert response.status_code == 400
            assert "warmth" in response.json()
        assert not Relationship.objects.exists()

    def test_it_refuses_the_same_pair_twice(self, as_user, alice, olga, alice_knows_olga):
        response = as_user(alice).post(URL, {"contact": olga.pk, "warmth": 2}, format="json")
        assert response.status_code == 400

    def test_it_refuses_another_managers_contact(self, as_user, alice, bobs_contact):
        response = as_user(alice).post(
            URL, {"contact": bobs_contact.pk, "warmth": 2}, format="json"
        )
        assert response.status_code == 400
        assert "contact" in response.json()

    def test_it_updates_warmth_on_the_current_version(self, as_user, alice, alice_knows_olga):
        url = f"{URL}{alice_knows_olga.pk}/"
        response = as_user(alice).patch(url, {"warmth": 5, "version": 1}, format="json")
        assert response.status_code == 200, response.json()
        alice_knows_olga.refresh_from_db()
        assert (alice_knows_olga.warmth, alice_knows_olga.version) == (5, 2)
        assert alice_knows_olga.staff.username == "alice"

    def test_it_refuses_a_stale_edit(self, as_user, alice, alice_knows_olga):
        url = f"{URL}{alice_knows_olga.pk}/"
        as_user(alice).patch(url, {"warmth": 5, "version": 1}, format="json")
        response = as_user(alice).patch(url, {"warmth": 1, "version": 1}, format="json")
        assert response.status_code == 409
        alice_knows_olga.refresh_from_db()
        assert alice_knows_olga.warmth == 5

    def test_it_refuses_warmth_outside_one_to_five_on_update(
        self, as_user, alice, alice_knows_olga
    ):
        url = f"{URL}{alice_knows_olga.pk}/"
        response = as_user(alice).patch(url, {"warmth": 9, "version": 1}, format="json")
        assert response.status_code == 400

    def test_it_deletes_a_relationship(self, as_user, alice, alice_knows_olga):
        assert as_user(alice).delete(f"{URL}{alice_knows_olga.pk}/").status_code == 204
        assert not Relationship.objects.exists()

    def test_it_hides_another_managers_relationship(self, as_user, bob, alice_knows_olga):
        url = f"{URL}{alice_knows_olga.pk}/"
        assert as_user(bob).get(url).status_code == 404
        assert (
            as_user(bob).patch(url, {"warmth": 1, "version": 1}, format="json").status_code == 404
        )
        assert as_user(bob).delete(url).status_code == 404

    def test_it_refuses_a_viewer(self, as_user, viewer, olga, alice_knows_olga):
        url = f"{URL}{alice_knows_olga.pk}/"
        assert as_user(viewer).get(url).status_code == 200
        assert as_user(viewer).post(URL, {"contact": olga.pk, "warmth": 2}).status_code == 403
        assert as_user(viewer).patch(url, {"warmth": 1, "version": 1}).status_code == 403
        assert as_user(viewer).delete(url).status_code == 403
        assert Relationship.objects.get().warmth == 3
