"""The reassignment log: when, client, from, to, rule, reason, by; overseers only, paged."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings

from kamrad.program import services
from kamrad.program.tests.viewhelpers import TODAY, client_of, two_clients, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def moved(head, alice, bob, program, alice_member, bob_member):
    mine, theirs = two_clients(head, alice, bob, program)
    for org, to in ((mine, bob), (theirs, alice)):
        entry = client_of(program, org)
        services.client_reassign(
            user=head,
            client=entry,
            to_user=to,
            reason=f"=HYPERLINK({org.pk})",
            expected_version=entry.version,
        )
    return mine, theirs


@pytest.mark.parametrize("who", ["head", "viewer"])
def test_it_lists_every_change_of_hands(request, client, program, moved, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url("reassignments", program)).text
    assert "2 reassignments" in page
    assert "Alpha Telecom" in page and "Beta Steel" in page
    assert "Moved by the head" in page
    assert "Helen Head" in page


def test_account_managers_may_not_read_it(client, alice, program, moved):
    client.force_login(alice)
    assert client.get(url("reassignments", program)).status_code == 403


@override_settings(KAMRAD_PAGE_SIZE=1)
def test_it_pages_newest_first(client, head, program, moved):
    client.force_login(head)
    first = client.get(url("reassignments", program)).text
    assert "Beta Steel" in first and "Alpha Telecom" not in first
    assert "Alpha Telecom" in client.get(url("reassignments", program), {"page": 2}).text


def test_it_is_empty_before_anything_moved(client, head, program):
    client.force_login(head)
    assert "No client has changed hands yet." in client.get(url("reassignments", program)).text
