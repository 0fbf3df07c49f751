"""The VIP program in a real browser: the head creates a program, adds staff with capacities,
proposes a split, moves a client, confirms — and an account manager then sees exactly their
list. A Russian run reads the coverage page."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients import services
from kamrad.clients.models import Organization
from kamrad.program.models import Program, ProgramClient, Reassignment
from kamrad.users.models import User
from tests.browser.test_walk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def book(head: User, alice: User, bob: User) -> dict[str, Organization]:
    """alice brought two clients, bob one; one came in without a salesperson."""
    names = {
        "romashka": ("ООО «Ромашка»", alice),
        "lotos": ("АО «Лотос»", alice),
        "acme": ("Acme Widgets Ltd", bob),
        "orphan": ("Northwind Traders", None),
    }
    return {
        key: services.organization_create(
            user=head, data={"name": name, "owner": owner, "account_manager": owner}
        )
        for key, (name, owner) in names.items()
    }


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_the_head_splits_the_clients_and_a_manager_sees_exactly_their_list(
    page: Page,
    live_server: LiveServer,
    head: User,
    alice: User,
    bob: User,
    book: dict[str, Organization],
    screenshots: Path,
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    today = timezone.localdate()
    sign_in(page, live_server, "helen")

    # The program.
    page.get_by_role("link", name="VIP program").first.click()
    page.get_by_role("link", name="Create a program").first.click()
    page.get_by_label("Name").fill("VIP 2027")
    page.get_by_label("Starts on").fill((today - datetime.timedelta(days=7)).isoformat())
    page.get_by_label("Ends on").fill((today + datetime.timedelta(days=180)).isoformat())
    page.get_by_label("Status").select_option("running")
    page.get_by_role("button", name="Create the program").click()
    expect(page.get_by_role("heading", name="VIP 2027")).to_be_visible()
    program = Program.objects.get(name="VIP 2027")

    # Staff with capacities: alice dedicated, bob part-time (half his time by default).
    page.goto(f"{live_server.url}/program/{program.pk}/staff/")
    add = page.locator("#add-member")
    add.get_by_label("Staff member").select_option(label="Alice Adams")
    add.get_by_label("Capacity").select_option("dedicated")
    add.get_by_role("button", name="Add to the staff").click()
    add = page.locator("#add-member")
    add.get_by_label("Staff member").select_option(label="Bob Brown")
    add.get_by_label("Capacity").select_option("part_time")
    add.get_by_role("button", name="Add to the staff").click()
    loads = page.locator("table.loads")
    expect(loads.get_by_role("row").filter(has_text="Bob Brown")).to_contain_text("50")
    page.screenshot(path=screenshots / "program-staff.png", full_page=True)

    # Every corporate client on the list.
    page.goto(f"{live_server.url}/program/{program.pk}/clients/")
    page.get_by_role("button", name="Add all corporate clients").click()
    for organization in book.values():
        expect(page.get_by_role("link", name=organization.name).first).to_be_visible()
    assert ProgramClient.objects.filter(program=program).count() == 4
    page.screenshot(path=screenshots / "program-clients.png", full_page=True)

    # Propose. Nobody rated alice's or bob's relations as excellent, so rule 2 hands each
    # owner's clients to the other member, and the client nobody brought goes to whoever has
    # most room: bob gets alice's two, alice gets bob's and the orphan.
    page.goto(f"{live_server.url}/program/{program.pk}/proposal/")
    page.get_by_role("button", name="Propose a split").click()
    summary = page.locator("#proposal-summary")
    summary.get_by_role("link", name="Bob Brown").click()
    lines = page.locator("#lines")
    expect(lines.get_by_role("row").filter(has_text="ООО «Ромашка»")).to_contain_text(
        "its owner is doubtful"
    )
    # The head moves one of them back to alice, and it stays there, locked.
    row = lines.get_by_role("row").filter(has_text="АО «Лотос»")
    row.get_by_label("Move to").select_option(label="Alice Adams")
    row.get_by_role("button", name="Move").click()
    moved = page.locator("#lines").get_by_role("row").filter(has_text="АО «Лотос»")
    expect(moved).to_contain_text("Moved by the head")
    expect(moved).to_contain_text("locked")
    page.screenshot(path=screenshots / "program-proposal.png", full_page=True)
    page.get_by_role("button", name="Confirm the split").click()
    expect(page.get_by_text("Confirmed", exact=False).first).to_be_visible()

    managers = dict(
        Organization.objects.filter(pk__in=[o.pk for o in book.values()]).values_list(
            "name", "account_manager__username"
        )
    )
    assert managers == {
        "ООО «Ромашка»": "bob",
        "АО «Лотос»": "alice",
        "Acme Widgets Ltd": "alice",
        "Northwind Traders": "alice",
    }
    moves = Reassignment.objects.values_list("organization__name", "from_user__username")
    assert sorted(moves, key=str) == sorted(
        [("ООО «Ромашка»", "alice"), ("Acme Widgets Ltd", "bob"), ("Northwind Traders", None)],
        key=str,
    )
    mine = {name for name, manager in managers.items() if manager == "alice"}
    page.goto(f"{live_server.url}/program/{program.pk}/reassignments/")
    page.screenshot(path=screenshots / "program-reassignments.png", full_page=True)
    sign_out(page)

    # alice sees exactly her list: every client the split gave her, and none of bob's.
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/program/worklist/")
    worklist = page.locator("table")
    for name in mine:
        expect(worklist.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="ООО «Ромашка»")).to_have_count(0)
    expect(worklist.get_by_role("row")).to_have_count(len(mine) + 1)  # and the header
    page.screenshot(path=screenshots / "program-worklist.png", full_page=True)


def test_in_russian_the_coverage_page_speaks_russian(
    page: Page,
    live_server: LiveServer,
    head: User,
    alice: User,
    bob: User,
    book: dict[str, Organization],
    screenshots: Path,
) -> None:
    from kamrad.program import services as program_services

    today = timezone.localdate()
    program = program_services.program_create(
        user=head,
        data={
            "name": "VIP-программа 2027",
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today + datetime.timedelta(days=150),
            "head": head,
            "status": Program.Status.RUNNING,
        },
    )
    program_services.member_add(user=head, program=program, data={"user": alice})
    program_services.member_add(user=head, program=program, data={"user": bob})
    program_services.clients_add_corporate(user=head, program=program)
    proposal = program_services.proposal_create(user=head, program=program)
    program_services.proposal_confirm(
        user=head, proposal=proposal, expected_version=proposal.version
    )
    client = ProgramClient.objects.get(program=program, organization=book["romashka"])
    program_services.client_record_work(
        user=head,
        client=client,
        data={
            "met_on": today - datetime.timedelta(days=20),
            "questionnaire_on": today - datetime.timedelta(days=19),
            "followups_on": today - datetime.timedelta(days=10),
        },
        expected_version=client.version,
    )

    sign_in(page, live_server, "helen")
    page.get_by_role("button", name="RU").click()
    page.goto(f"{live_server.url}/program/{program.pk}/coverage/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Охват", exact=False).first).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_text("Northwind Traders").first).to_be_visible()  # not reached yet
    page.screenshot(path=screenshots / "program-coverage-ru.png", full_page=True)
    page.goto(f"{live_server.url}/program/{program.pk}/")
    page.screenshot(path=screenshots / "program-overview-ru.png", full_page=True)
