import pytest

from kamrad.clients.models import ContactPoint

URL = "/api/contact-points/"


@pytest.mark.django_db
class TestContactPoints:
    def test_it_lists_only_the_managers_clients_phones(self, as_user, alice, olga, bobs_client):
        ContactPoint.objects.create(organization=bobs_client, kind="phone", value="555")
        values = [row["value"] for row in as_user(alice).get(URL).json()["results"]]
        assert sorted(values) == ["+7 495 123-45-67", "olga@romashka.ru"]

    def test_it_adds_a_persons_phone_and_makes_it_searchable(self, as_user, alice, olga):
        response = as_user(alice).post(
            URL, {"contact": olga.pk, "kind": "phone", "value": " 8 800 200-00-00 "}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["organization"] == olga.organization_id
        assert response.json()["value"] == "8 800 200-00-00"
        found = as_user(alice).get("/api/organizations/", {"q": "8 800 200 00 00"})
        assert found.json()["count"] == 1

    def test_it_checks_the_value_against_the_kind(self, as_user, alice, alices_client):
        for kind, value in (("email", "not-an-email"), ("phone", "call me"), ("fax", "1")):
            response = as_user(alice).post(
                URL, {"organization": alices_client.pk, "kind": kind, "value": value}, format="json"
            )
            assert response.status_code == 400, (kind, value)
        assert not ContactPoint.objects.exists()

    def test_it_refuses_a_person_of_another_organization(
        self, as_user, head, alices_client, bobs_contact
    ):
        response = as_user(head).post(
            URL,
            {
                "organization": alices_client.pk,
                "contact": bobs_contact.pk,
                "kind": "phone",
                "value": "123",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "contact" in response.json()

    def test_it_removes_a_point_and_hides_others(self, as_user, alice, bob, olga):
        point = olga.contact_points.get(kind="phone")
        assert as_user(bob).delete(f"{URL}{point.pk}/").status_code == 404
        assert as_user(alice).delete(f"{URL}{point.pk}/").status_code == 204
        assert not olga.contact_points.filter(kind="phone").exists()

    def test_it_refuses_a_viewer(self, as_user, viewer, olga):
        point = olga.contact_points.get(kind="phone")
        assert as_user(viewer).delete(f"{URL}{point.pk}/").status_code == 403
        assert ContactPoint.objects.filter(pk=point.pk).exists()
