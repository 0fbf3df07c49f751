import pytest

from kamrad.clients.models import Contact

URL = "/api/contacts/"


def detail(contact: Contact) -> str:
    return f"{URL}{contact.pk}/"


@pytest.mark.django_db
class TestReading:
    def test_it_lists_only_the_people_of_the_managers_clients(
        self, as_user, alice, olga, bobs_contact
    ):
        rows = as_user(alice).get(URL).json()["results"]
        assert [row["full_name"] for row in rows] == ["Ольга Петрова"]
        assert rows[0]["roles"] == ["decides"]
        assert rows[0]["phones"] == ["+7 495 123-45-67"]
        assert rows[0]["emails"] == ["olga@romashka.ru"]

    def test_it_shows_the_head_everyone(self, as_user, head, olga, bobs_contact):
        assert as_user(head).get(URL).json()["count"] == 2

    def test_it_filters_by_organization(self, as_user, head, olga, bobs_contact, bobs_client):
        rows = as_user(head).get(URL, {"organization": bobs_client.pk}).json()["results"]
        assert [row["full_name"] for row in rows] == ["Jim"]
        assert as_user(head).get(URL, {"organization": "x"}).status_code == 400

    def test_it_hides_another_managers_contact(self, as_user, alice, bobs_contact):
        assert as_user(alice).get(detail(bobs_contact)).status_code == 404


@pytest.mark.django_db
class TestCreating:
    def test_it_creates_a_contact_with_roles_phones_and_emails(self, as_user, alice, alices_client):
        response = as_user(alice).post(
            URL,
            {
                "organization": alices_client.pk,
                "full_name": "Пётр Сидоров",
                "roles": ["approves_budget", "signs"],
                "phones": ["8 (812) 555-00-11"],
                "emails": ["petr@romashka.ru"],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        contact = Contact.objects.get(pk=response.json()["id"])
        assert sorted(contact.decision_roles.values_list("role", flat=True)) == [
            "approves_budget",
            "signs",
        ]
        assert response.json()["phones"] == ["8 (812) 555-00-11"]
        # The new person is searchable at once, by name and by phone digits.
        api = as_user(alice)
        assert api.get("/api/organizations/", {"q": "петр"}).json()["count"] == 1
        assert api.get("/api/organizations/", {"q": "88125550011"}).json()["count"] == 1

    def test_it_refuses_a_contact_on_another_managers_client_as_unknown(
        self, as_user, alice, bobs_client
    ):
        response = as_user(alice).post(
            URL, {"organization": bobs_client.pk, "full_name": "Spy"}, format="json"
        )
        assert response.status_code == 400
        assert "does not exist" in response.json()["organization"][0]
        assert not Contact.objects.exists()

    def test_it_answers_bad_input_with_field_errors(self, as_user, alice, alices_client):
        response = as_user(alice).post(
            URL,
            {
                "organization": alices_client.pk,
                "full_name": "X",
                "status": "retired",
                "roles": ["boss"],
                "emails": ["not-an-email"],
                "phones": ["call me"],
                "birthday": "31.02.1980",
            },
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()) == {"status", "roles", "emails", "phones", "birthday"}

    def test_it_requires_the_leaving_date_of_a_person_who_left(self, as_user, alice, alices_client):
        response = as_user(alice).post(
            URL,
            {"organization": alices_client.pk, "full_name": "X", "status": "left"},
            format="json",
        )
        assert response.status_code == 400
        assert "left_on" in response.json()

    def test_it_refuses_a_leaving_date_for_an_active_person(self, as_user, alice, alices_client):
        response = as_user(alice).post(
            URL,
            {"organization": alices_client.pk, "full_name": "X", "left_on": "2024-01-01"},
            format="json",
        )
        assert response.status_code == 400
        assert "left_on" in response.json()

    def test_it_refuses_a_viewer(self, as_user, viewer, alices_client):
        response = as_user(viewer).post(
            URL, {"organization": alices_client.pk, "full_name": "X"}, format="json"
        )
        assert response.status_code == 403


@pytest.mark.django_db
class TestUpdating:
    def test_it_marks_a_person_who_left_and_keeps_them(self, as_user, alice, olga):
        response = as_user(alice).patch(
            detail(olga), {"status": "left", "left_on": "2025-03-01", "version": 1}, format="json"
        )
        assert response.status_code == 200, response.json()
        olga.refresh_from_db()
        assert (olga.status, str(olga.left_on), olga.version) == ("left", "2025-03-01", 2)

    def test_it_replaces_roles_and_phones_only_when_sent(self, as_user, alice, olga):
        response = as_user(alice).patch(
            detail(olga), {"roles": ["influences"], "version": 1}, format="json"
        )
        assert response.json()["roles"] == ["influences"]
        assert response.json()["phones"] == ["+7 495 123-45-67"]

    def test_it_keeps_the_organization_of_a_contact(self, as_user, head, olga, bobs_client):
        response = as_user(head).patch(
            detail(olga), {"organization": bobs_client.pk, "version": 1}, format="json"
        )
        assert response.status_code == 200
        olga.refresh_from_db()
        assert olga.organization.name == "ООО Ромашка"

    def test_it_refuses_a_stale_edit(self, as_user, alice, olga):
        as_user(alice).patch(detail(olga), {"position": "CEO", "version": 1}, format="json")
        response = as_user(alice).patch(
            detail(olga), {"position": "CFO"}, format="json", headers={"If-Match": '"1"'}
        )
        assert response.status_code == 409
        assert response.json()["current_version"] == 2
        olga.refresh_from_db()
        assert olga.position == "CEO"

    def test_it_requires_the_version(self, as_user, alice, olga):
        response = as_user(alice).patch(detail(olga), {"position": "CEO"}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()

    def test_it_hides_another_managers_contact(self, as_user, alice, bobs_contact):
        response = as_user(alice).patch(
            detail(bobs_contact), {"position": "CEO", "version": 1}, format="json"
        )
        assert response.status_code == 404

    def test_it_refuses_a_viewer(self, as_user, viewer, olga):
        response = as_user(viewer).patch(
            detail(olga), {"position": "CEO", "version": 1}, format="json"
        )
        assert response.status_code == 403

    def test_it_refuses_to_delete_a_contact(self, as_user, head, olga):
        assert as_user(head).delete(detail(olga)).status_code == 405


@pytest.mark.django_db
def test_it_explains_errors_in_russian_when_asked(as_user, alice, alices_client):
    response = as_user(alice).post(
        URL,
        {"organization": alices_client.pk, "full_name": "Ольга", "status": "left"},
        format="json",
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 400
    assert response.json()["left_on"] == ["Укажите, когда человек ушёл из компании."]
    missing = as_user(alice).post(URL, {}, format="json", headers={"Accept-Language": "ru"})
    assert missing.json()["full_name"] == ["Обязательное поле."]
