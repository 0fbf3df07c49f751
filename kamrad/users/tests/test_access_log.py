"""Refused access leaves a trace on the `kamrad.access` logger, for pages and the API alike."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from kamrad.clients.models import Organization
from kamrad.users.models import User


@pytest.fixture
def caplog_access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="kamrad.access")
    return caplog


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kamrad.access"]


def test_it_logs_a_manager_asking_for_another_managers_client(
    client: Client, alice: User, bobs_client: Organization, caplog_access: pytest.LogCaptureFixture
) -> None:
    client.force_login(alice)

    response = client.get(reverse("clients:card", args=[bobs_client.pk]))

    assert response.status_code == 404
    [record] = access_records(caplog_access)
    assert record.levelno == logging.WARNING
    assert f"user={alice.pk}" in record.getMessage()
    assert "Organization" in record.getMessage()


def test_it_logs_a_viewer_posting_a_page(
    client: Client, viewer: User, caplog_access: pytest.LogCaptureFixture
) -> None:
    client.force_login(viewer)

    response = client.post(reverse("clients:create"), {"name": "Viewer's Own Ltd"})

    assert response.status_code == 403
    assert not Organization.objects.filter(name="Viewer's Own Ltd").exists()
    [record] = access_records(caplog_access)
    assert f"user={viewer.pk}" in record.getMessage()
    assert "POST" in record.getMessage()


def test_it_logs_a_viewer_posting_to_the_api(
    client: Client, viewer: User, caplog_access: pytest.LogCaptureFixture
) -> None:
    client.force_login(viewer)

    response = client.post(
        "/api/organizations/", {"name": "Viewer's Own Ltd"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not Organization.objects.filter(name="Viewer's Own Ltd").exists()
    [record] = access_records(caplog_access)
    assert f"user={viewer.pk}" in record.getMessage()
    assert "POST /api/organizations/" in record.getMessage()


def test_it_does_not_log_what_the_user_may_do(
    client: Client, bob: User, bobs_client: Organization, caplog_access: pytest.LogCaptureFixture
) -> None:
    client.force_login(bob)

    response = client.get(reverse("clients:card", args=[bobs_client.pk]))

    assert response.status_code == 200
    assert access_records(caplog_access) == []
