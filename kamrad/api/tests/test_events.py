import pytest

from kamrad.clients import services
from kamrad.clients.models import Event

URL = "/api/events/"


@pytest.fixture
def anniversary(alice, alices_client) -> Event:
    return services.event_create(
        user=alice,
        organization=alices_client,
        data={"kind": "anniversary", "title": "20 лет", "date": "2026-06-01"},
    )


@pytest.mark.django_db
class TestEvents:
    def test_it_lists_only_events_at_the_managers_clients(
        self, as_user, alice, bob, head, anniversary, bobs_client
    ):
        services.event_create(
            user=bob, organization=bobs_client, data={"title": "Move", "date": "2025-01-01"}
        )
        assert [row["title"] for row in as_user(alice).get(URL).json()["results"]] == ["20 лет"]
        assert as_user(head).get(URL).json()["count"] == 2

    def test_it_records_a_birthday_of_a_person(self, as_user, alice, alices_client, olga):
        response = as_user(alice).post(
            URL,
            {
                "organization": alices_client.pk,
                "contact": olga.pk,
                "kind": "birthday",
                "title": "Ольга — день рождения",
                "date": "1980-04-12",
                "recurs_yearly": True,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        event = Event.objects.get()
        assert (event.contact, event.recurs_yearly) == (olga, True)

    def test_it_refuses_a_person_of_another_organization(
        self, as_user, head, alices_client, bobs_contact
    ):
        response = as_user(head).post(
            URL,
            {
                "organization": alices_client.pk,
                "contact": bobs_contact.pk,
                "title": "X",
                "date": "2025-01-01",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "contact" in response.json()

    def test_it_answers_bad_input_with_field_errors(self, as_user, alice, bobs_client):
        response = as_user(alice).post(
            URL, {"organization": bobs_client.pk, "kind": "party", "date": "soon"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"organization", "kind", "title", "date"}

    def test_it_updates_on_the_current_version_and_refuses_a_stale_one(
        self, as_user, alice, anniversary
    ):
        url = f"{URL}{anniversary.pk}/"
        ok = as_user(alice).patch(
            url, {"title": "25 лет"}, format="json", headers={"If-Match": '"1"'}
        )
        assert ok.status_code == 200, ok.json()
        assert ok["ETag"] == '"2"'
        stale = as_user(alice).patch(url, {"title": "30 лет", "version": 1}, format="json")
        assert stale.status_code == 409
        anniversary.refresh_from_db()
        assert anniversary.title == "25 лет"

    def test_it_deletes_an_event(self, as_user, alice, anniversary):
        assert as_user(alice).delete(f"{URL}{anniversary.pk}/").status_code == 204
        assert not Event.objects.exists()

    def test_it_hides_another_managers_event(self, as_user, bob, anniversary):
        url = f"{URL}{anniversary.pk}/"
        assert as_user(bob).get(url).status_code == 404
        assert as_user(bob).delete(url).status_code == 404
        assert Event.objects.exists()

    def test_it_refuses_a_viewer(self, as_user, viewer, anniversary):
        url = f"{URL}{anniversary.pk}/"
        assert (
            as_user(viewer).patch(url, {"title": "X", "version": 1}, format="json").status_code
            == 403
        )
        assert as_user(viewer).delete(url).status_code == 403
        assert Event.objects.get().title == "20 лет"
