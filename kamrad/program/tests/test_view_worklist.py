"""Worklists: what is due per client, in order; a step recorded in place. A manager sees
their own only; the head and management anyone's."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from kamrad.program.models import ProgramClient
from kamrad.program.tests.conftest import make_client
from kamrad.program.tests.viewhelpers import HTMX, TODAY, client_of, on_list, two_clients, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def pair(head, alice, bob, program, alice_member, bob_member):
    return two_clients(head, alice, bob, program)


def test_my_worklist_shows_my_clients_only(client, alice, program, pair):
    client.force_login(alice)
    page = client.get(url("my_worklist")).text
    assert "My worklist" in page
    assert "Alpha Telecom" in page
    assert "Beta Steel" not in page
    assert "Plan a meeting" in page


def test_it_orders_by_what_is_due(client, head, alice, program, alice_member):
    late = make_client(head, "Zeta Planned", owner=alice)
    fresh = make_client(head, "Omega Fresh", owner=alice)
    held = make_client(head, "Alpha Held", owner=alice)
    on_list(head, program, late, fresh, held)
    ProgramClient.objects.filter(program=program).update(assigned_to=alice)
    ProgramClient.objects.filter(organization=late).update(meeting_planned_on="2026-03-05")
    ProgramClient.objects.filter(organization=held).update(met_on="2026-02-05")
    client.force_login(alice)
    page = client.get(url("worklist", program, alice)).text
    assert page.index("Omega Fresh") < page.index("Zeta Planned") < page.index("Alpha Held")
    assert "Questionnaire to enter" in page


def test_the_head_and_a_viewer_see_anyones_worklist(client, head, viewer, bob, program, pair):
    for user in (head, viewer):
        client.force_login(user)
        page = client.get(url("worklist", program, bob)).text
        assert "Worklist of Bob Brown" in page
        assert "Beta Steel" in page


def test_another_managers_worklist_is_a_404(client, alice, bob, program, pair):
    client.force_login(alice)
    assert client.get(url("worklist", program, bob)).status_code == 404


def test_a_non_member_worklist_is_a_404_for_the_head(client, head, viewer, program, pair):
    client.force_login(head)
    assert client.get(url("worklist", program, viewer)).status_code == 404


def test_a_step_is_recorded_in_place(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(alice)
    response = client.post(
        url("client", program, mine),
        {"next": "worklist", "meeting_planned_on": "2026-03-09", "version": entry.version},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="work-{mine.pk}"')
    assert "Meeting planned" in response.text
    assert 'name="met_on"' in response.text  # the next step's date
    entry.refresh_from_db()
    assert entry.meeting_planned_on == datetime.date(2026, 3, 9)


def test_a_bad_step_answers_the_row_with_its_error(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(alice)
    response = client.post(
        url("client", program, mine),
        {"next": "worklist", "met_on": "2027-01-01", "version": entry.version},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "This is in the future" in response.text
    assert client_of(program, mine).met_on is None


def test_a_plain_step_post_goes_back_to_the_worklist(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(alice)
    response = client.post(
        url("client", program, mine),
        {"next": "worklist", "met_on": "2026-02-27", "version": entry.version},
    )
    assert response.status_code == 302
    assert response["Location"] == url("worklist", program, alice)


def test_a_stale_step_is_a_409(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    ProgramClient.objects.filter(pk=entry.pk).update(version=entry.version + 1)
    client.force_login(alice)
    response = client.post(
        url("client", program, mine),
        {"next": "worklist", "met_on": "2026-02-27", "version": entry.version},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "Someone else saved this" in response.text
    assert client_of(program, mine).met_on is None


def test_a_viewer_gets_no_forms(client, viewer, bob, program, pair):
    client.force_login(viewer)
    assert 'class="step-form"' not in client.get(url("worklist", program, bob)).text


def test_the_worklist_costs_the_same_queries_for_one_client_or_thirty(
    client, head, alice, program, alice_member, django_assert_max_num_queries
):
    client.force_login(alice)

    def add(n: int) -> None:
        orgs = [
            make_client(head, f"W {ProgramClient.objects.count()}-{i}", owner=alice)
            for i in range(n)
        ]
        on_list(head, program, *orgs)
        ProgramClient.objects.filter(program=program).update(assigned_to=alice)

    add(1)
    with django_assert_max_num_queries(12) as few:
        client.get(url("my_worklist"))
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("my_worklist")).text
    assert "31 clients" in page
