"""Signing in: lockout after repeated wrong passwords, session rotation, password hashing."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kamrad.users.models import Role, User

ADDRESS_A = "203.0.113.10"
ADDRESS_B = "198.51.100.20"


def sign_in(client: Client, username: str, password: str, address: str) -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def fail_five_times(username: str, address: str) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "not the password", address)


def test_it_locks_a_user_out_from_one_address_after_five_wrong_passwords(
    client: Client, alice: User
) -> None:
    fail_five_times("alice", ADDRESS_A)

    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=ADDRESS_A
    )

    assert response.status_code in {403, 429}
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_four_wrong_passwords_before_the_limit_do_not_lock(client: Client, alice: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", "not the password", ADDRESS_A) == 200

    assert sign_in(client, "alice", PASSWORD, ADDRESS_A) == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_locked_out_user_can_still_sign_in_from_another_address(
    client: Client, alice: User
) -> None:
    fail_five_times("alice", ADDRESS_A)

    assert sign_in(client, "alice", PASSWORD, ADDRESS_B) == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_another_user_at_the_same_address_is_not_locked_out(
    client: Client, alice: User, bob: User
) -> None:
    fail_five_times("alice", ADDRESS_A)

    assert sign_in(client, "bob", PASSWORD, ADDRESS_A) == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_signing_in_gives_a_new_session_id(client: Client, alice: User) -> None:
    # A session that exists before sign-in (as an attacker could plant one) must not survive.
    before = client.session
    before["planted"] = "yes"
    before.save()
    key_before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert sign_in(client, "alice", PASSWORD, ADDRESS_A) == 302

    key_after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key_after != key_before
    assert not SessionStore().exists(key_before)
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_passwords_are_stored_as_argon2_hashes(db: None) -> None:
    user = User(username="newcomer", role=Role.MANAGER)
    user.set_password("a long and fresh passphrase")
    user.save()

    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.check_password("a long and fresh passphrase")


@pytest.mark.parametrize("path", ["/clients/", "/clients/new/"])
def test_a_stranger_is_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"
