"""One program client: its work marks (its account manager or the head), the head's
assessment of the owner and direct reassignment, and who held it before."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import Reassignment
from kamrad.program.tests.viewhelpers import HTMX, TODAY, client_of, two_clients, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def pair(head, alice, bob, program, alice_member, bob_member):
    return two_clients(head, alice, bob, program)


def test_it_shows_the_client_to_its_manager_with_the_work_form_only(client, alice, program, pair):
    mine, _theirs = pair
    client.force_login(alice)
    page = client.get(url("client", program, mine)).text
    assert "<h1>Alpha Telecom</h1>" in page
    assert "Record the work" in page
    assert "Assess the owner" not in page
    assert "Give it to another member" not in page


def test_the_head_gets_every_form(client, head, program, pair):
    client.force_login(head)
    page = client.get(url("client", program, pair[0])).text
    for text in ("Record the work", "Assess the owner", "Give it to another member"):
        assert text in page


def test_a_viewer_sees_it_read_only(client, viewer, program, pair):
    client.force_login(viewer)
    page = client.get(url("client", program, pair[1])).text
    assert "Beta Steel" in page
    assert "Record the work" not in page
    assert client.post(url("client", program, pair[1]), {"met_on": "2026-02-01"}).status_code == 403


def test_another_managers_client_is_a_404_to_read_and_to_write(client, alice, program, pair):
    theirs = pair[1]
    client.force_login(alice)
    assert client.get(url("client", program, theirs)).status_code == 404
    response = client.post(url("client", program, theirs), {"met_on": "2026-02-01", "version": 1})
    assert response.status_code == 404
    assert client_of(program, theirs).met_on is None


def test_a_client_not_on_the_list_is_a_404(client, head, program, alices_client):
    client.force_login(head)
    assert client.get(url("client", program, alices_client)).status_code == 404


def test_the_manager_records_the_work(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(alice)
    data = {"meeting_planned_on": "2026-02-20", "met_on": "2026-02-25", "version": entry.version}
    response = client.post(url("client", program, mine), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.met_on == datetime.date(2026, 2, 25)
    assert "In progress" in client.get(url("client", program, mine)).text


def test_work_marks_out_of_order_are_field_errors_and_nothing_changes(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(alice)
    response = client.post(
        url("client", program, mine), {"questionnaire_on": "2026-02-01", "version": entry.version}
    )
    assert response.status_code == 400
    assert "A questionnaire comes from a meeting: record it first." in response.text
    future = client.post(
        url("client", program, mine), {"met_on": "2027-01-01", "version": entry.version}
    )
    assert "This is in the future" in future.text
    garbage = client.post(url("client", program, mine), {"met_on": "yesterday", "version": "x"})
    assert garbage.status_code == 400
    assert "Enter a valid date." in garbage.text
    entry.refresh_from_db()
    assert entry.questionnaire_on is None and entry.met_on is None


def test_htmx_gets_the_section_back_with_errors_or_saved(client, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(alice)
    bad = client.post(
        url("client", program, mine),
        {"followups_on": "2026-02-01", "version": entry.version},
        headers=HTMX,
    )
    assert bad.status_code == 200
    assert bad.text.lstrip().startswith('<div id="program-client"')
    assert "Follow-ups come after the questionnaire" in bad.text
    good = client.post(
        url("client", program, mine),
        {"met_on": "2026-02-01", "version": entry.version},
        headers=HTMX,
    )
    assert "Your changes were saved." in good.text
    assert "<html" not in good.text


def test_a_stale_work_mark_is_a_409_keeping_the_other_edit(client, head, alice, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    services.client_record_work(
        user=head,
        client=entry,
        data={"met_on": datetime.date(2026, 2, 2)},
        expected_version=entry.version,
    )
    client.force_login(alice)
    response = client.post(
        url("client", program, mine), {"met_on": "2026-02-09", "version": entry.version}
    )
    assert response.status_code == 409
    assert "Someone else saved this" in response.text
    assert client_of(program, mine).met_on == datetime.date(2026, 2, 2)


def test_the_head_assesses_the_owner(client, head, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(head)
    data = {
        "owner_relation": "poor",
        "owner_guards": "on",
        "assessment_note": "Keeps us out",
        "version": entry.version,
    }
    assert client.post(url("client_assess", program, mine), data).status_code == 302
    entry.refresh_from_db()
    assert (entry.owner_relation, entry.owner_guards, entry.owner_doubted) == ("poor", True, False)
    bad = client.post(
        url("client_assess", program, mine), {"owner_relation": "superb", "version": entry.version}
    )
    assert bad.status_code == 400
    assert "Select a valid choice." in bad.text
    stale = client.post(
        url("client_assess", program, mine), {**data, "owner_relation": "good", "version": 1}
    )
    assert stale.status_code == 409
    entry.refresh_from_db()
    assert entry.owner_relation == "poor"


def test_an_account_manager_cannot_assess_or_reassign(client, alice, program, pair):
    mine = pair[0]
    client.force_login(alice)
    assert (
        client.post(
            url("client_assess", program, mine), {"owner_relation": "excellent"}
        ).status_code
        == 403
    )
    assert client.post(url("client_reassign", program, mine), {"reason": "x"}).status_code == 403


def test_the_head_reassigns_with_a_reason_recorded(client, head, alice, bob, program, pair):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(head)
    data = {"to_user": bob.pk, "reason": "Alice is on leave", "version": entry.version}
    assert client.post(url("client_reassign", program, mine), data).status_code == 302
    assert Organization.objects.get(pk=mine.pk).account_manager == bob
    move = Reassignment.objects.get(organization=mine)
    assert (move.from_user, move.to_user, move.reason, move.by) == (
        alice,
        bob,
        "Alice is on leave",
        head,
    )
    page = client.get(url("client", program, mine)).text
    assert "Alice Adams → Bob Brown" in page
    assert "Alice is on leave" in page


def test_a_reassignment_without_reason_or_to_a_guarding_owner_is_a_field_error(
    client, head, alice, bob, program, pair
):
    mine = pair[0]
    entry = client_of(program, mine)
    client.force_login(head)
    no_reason = client.post(
        url("client_reassign", program, mine),
        {"to_user": bob.pk, "reason": " ", "version": entry.version},
    )
    assert no_reason.status_code == 400
    assert (
        "Say why the client changes hands." in no_reason.text
        or "This field is required." in no_reason.text
    )
    entry = services.client_assess(
        user=head, client=entry, data={"owner_guards": True}, expected_version=entry.version
    )
    entry = services.client_reassign(
        user=head, client=entry, to_user=bob, reason="Rule 3", expected_version=entry.version
    )
    back = {"to_user": alice.pk, "reason": "She asked", "version": entry.version}
    guarded = client.post(url("client_reassign", program, mine), back)
    assert guarded.status_code == 400
    assert "guards this client from colleagues" in guarded.text
    assert Organization.objects.get(pk=mine.pk).account_manager == bob
    overridden = client.post(url("client_reassign", program, mine), {**back, "override": "on"})
    assert overridden.status_code == 302
    assert Organization.objects.get(pk=mine.pk).account_manager == alice


def test_it_shows_the_monopolisation_signal(client, head, alice, program, pair):
    from kamrad.clients import services as client_services
    from kamrad.clients.models import Contact

    mine = pair[0]
    for n in (1, 2):
        contact = Contact.objects.create(organization=mine, full_name=f"Person {n}")
        client_services.relationship_create(
            user=alice, data={"staff": alice, "contact": contact, "warmth": 3}
        )
    client.force_login(head)
    assert "Suspected monopolisation" in client.get(url("client", program, mine)).text
