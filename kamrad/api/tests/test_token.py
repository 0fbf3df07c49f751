import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import PASSWORD

URL = "/api/token/"


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.mark.django_db
class TestToken:
    def test_it_gives_a_token_for_the_right_password_and_it_works(
        self, anonymous, alice, alices_client
    ):
        response = anonymous.post(URL, {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        token = response.json()["token"]
        assert Token.objects.get(user=alice).key == token
        api = APIClient(headers={"Authorization": f"Token {token}"})
        listing = api.get("/api/organizations/")
        assert listing.status_code == 200
        assert [row["name"] for row in listing.json()["results"]] == ["ООО Ромашка"]

    def test_it_gives_the_same_token_twice(self, anonymous, alice):
        body = {"username": "alice", "password": PASSWORD}
        first = anonymous.post(URL, body, format="json").json()["token"]
        assert anonymous.post(URL, body, format="json").json()["token"] == first

    def test_it_refuses_a_wrong_password(self, anonymous, alice):
        response = anonymous.post(URL, {"username": "alice", "password": "guess"}, format="json")
        assert response.status_code == 400
        assert "non_field_errors" in response.json()
        assert not Token.objects.exists()

    def test_it_answers_missing_fields_with_field_errors(self, anonymous):
        response = anonymous.post(URL, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"username", "password"}

    def test_it_locks_out_after_repeated_failures(self, anonymous, alice, settings):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            anonymous.post(URL, {"username": "alice", "password": "guess"}, format="json")
        response = anonymous.post(URL, {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert not Token.objects.exists()

    def test_it_refuses_a_deactivated_user(self, anonymous, alice):
        alice.is_active = False
        alice.save(update_fields=["is_active"])
        response = anonymous.post(URL, {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 400

    def test_a_wrong_token_is_401(self, alices_client):
        api = APIClient(headers={"Authorization": "Token not-a-real-token"})
        response = api.get("/api/organizations/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    def test_a_viewers_token_reads_but_does_not_write(self, viewer, alices_client):
        token = Token.objects.create(user=viewer)
        api = APIClient(headers={"Authorization": f"Token {token.key}"})
        assert api.get("/api/organizations/").json()["count"] == 1
        assert api.post("/api/organizations/", {"name": "X"}, format="json").status_code == 403

    def test_a_session_works_too(self, client, alice, alices_client):
        client.force_login(alice)
        assert client.get("/api/organizations/").json()["count"] == 1
