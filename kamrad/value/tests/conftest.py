"""Work-history fixtures: a dollar rate, API clients for the personas."""

import datetime
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from kamrad.users.models import User
from kamrad.value import services
from kamrad.value.models import ExchangeRate


@pytest.fixture
def usd(db) -> ExchangeRate:
    """90.5 RUB for a dollar from 1 January 2024 on."""
    rate, _changed = services.rate_set(
        user=None, currency="USD", date=datetime.date(2024, 1, 1), rate="90.5"
    )
    return rate


@pytest.fixture
def as_user() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
