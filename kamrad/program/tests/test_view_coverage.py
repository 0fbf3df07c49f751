"""Coverage: the program's totals, per member, tier and region, over time, the clients not
reached yet, and their exports — all scoped to what the user may see."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import time_machine

from kamrad.program.models import ProgramClient
from kamrad.program.tests.conftest import make_client
from kamrad.program.tests.viewhelpers import TODAY, on_list, url

pytestmark = pytest.mark.django_db

WORKED = {"met_on": "2026-02-02", "questionnaire_on": "2026-02-03", "followups_on": "2026-02-10"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def book(head, alice, bob, program, alice_member, bob_member):
    """Four clients: alice's worked and in progress (Moscow), bob's not started (Kazan), one
    unassigned not started."""
    orgs = {
        "a1": make_client(head, "Alice Worked", owner=alice, region="Moscow"),
        "a2": make_client(head, "Alice Started", owner=alice, region="Moscow"),
        "b1": make_client(head, "=cmd|' /C calc'!A0", owner=bob, region="Kazan"),
        "n1": make_client(head, "Nobody's", region="Kazan"),
    }
    on_list(head, program, *orgs.values())
    rows = ProgramClient.objects.filter(program=program)
    rows.filter(organization__in=[orgs["a1"], orgs["a2"]]).update(assigned_to=alice)
    rows.filter(organization=orgs["b1"]).update(assigned_to=bob)
    rows.filter(organization=orgs["a1"]).update(**WORKED)
    rows.filter(organization=orgs["a2"]).update(meeting_planned_on="2026-03-20")
    return orgs


def cells(page: str, anchor: str) -> str:
    return page[page.index(anchor) :]


def test_it_counts_the_programs_coverage_and_its_tables(client, head, program, book):
    client.force_login(head)
    page = client.get(url("coverage", program)).text
    assert "1 of 4 clients worked through" in page
    assert "<strong>25 %</strong>" in page
    totals = cells(page, 'id="totals"')
    assert '<th>Worked through</th><td class="num">1</td><td class="num">25 %</td>' in totals
    assert '<th>In progress</th><td class="num">1</td><td class="num">25 %</td>' in totals
    assert '<th>Not started</th><td class="num">2</td><td class="num">50 %</td>' in totals
    members = cells(page, 'id="by-members"')
    assert "Alice Adams" in members and "Not assigned yet" in members
    regions = cells(page, 'id="by-regions"')
    assert "Kazan" in regions and "Moscow" in regions
    assert "No tier yet" in cells(page, 'id="by-tiers"')


def test_it_draws_the_chart_with_an_accessible_title(client, head, program, book):
    client.force_login(head)
    page = client.get(url("coverage", program)).text
    assert 'role="img" aria-labelledby="coverage-title coverage-desc"' in page
    # Alice Started has only a meeting planned: in progress today, as in the table.
    assert "On 2026-03-02: 1 worked through and 1 in progress of 4 clients." in page
    assert "<polygon points=" in page and "<polyline points=" in page


def test_it_lists_the_clients_not_reached_with_the_days_waited(client, head, program, book):
    client.force_login(head)
    page = cells(client.get(url("coverage", program)).text, 'id="not-reached"')
    assert "Each has waited 49 days since the program began." in page
    assert "Nobody&#x27;s" in page
    assert "Alice Worked" not in page and "Alice Started" not in page


def test_an_account_manager_sees_only_their_clients(client, alice, program, book):
    client.force_login(alice)
    page = client.get(url("coverage", program)).text
    assert "1 of 2 clients worked through" in page
    assert "Kazan" not in page
    assert "Every client on the list has been reached." in page
    exported = client.get(
        url("coverage_export", program), {"table": "not_reached"}
    ).content.decode()
    assert "calc" not in exported and "Nobody" not in exported


def test_the_csv_export_never_carries_a_formula_from_data(client, head, program, book):
    client.force_login(head)
    response = client.get(
        url("coverage_export", program), {"format": "csv", "table": "not_reached"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="vip-2026-not-reached-2026-03-02.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Client"
    names = [row[0] for row in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in names
    assert not any(name.startswith("=") for name in names)
    assert rows[1][-1] == "49"


def test_the_member_table_exports_to_xlsx_with_the_programs_total_first(
    client, head, program, book
):
    client.force_login(head)
    response = client.get(url("coverage_export", program), {"format": "xlsx", "table": "members"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Member", "Clients"]
    assert rows[1] == ["VIP 2026", 4, 1, 1, 2, 25]
    assert ["Alice Adams", 2, 1, 1, 0, 50] in rows


def test_an_unknown_table_or_format_falls_back_to_the_members_csv(client, head, program, book):
    client.force_login(head)
    response = client.get(url("coverage_export", program), {"format": "pdf", "table": "secrets"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("Member,Clients")


def test_it_renders_the_coverage_in_russian(client, head, program, book):
    client.force_login(head)
    client.cookies["django_language"] = "ru"
    page = client.get(url("coverage", program)).text
    assert '<html lang="ru">' in page
    for text in (
        "Охват",
        "Проработан",
        "В работе",
        "Не начат",
        "По сотрудникам",
        "Ещё не охвачены",
    ):
        assert text in page, text
    assert "Worked through" not in page
