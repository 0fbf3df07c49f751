"""The programs: the current one at /program/, the list, creating and editing (the head's)."""

from __future__ import annotations

import pytest

from kamrad.program import services
from kamrad.program.models import Goal, Program
from kamrad.program.tests.viewhelpers import url

pytestmark = pytest.mark.django_db

NEW = {
    "name": "VIP 2027",
    "status": "planned",
    "starts_on": "2027-01-11",
    "ends_on": "2027-06-27",
    "goals": "Meet everyone.",
    "weekly_hours": "40",
    "part_time_percent": "50",
    "meeting_minutes": "60",
    "preparation_minutes": "30",
    "followup_minutes": "30",
    "version": "0",
}


def test_it_shows_the_list_with_a_create_button_when_there_is_no_program(client, head):
    client.force_login(head)
    page = client.get(url("current")).text
    assert "No VIP program yet." in page
    assert url("create") in page


def test_it_shows_no_create_button_to_an_account_manager(client, alice):
    client.force_login(alice)
    page = client.get(url("current")).text
    assert "No VIP program yet." in page
    assert url("create") not in page


def test_it_shows_the_running_programs_overview_at_the_programs_address(client, alice, program):
    client.force_login(alice)
    page = client.get(url("current")).text
    assert "<h1>VIP 2026</h1>" in page
    assert "Meet every key client before summer." in page


def test_it_lists_every_program(client, viewer, head, program):
    services.program_create(
        user=head,
        data={
            "name": "VIP 2025",
            "starts_on": "2025-01-13",
            "ends_on": "2025-06-29",
            "head": head,
            "status": "closed",
        },
    )
    client.force_login(viewer)
    page = client.get(url("list")).text
    assert "VIP 2026" in page and "VIP 2025" in page
    assert "Closed" in page


def test_it_creates_a_program_with_a_row_for_each_goal(client, head):
    client.force_login(head)
    response = client.post(url("create"), {**NEW, "head": head.pk})
    program = Program.objects.get(name="VIP 2027")
    assert response.status_code == 302
    assert response["Location"] == url("overview", program)
    assert program.head == head
    assert Goal.objects.filter(program=program).count() == len(Goal.Code.values)


def test_it_refuses_an_end_before_the_start_with_a_field_error(client, head):
    client.force_login(head)
    response = client.post(url("create"), {**NEW, "head": head.pk, "ends_on": "2026-12-01"})
    assert response.status_code == 400
    assert "The program cannot end before it starts." in response.text
    assert not Program.objects.exists()


def test_it_refuses_a_second_running_program_on_the_status_field(client, head, program):
    client.force_login(head)
    response = client.post(url("create"), {**NEW, "head": head.pk, "status": "running"})
    assert response.status_code == 400
    assert "Only one program runs at a time" in response.text
    assert Program.objects.count() == 1


def test_it_refuses_garbage_with_field_errors_not_a_crash(client, head):
    client.force_login(head)
    response = client.post(url("create"), {"name": "", "starts_on": "soon", "weekly_hours": "x"})
    assert response.status_code == 400
    assert response.text.count('class="error"') >= 3
    assert not Program.objects.exists()


def test_it_saves_an_edit(client, head, program):
    client.force_login(head)
    data = {**NEW, "name": "VIP 2026, spring", "status": "running", "head": head.pk}
    data.update(starts_on="2026-01-12", ends_on="2026-06-28", version=str(program.version))
    response = client.post(url("edit", program), data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name == "VIP 2026, spring"


def test_it_answers_a_stale_edit_with_409_and_keeps_the_other_change(client, head, program):
    client.force_login(head)
    form = client.get(url("edit", program)).text
    assert f'name="version" value="{program.version}"' in form
    services.program_update(
        user=head, program=program, data={"name": "Renamed"}, expected_version=program.version
    )
    data = {**NEW, "name": "Mine", "status": "running", "head": head.pk}
    data.update(starts_on="2026-01-12", ends_on="2026-06-28", version=str(program.version))
    response = client.post(url("edit", program), data)
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it" in response.text
    assert 'value="Mine"' in response.text
    program.refresh_from_db()
    assert program.name == "Renamed"


def test_it_refuses_the_forms_to_an_account_manager_and_a_viewer(client, alice, viewer, program):
    for user in (alice, viewer):
        client.force_login(user)
        assert client.get(url("create")).status_code == 403
        assert client.post(url("edit", program), NEW).status_code == 403
    program.refresh_from_db()
    assert program.name == "VIP 2026"
