"""The staff page: members with capacity and workload; the head adds and edits members."""

from __future__ import annotations

import pytest

from conftest import make_user
from kamrad.program import services
from kamrad.program.models import Member
from kamrad.program.tests.viewhelpers import url
from kamrad.users.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["head", "alice", "viewer"])
def test_it_shows_the_members_with_capacity_and_workload(
    request, client, program, alice_member, who
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url("staff", program)).text
    assert "Alice Adams" in page
    assert "Dedicated (full time)" in page
    # 24 weeks of 40 hours: the capacity in hours, and no clients yet.
    assert str(round(program.full_time_minutes() / 60, 1)) in page


def test_only_the_head_sees_the_add_form(client, head, alice, program):
    client.force_login(alice)
    assert "Add a member" not in client.get(url("staff", program)).text
    client.force_login(head)
    assert "Add a member" in client.get(url("staff", program)).text


def test_the_head_adds_a_part_time_member_with_the_default_share(client, head, bob, program):
    client.force_login(head)
    response = client.post(url("staff", program), {"user": bob.pk, "capacity": "part_time"})
    assert response.status_code == 302
    member = Member.objects.get(program=program, user=bob)
    assert member.share_percent == program.part_time_percent
    page = client.get(url("staff", program)).text
    assert "Bob Brown joined the program&#x27;s staff." in page
    assert "Part-time (alongside finding new clients), 50 %" in page


def test_it_offers_only_staff_not_on_the_program_yet(
    client, head, alice, bob, viewer, program, alice_member
):
    client.force_login(head)
    page = client.get(url("staff", program)).text
    form = page[page.index('id="add-member"') :]
    assert f'<option value="{bob.pk}">' in form
    assert f'<option value="{alice.pk}">' not in form
    assert f'<option value="{viewer.pk}">' not in form


def test_a_viewer_or_someone_on_it_already_is_a_field_error(
    client, head, alice, viewer, program, alice_member
):
    client.force_login(head)
    for user in (viewer, alice):
        response = client.post(url("staff", program), {"user": user.pk, "capacity": "dedicated"})
        assert response.status_code == 400
        assert "Select a valid choice." in response.text
    assert Member.objects.filter(program=program).count() == 1


def test_a_bad_share_is_a_field_error(client, head, bob, program):
    client.force_login(head)
    response = client.post(
        url("staff", program), {"user": bob.pk, "capacity": "part_time", "share_percent": "150"}
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.text
    assert not Member.objects.filter(user=bob).exists()


def test_the_head_edits_a_member(client, head, program, alice_member):
    client.force_login(head)
    data = {"capacity": "part_time", "share_percent": "30", "version": alice_member.version}
    response = client.post(url("member", program, alice_member), data)
    assert response.status_code == 302
    alice_member.refresh_from_db()
    assert (alice_member.capacity, alice_member.share_percent, alice_member.is_active) == (
        "part_time",
        30,
        False,
    )


def test_a_stale_member_edit_is_a_409(client, head, program, alice_member):
    client.force_login(head)
    version = alice_member.version
    services.member_update(
        user=head, member=alice_member, data={"share_percent": 80}, expected_version=version
    )
    data = {"capacity": "dedicated", "share_percent": "20", "is_active": "on", "version": version}
    response = client.post(url("member", program, alice_member), data)
    assert response.status_code == 409
    assert "Someone else saved this" in response.text
    alice_member.refresh_from_db()
    assert alice_member.share_percent == 80


def test_another_programs_member_is_a_404(client, head, program, alice_member):
    other = services.program_create(
        user=head,
        data={"name": "Old", "starts_on": "2025-01-13", "ends_on": "2025-06-29", "head": head},
    )
    client.force_login(head)
    assert client.get(url("member", other, alice_member)).status_code == 404


def test_a_new_head_can_join_too(client, head, program):
    second = make_user("hanna", Role.HEAD, first_name="Hanna", last_name="Hill")
    client.force_login(head)
    client.post(url("staff", program), {"user": second.pk, "capacity": "dedicated"})
    assert Member.objects.filter(program=program, user=second).exists()


def test_account_managers_cannot_add_or_edit(client, alice, bob, program, alice_member):
    client.force_login(alice)
    assert client.post(url("staff", program), {"user": bob.pk}).status_code == 403
    assert client.get(url("member", program, alice_member)).status_code == 403
