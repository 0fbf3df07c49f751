"""The event edit page in a real browser: deleting asks first."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients import services
from kamrad.clients.models import Organization
from kamrad.users.models import User
from tests.browser.test_walk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_deletes_an_event_only_when_the_user_confirms(
    page: Page, live_server: LiveServer, alice: User, alices_client: Organization
) -> None:
    event = services.event_create(
        user=alice,
        organization=alices_client,
        data={"title": "Переезд", "date": datetime.date(2026, 5, 1)},
    )
    sign_in(page, live_server, "alice")
    questions: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        questions.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.goto(f"{live_server.url}/clients/events/{event.pk}/edit/")
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Переезд")).to_be_visible()
    assert alices_client.events.filter(pk=event.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{live_server.url}/clients/{alices_client.pk}/#events")
    assert not alices_client.events.filter(pk=event.pk).exists()
    assert questions == ["Delete this record for good?"] * 2
