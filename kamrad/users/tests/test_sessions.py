"""The session and the signed-in user, each read with one plain statement a request."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from kamrad.users.models import Role, User
from kamrad.users.services import user_create
from kamrad.users.sessions import SessionStore, UserBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice() -> User:
    return user_create(username="alice", role=Role.MANAGER, password="pw-alice-123", validate=False)


def test_a_saved_session_reads_back_what_was_stored():
    store = SessionStore()
    store["answer"] = {"value": 42, "word": "ответ"}
    store.save()
    again = SessionStore(store.session_key)
    assert again["answer"] == {"value": 42, "word": "ответ"}
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_reads_empty_and_forgets_its_key():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None
    assert SessionStore(None).load() == {}


def test_the_session_runs_one_statement(django_assert_num_queries):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key)["answer"] == 42


def test_the_backend_finds_an_active_user_and_nobody_else(alice):
    backend = UserBackend()
    assert backend.get_user(alice.pk) == alice
    assert backend.get_user(str(alice.pk)).username == "alice"
    assert backend.get_user(alice.pk + 1000) is None
    assert backend.get_user("not a number") is None
    alice.is_active = False
    alice.save()
    assert backend.get_user(alice.pk) is None


def sign_in(client) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 302


def test_signing_in_names_this_backend_and_the_next_page_knows_the_user(client, alice):
    sign_in(client)
    session = client.session
    assert session[BACKEND_SESSION_KEY] == "kamrad.users.sessions.UserBackend"
    assert session[SESSION_KEY] == str(alice.pk)
    response = client.get(reverse("clients:list"))
    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def test_signing_out_ends_the_session_for_good(client, alice):
    sign_in(client)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_changed_password_ends_other_sessions(client, alice):
    sign_in(client)
    alice.set_password("a-new-password-456")
    alice.save()
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302
