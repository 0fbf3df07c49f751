"""The program's client list: scoped, filtered, paged; the head adds clients to it."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings

from kamrad.clients import services as client_services
from kamrad.clients.models import Contact, Organization
from kamrad.program.models import ProgramClient
from kamrad.program.tests.conftest import make_client
from kamrad.program.tests.viewhelpers import HTMX, TODAY, on_list, two_clients, url
from kamrad.qualification.models import CandidateDecision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


def test_the_head_sees_every_client_with_its_columns(client, head, alice, bob, program):
    two_clients(head, alice, bob, program)
    client.force_login(head)
    page = client.get(url("clients", program)).text
    assert "2 clients" in page
    assert "Alpha Telecom" in page and "Beta Steel" in page
    assert "Added by the head" in page
    assert "Not started" in page


def test_an_account_manager_sees_only_their_clients(client, head, alice, bob, program):
    two_clients(head, alice, bob, program)
    client.force_login(alice)
    page = client.get(url("clients", program)).text
    assert "Alpha Telecom" in page
    assert "Beta Steel" not in page
    assert "1 client" in page
    assert "Add all corporate clients" not in page


def test_it_filters_by_state_member_source_and_name(
    client, head, alice, bob, program, alice_member, bob_member
):
    mine, theirs = two_clients(head, alice, bob, program)
    ProgramClient.objects.filter(organization=mine).update(meeting_planned_on="2026-03-10")
    client.force_login(head)
    get = lambda **q: client.get(url("clients", program), q).text  # noqa: E731
    assert "Beta Steel" not in get(state="in_progress")
    assert "Alpha Telecom" not in get(state="not_started")
    assert "Alpha Telecom" not in get(member=bob.pk)
    assert "No client matches." in get(member=0)
    assert "No client matches." in get(source="corporate")
    found = get(q="beta")
    assert "Beta Steel" in found and "Alpha Telecom" not in found


def test_a_bad_filter_shows_everything_with_its_error(client, head, alice, bob, program):
    two_clients(head, alice, bob, program)
    client.force_login(head)
    page = client.get(url("clients", program), {"state": "bogus", "member": "x"}).text
    assert "Select a valid choice." in page
    assert "Beta Steel" in page


def test_htmx_gets_the_results_alone(client, head, alice, bob, program):
    two_clients(head, alice, bob, program)
    client.force_login(head)
    response = client.get(url("clients", program), {"q": "alpha"}, headers=HTMX)
    assert response.text.lstrip().startswith('<section id="results"')
    assert "Alpha Telecom" in response.text


@override_settings(KAMRAD_PAGE_SIZE=2)
def test_it_pages(client, head, alice, program):
    for name in ("Anna", "Boris", "Clara"):
        on_list(head, program, make_client(head, name, owner=alice))
    client.force_login(head)
    first = client.get(url("clients", program)).text
    assert "Anna" in first and "Clara" not in first
    second = client.get(url("clients", program), {"page": 2}).text
    assert "Clara" in second and "Anna" not in second


def test_it_marks_suspected_monopolisation(client, head, alice, program):
    org = make_client(head, "Guarded Ltd", owner=alice)
    contact = client_services.contact_create(
        user=alice, organization=org, data={"full_name": "Ivan Petrov"}
    )
    for warmth in (3, 4):
        other = Contact.objects.create(organization=org, full_name=f"Person {warmth}")
        client_services.relationship_create(
            user=alice, data={"staff": alice, "contact": other, "warmth": warmth}
        )
    assert contact
    on_list(head, program, org)
    client.force_login(head)
    assert "suspected monopolisation" in client.get(url("clients", program)).text


def test_the_head_adds_every_corporate_client(client, head, alice, program):
    make_client(head, "Corp One", owner=alice)
    make_client(head, "Corp Two", owner=alice)
    make_client(head, "Private Person", owner=alice, private=True)
    client.force_login(head)
    response = client.post(url("clients_add", program), {"action": "corporate"}, follow=True)
    assert "2 clients were added to the list." in response.text
    assert ProgramClient.objects.filter(program=program, source="corporate").count() == 2
    again = client.post(url("clients_add", program), {"action": "corporate"}, follow=True)
    assert "No client was added" in again.text


def test_the_head_adds_the_admitted_vip_candidates(client, head, alice, program):
    org = make_client(head, "Candidate Co", owner=alice)
    CandidateDecision.objects.create(organization=org, outcome=CandidateDecision.Outcome.ADMITTED)
    client.force_login(head)
    response = client.post(url("clients_add", program), {"action": "candidates"}, follow=True)
    assert "1 client was added to the list." in response.text
    assert ProgramClient.objects.get(program=program).source == "candidate"


def test_the_head_finds_and_adds_clients_by_hand_private_persons_included(
    client, head, alice, program
):
    person = make_client(head, "Ivanov Ivan", owner=alice, private=True)
    make_client(head, "Ivanovo Mills", owner=alice)
    make_client(head, "Rival Ltd", owner=alice, kind=Organization.Kind.COMPETITOR)
    client.force_login(head)
    found = client.get(url("clients_add", program), {"q": "ivanov"}).text
    assert "Ivanov Ivan" in found and "Ivanovo Mills" in found
    assert "private person" in found
    response = client.post(
        url("clients_add", program), {"action": "pick", "organizations": [person.pk]}, follow=True
    )
    assert "1 client was added to the list." in response.text
    assert ProgramClient.objects.get(program=program).source == "private"
    assert "Ivanov Ivan" not in client.get(url("clients_add", program), {"q": "ivanov"}).text
    assert "Rival Ltd" not in client.get(url("clients_add", program), {"q": "rival"}).text


def test_adding_nothing_or_a_competitor_is_an_error_and_adds_nothing(client, head, alice, program):
    rival = make_client(head, "Rival Ltd", owner=alice, kind=Organization.Kind.COMPETITOR)
    client.force_login(head)
    empty = client.post(url("clients_add", program), {"action": "pick"})
    assert empty.status_code == 400
    assert "Tick a client." in empty.text
    bad = client.post(url("clients_add", program), {"action": "pick", "organizations": [rival.pk]})
    assert bad.status_code == 400
    assert "Rival Ltd is not a client or a prospect." in bad.text
    garbage = client.post(url("clients_add", program), {"action": "pick", "organizations": ["x"]})
    assert garbage.status_code == 400
    assert not ProgramClient.objects.exists()


def test_only_the_head_adds(client, alice, viewer, program):
    for user in (alice, viewer):
        client.force_login(user)
        assert client.post(url("clients_add", program), {"action": "corporate"}).status_code == 403
        assert client.get(url("clients_add", program)).status_code == 403


def _many(head, alice, bob, program, n):
    orgs = [make_client(head, f"Client {i:02}", owner=alice if i % 2 else bob) for i in range(n)]
    on_list(head, program, *orgs)


def test_the_list_costs_the_same_queries_for_one_client_or_thirty(
    client, head, alice, bob, program, django_assert_max_num_queries
):
    client.force_login(head)
    _many(head, alice, bob, program, 1)
    with django_assert_max_num_queries(14) as few:
        client.get(url("clients", program))
    _many(head, alice, bob, program, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("clients", program)).text
    assert "31 clients" in page


def test_it_says_so_when_clients_are_added_to_a_closed_program(client, head, program):
    from kamrad.program import services as program_services
    from kamrad.program.tests.conftest import make_client

    program_services.program_update(
        user=head, program=program, data={"status": "closed"}, expected_version=program.version
    )
    make_client(head, "Late Ltd")
    client.force_login(head)
    response = client.post(
        f"/program/{program.pk}/clients/add/", {"action": "corporate"}, follow=True
    )
    assert response.status_code == 200
    assert "The program is closed" in response.text
    assert program.clients.count() == 0
