"""The program's overview: its facts, goal figures (the head edits them in place), staff and
coverage summaries, links to every page; in Russian too."""

from __future__ import annotations

import pytest
import time_machine

from kamrad.program.models import Goal, ProgramClient
from kamrad.program.tests.viewhelpers import HTMX, TODAY, two_clients, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.mark.parametrize("who", ["head", "alice", "viewer", "admin_user"])
def test_it_renders_for_every_role(request, client, program, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url("overview", program)).text
    assert "<h1>VIP 2026</h1>" in page
    assert "Referrals gained" in page
    assert url("coverage", program) in page
    assert url("clients", program) in page


def test_it_links_the_split_only_for_those_who_oversee_it(client, head, alice, viewer, program):
    for user, sees in ((head, True), (viewer, True), (alice, False)):
        client.force_login(user)
        assert (url("proposal", program) in client.get(url("overview", program)).text) is sees


def test_it_shows_the_staffs_workload_and_the_coverage(
    client, head, alice, bob, program, alice_member, bob_member
):
    two_clients(head, alice, bob, program)
    ProgramClient.objects.filter(organization__name="Alpha Telecom").update(
        met_on="2026-02-02", questionnaire_on="2026-02-03", followups_on="2026-02-04"
    )
    client.force_login(head)
    page = client.get(url("overview", program)).text
    assert "Alice Adams" in page and "Bob Brown" in page
    assert "1 of 2 clients worked through" in page
    assert "50 %" in page


def test_the_head_sets_a_target_in_place(client, head, program):
    client.force_login(head)
    response = client.post(
        url("goals", program), {"code": "referrals", "target": "12", "achieved": "3"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card wide" id="goals">')
    assert "<html" not in response.text
    goal = Goal.objects.get(program=program, code="referrals")
    assert (goal.target, goal.achieved) == (12, 3)
    assert "25 %" in response.text


def test_a_measured_goal_takes_no_achieved_figure(client, head, program):
    client.force_login(head)
    client.post(url("goals", program), {"code": "key_people_met", "target": "5", "achieved": "99"})
    goal = Goal.objects.get(program=program, code="key_people_met")
    assert (goal.target, goal.achieved) == (5, None)


def test_a_bad_target_is_a_field_error_and_nothing_changes(client, head, program):
    client.force_login(head)
    response = client.post(url("goals", program), {"code": "referrals", "target": "-4"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.text
    assert Goal.objects.get(program=program, code="referrals").target is None
    htmx = client.post(url("goals", program), {"code": "referrals", "target": "lots"}, headers=HTMX)
    assert htmx.status_code == 200
    assert "Enter a whole number." in htmx.text


def test_only_the_head_sets_goals(client, alice, viewer, program):
    for user in (alice, viewer):
        client.force_login(user)
        assert (
            client.post(url("goals", program), {"code": "referrals", "target": "1"}).status_code
            == 403
        )
    assert Goal.objects.get(program=program, code="referrals").target is None


def test_it_renders_the_overview_in_russian(client, head, program):
    client.force_login(head)
    client.cookies["django_language"] = "ru"
    page = client.get(url("overview", program)).text
    assert '<html lang="ru">' in page
    for text in (
        "Цели программы в цифрах",
        "Привлечено рекомендаций",
        "Охват",
        "Персонал",
        "VIP-программа",
    ):
        assert text in page, text
    assert "Referrals gained" not in page
    assert "Coverage" not in page
