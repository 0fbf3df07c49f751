import pytest

from kamrad.clients import services
from kamrad.clients.models import Organization

URL = "/api/organizations/"


def detail(org: Organization) -> str:
    return f"{URL}{org.pk}/"


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.django_db
class TestReading:
    def test_it_lists_only_the_managers_own_clients(
        self, as_user, alice, alices_client, bobs_client
    ):
        response = as_user(alice).get(URL)
        assert response.status_code == 200
        assert names(response) == ["ООО Ромашка"]
        assert response.json()["count"] == 1

    def test_it_lists_every_client_to_the_head_and_the_viewer(
        self, as_user, head, viewer, alices_client, bobs_client
    ):
        for user in (head, viewer):
            assert names(as_user(user).get(URL)) == ["Acme Widgets Ltd", "ООО Ромашка"]

    def test_it_hides_another_managers_client_as_not_found(self, as_user, alice, bobs_client):
        response = as_user(alice).get(detail(bobs_client))
        assert response.status_code == 404
        assert "Acme" not in response.content.decode()

    def test_it_returns_the_version_as_etag(self, as_user, alice, alices_client):
        response = as_user(alice).get(detail(alices_client))
        assert response.status_code == 200
        assert response.json()["version"] == 1
        assert response["ETag"] == '"1"'

    def test_it_answers_401_without_credentials(self, client, alices_client):
        response = client.get(URL)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")

    def test_it_answers_404_for_an_id_that_is_not_a_number(self, as_user, head):
        assert as_user(head).get(f"{URL}abc/").status_code == 404
        assert as_user(head).get(f"{URL}99999999999999999999999/").status_code == 404

    def test_it_reads_a_list_in_a_fixed_number_of_queries(
        self, as_user, head, django_assert_max_num_queries
    ):
        for n in range(30):
            services.organization_create(user=head, data={"name": f"Client {n}"})
        with django_assert_max_num_queries(4):
            assert len(as_user(head).get(URL).json()["results"]) == 30


@pytest.mark.django_db
class TestFilters:
    def test_it_finds_a_client_by_a_cyrillic_word_in_any_case(self, as_user, alice, alices_client):
        for query in ("ромашка", "РОМАШКА", "ооо ромаш"):
            response = as_user(alice).get(URL, {"q": query})
            assert names(response) == ["ООО Ромашка"], query

    def test_it_does_not_find_another_managers_client_by_search(self, as_user, alice, bobs_client):
        assert names(as_user(alice).get(URL, {"q": "acme"})) == []

    def test_it_finds_a_client_by_a_tax_number_fragment(
        self, as_user, head, alices_client, bobs_client
    ):
        assert names(as_user(head).get(URL, {"q": "7702000"})) == ["Acme Widgets Ltd"]

    def test_it_filters_by_kind_manager_and_private_person(
        self, as_user, head, alice, alices_client, bobs_client
    ):
        services.organization_create(
            user=head, data={"name": "Ivanov", "kind": "prospect", "is_private": True}
        )
        api = as_user(head)
        assert names(api.get(URL, {"kind": "prospect"})) == ["Ivanov"]
        assert names(api.get(URL, {"account_manager": alice.pk})) == ["ООО Ромашка"]
        assert names(api.get(URL, {"is_private": "true"})) == ["Ivanov"]
        assert names(api.get(URL, {"is_private": "false"})) == ["Acme Widgets Ltd", "ООО Ромашка"]

    def test_it_orders_by_name_descending(self, as_user, head, alices_client, bobs_client):
        assert names(as_user(head).get(URL, {"ordering": "-name"})) == [
            "ООО Ромашка",
            "Acme Widgets Ltd",
        ]

    def test_it_refuses_unknown_filter_values_with_field_errors(self, as_user, head):
        response = as_user(head).get(
            URL, {"kind": "friend", "account_manager": "alice", "ordering": "secret"}
        )
        assert response.status_code == 400
        assert set(response.json()) == {"kind", "account_manager", "ordering"}

    def test_it_pages_with_limit_and_offset(self, as_user, head, alices_client, bobs_client):
        response = as_user(head).get(URL, {"limit": 1, "offset": 1})
        assert response.json()["count"] == 2
        assert names(response) == ["ООО Ромашка"]
        assert names(as_user(head).get(URL, {"offset": 10**30})) == []


