"""API clients for the personas (`as_user(alice)`), and a person at each manager's client."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from kamrad.clients import services
from kamrad.clients.models import Contact, Organization
from kamrad.users.models import User


@pytest.fixture
def as_user() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def olga(alice: User, alices_client: Organization) -> Contact:
    return services.contact_create(
        user=alice,
        organization=alices_client,
        data={"full_name": "Ольга Петрова", "position": "Director"},
        roles=["decides"],
        phones=["+7 495 123-45-67"],
        emails=["olga@romashka.ru"],
    )


@pytest.fixture
def bobs_contact(bob: User, bobs_client: Organization) -> Contact:
    return services.contact_create(user=bob, organization=bobs_client, data={"full_name": "Jim"})
