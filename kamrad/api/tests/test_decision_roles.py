import pytest

from kamrad.clients.models import DecisionRole

URL = "/api/decision-roles/"


@pytest.mark.django_db
class TestDecisionRoles:
    def test_it_lists_only_the_roles_at_the_managers_clients(
        self, as_user, alice, head, olga, bobs_contact
    ):
        DecisionRole.objects.create(contact=bobs_contact, role="signs")
        rows = as_user(alice).get(URL).json()["results"]
        assert [(row["contact"], row["role"]) for row in rows] == [(olga.pk, "decides")]
        assert as_user(head).get(URL).json()["count"] == 2

    def test_it_filters_by_contact(self, as_user, head, olga, bobs_contact):
        DecisionRole.objects.create(contact=bobs_contact, role="signs")
        rows = as_user(head).get(URL, {"contact": bobs_contact.pk}).json()["results"]
        assert [row["role"] for row in rows] == ["signs"]

    def test_it_adds_a_role(self, as_user, alice, olga):
        response = as_user(alice).post(
            URL, {"contact": olga.pk, "role": "approves_budget", "note": "up to 1M"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert olga.decision_roles.filter(role="approves_budget", note="up to 1M").exists()

    def test_it_refuses_the_same_role_twice(self, as_user, alice, olga):
        response = as_user(alice).post(URL, {"contact": olga.pk, "role": "decides"}, format="json")
        assert response.status_code == 400
        assert olga.decision_roles.count() == 1

    def test_it_refuses_an_unknown_role(self, as_user, alice, olga):
        response = as_user(alice).post(URL, {"contact": olga.pk, "role": "boss"}, format="json")
        assert response.status_code == 400
        assert "role" in response.json()

    def test_it_refuses_a_role_for_another_managers_contact(self, as_user, alice, bobs_contact):
        response = as_user(alice).post(
            URL, {"contact": bobs_contact.pk, "role": "signs"}, format="json"
        )
        assert response.status_code == 400
        assert "contact" in response.json()

    def test_it_removes_a_role(self, as_user, alice, olga):
        role = olga.decision_roles.get()
        assert as_user(alice).delete(f"{URL}{role.pk}/").status_code == 204
        assert not olga.decision_roles.exists()

    def test_it_hides_another_managers_role(self, as_user, alice, bobs_contact):
        role = DecisionRole.objects.create(contact=bobs_contact, role="signs")
        assert as_user(alice).get(f"{URL}{role.pk}/").status_code == 404
        assert as_user(alice).delete(f"{URL}{role.pk}/").status_code == 404
        assert DecisionRole.objects.filter(pk=role.pk).exists()

    def test_it_refuses_a_viewer(self, as_user, viewer, olga):
        role = olga.decision_roles.get()
        assert as_user(viewer).delete(f"{URL}{role.pk}/").status_code == 403
        response = as_user(viewer).post(URL, {"contact": olga.pk, "role": "signs"}, format="json")
        assert response.status_code == 403
        assert olga.decision_roles.count() == 1