@pytest.mark.django_db
class TestCreating:
    def test_it_makes_a_managers_new_client_their_own(self, as_user, alice, bob):
        response = as_user(alice).post(
            URL, {"name": "ЗАО Василёк", "account_manager": bob.pk, "owner": bob.pk}, format="json"
        )
        assert response.status_code == 201, response.json()
        org = Organization.objects.get(pk=response.json()["id"])
        assert org.account_manager == alice
        assert response.json()["account_manager"] == alice.pk
        assert response["ETag"] == '"1"'

    def test_it_lets_the_head_assign_a_manager(self, as_user, head, alice):
        response = as_user(head).post(
            URL, {"name": "Beta", "account_manager": alice.pk}, format="json"
        )
        assert response.status_code == 201
        assert Organization.objects.get(name="Beta").account_manager == alice

    def test_it_refuses_a_viewer(self, as_user, viewer):
        response = as_user(viewer).post(URL, {"name": "Gamma"}, format="json")
        assert response.status_code == 403
        assert not Organization.objects.exists()

    def test_it_answers_bad_input_with_field_errors(self, as_user, alice):
        response = as_user(alice).post(
            URL,
            {"kind": "friend", "website": "not a url", "is_private": "maybe", "industry": "x"},
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()) == {"name", "kind", "website", "is_private", "industry"}

    def test_it_answers_a_body_that_is_not_an_object_with_400(self, as_user, alice):
        assert as_user(alice).post(URL, [1, 2], format="json").status_code == 400
        response = as_user(alice).post(URL, "{not json", content_type="application/json")
        assert response.status_code == 400

    def test_it_refuses_to_delete_an_organization(self, as_user, head, alices_client):
        assert as_user(head).delete(detail(alices_client)).status_code == 405
        assert Organization.objects.filter(pk=alices_client.pk).exists()


@pytest.mark.django_db
class TestUpdating:
    def test_it_saves_a_change_made_on_the_current_version(self, as_user, alice, alices_client):
        response = as_user(alice).patch(
            detail(alices_client), {"legal_name": "ООО «Ромашка»", "version": 1}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == 2
        assert response["ETag"] == '"2"'
        alices_client.refresh_from_db()
        assert alices_client.legal_name == "ООО «Ромашка»"

    def test_it_takes_the_version_from_if_match(self, as_user, alice, alices_client):
        response = as_user(alice).put(
            detail(alices_client),
            {"name": "Ромашка", "kind": "partner"},
            format="json",
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 200, response.json()
        alices_client.refresh_from_db()
        assert (alices_client.name, alices_client.kind, alices_client.version) == (
            "Ромашка",
            "partner",
            2,
        )

    def test_it_refuses_a_stale_edit_with_409_and_the_current_version(
        self, as_user, alice, head, alices_client
    ):
        services.organization_update(
            user=head, organization=alices_client, data={"notes": "x"}, expected_version=1
        )
        response = as_user(alice).patch(
            detail(alices_client), {"name": "Overwritten", "version": 1}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["current_version"] == 2
        assert "Someone else saved" in response.json()["detail"]
        assert response["ETag"] == '"2"'
        alices_client.refresh_from_db()
        assert alices_client.name == "ООО Ромашка"

    def test_it_requires_the_version(self, as_user, alice, alices_client):
        response = as_user(alice).patch(detail(alices_client), {"name": "X"}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()

    def test_it_refuses_a_garbled_if_match_header(self, as_user, alice, alices_client):
        response = as_user(alice).patch(
            detail(alices_client), {"name": "X"}, format="json", headers={"If-Match": "*"}
        )
        assert response.status_code == 400
        assert "version" in response.json()

    def test_it_refuses_a_version_and_if_match_that_disagree(self, as_user, alice, alices_client):
        response = as_user(alice).patch(
            detail(alices_client),
            {"name": "X", "version": 1},
            format="json",
            headers={"If-Match": '"2"'},
        )
        assert response.status_code == 400

    def test_it_ignores_a_managers_attempt_to_reassign_their_client(
        self, as_user, alice, bob, alices_client
    ):
        response = as_user(alice).patch(
            detail(alices_client), {"account_manager": bob.pk, "version": 1}, format="json"
        )
        assert response.status_code == 200
        alices_client.refresh_from_db()
        assert alices_client.account_manager == alice

    def test_it_lets_the_head_reassign_a_client(self, as_user, head, bob, alices_client):
        response = as_user(head).patch(
            detail(alices_client), {"account_manager": bob.pk, "version": 1}, format="json"
        )
        assert response.status_code == 200
        alices_client.refresh_from_db()
        assert alices_client.account_manager == bob

    def test_it_hides_another_managers_client_from_an_update(self, as_user, alice, bobs_client):
        response = as_user(alice).patch(
            detail(bobs_client), {"name": "Mine now", "version": 1}, format="json"
        )
        assert response.status_code == 404
        bobs_client.refresh_from_db()
        assert bobs_client.name == "Acme Widgets Ltd"

    def test_it_refuses_a_viewer(self, as_user, viewer, alices_client):
        response = as_user(viewer).patch(
            detail(alices_client), {"name": "X", "version": 1}, format="json"
        )
        assert response.status_code == 403
