"""Personas, built once per test: a program head, two account managers, a viewer, an admin.

alice and bob are account managers; each has one client of their own.
"""

import functools

import pytest
from django.contrib.auth.hashers import make_password

from kamrad.clients import services
from kamrad.clients.models import Organization
from kamrad.users.models import Role, User

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@functools.cache
def _password_hash() -> str:
    # Argon2 is slow by design; hash the personas' shared password once per test run.
    return make_password(PASSWORD)


def make_user(username: str, role: str, **extra: str) -> User:
    user = User(username=username, role=role, is_staff=role == Role.ADMIN, **extra)
    user.password = _password_hash()
    user.save()
    return user


@pytest.fixture
def head(db) -> User:
    return make_user("helen", Role.HEAD, first_name="Helen", last_name="Head")


@pytest.fixture
def alice(db) -> User:
    return make_user("alice", Role.MANAGER, first_name="Alice", last_name="Adams")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob", Role.MANAGER, first_name="Bob", last_name="Brown")


@pytest.fixture
def viewer(db) -> User:
    return make_user("victor", Role.VIEWER, first_name="Victor", last_name="Viewer")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("ada", Role.ADMIN, first_name="Ada", last_name="Admin")


@pytest.fixture
def alices_client(alice: User) -> Organization:
    return services.organization_create(
        user=alice, data={"name": "ООО Ромашка", "tax_number": "7701000001"}
    )


@pytest.fixture
def bobs_client(bob: User) -> Organization:
    return services.organization_create(
        user=bob, data={"name": "Acme Widgets Ltd", "tax_number": "7702000002"}
    )
