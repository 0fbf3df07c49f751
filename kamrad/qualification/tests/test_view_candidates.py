"""The candidates page, its exports, and the head's decisions from it."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from kamrad.clients import services as clients
from kamrad.qualification import selectors, services
from kamrad.qualification.models import CandidateDecision
from kamrad.qualification.tests.conftest import MILLION_RUB, sale

pytestmark = pytest.mark.django_db

LIST = reverse("qualification:candidates")
EXPORT = reverse("qualification:candidates_export")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)):
        yield


def qualify(org) -> None:
    sale(org, datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    for line in ("Loans", "Deposits", "Cards"):
        sale(org, datetime.date(2026, 6, 1), 200 * MILLION_RUB, line)


def evaluate() -> None:
    """The page reads the verdicts `kamrad qualify` stored."""
    call_command("qualify", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_page_reads_the_stored_verdicts_and_says_when_they_were_evaluated(
    client, head, alices_client, usd_rate
):
    qualify(alices_client)
    client.force_login(head)
    page = client.get(LIST).text
    assert "Not evaluated yet" in page
    assert "No candidates now." in page
    evaluate()
    page = client.get(LIST).text
    assert "Evaluated 2026-11-23 " in page
    assert alices_client.name in page
    assert "the list is stale" not in page
    rule = selectors.rule()
    services.rule_update(user=head, min_met=4, expected_version=rule.version)
    assert "the list is stale" in client.get(LIST).text


def test_the_head_sees_every_candidate_with_the_criteria_it_meets(
    client, head, alices_client, bobs_client, usd_rate
):
    qualify(alices_client)
    qualify(bobs_client)
    evaluate()
    client.force_login(head)
    page = client.get(LIST).text
    assert alices_client.name in page and bobs_client.name in page
    assert "Uses a wide range of our products" in page
    assert "3/5" in page
    assert "2 candidates" in page
    assert "Admit" in page


def test_a_manager_sees_only_her_own_candidates_and_cannot_decide(
    client, alice, alices_client, bobs_client, usd_rate
):
    qualify(alices_client)
    qualify(bobs_client)
    evaluate()
    client.force_login(alice)
    page = client.get(LIST).text
    assert alices_client.name in page
    assert bobs_client.name not in page
    assert "Admit" not in page
    export = client.get(EXPORT, {"format": "csv"}).content.decode()
    assert bobs_client.name not in export
    response = client.post(
        reverse("qualification:decision", args=[alices_client.pk]), {"outcome": "admitted"}
    )
    assert response.status_code == 403


def test_the_head_admits_a_candidate_and_it_leaves_the_list(client, head, alices_client, usd_rate):
    qualify(alices_client)
    client.force_login(head)
    response = client.post(
        reverse("qualification:decision", args=[alices_client.pk]),
        {"outcome": "admitted", "note": "Welcome", "version": 0, "next": "candidates"},
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    assert f"{alices_client.name} was admitted to the VIP program." in response.text
    assert "No candidates now." in response.text
    decision = CandidateDecision.objects.get()
    assert (decision.outcome, decision.note, decision.decided_by) == ("admitted", "Welcome", head)


def test_an_empty_decision_is_refused_without_a_server_error(client, head, alices_client):
    client.force_login(head)
    response = client.post(reverse("qualification:decision", args=[alices_client.pk]), {})
    assert response.status_code == 400
    assert not CandidateDecision.objects.exists()


def test_the_exports_write_a_formula_looking_name_as_text(client, head, usd_rate):
    org = clients.organization_create(
        user=head, data={"name": '=HYPERLINK("http://evil.test","x")', "tax_number": "+7701"}
    )
    qualify(org)
    evaluate()
    client.force_login(head)
    response = client.get(EXPORT, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Organization", "Tax number", "Account manager", "Criteria met"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil.test","x")'
    assert rows[1][1] == "'+7701"
    assert rows[1][3] == "3"

    response = client.get(EXPORT, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.value == '=HYPERLINK("http://evil.test","x")'
    assert cell.data_type == "s"  # a string, not a formula
    assert sheet.cell(row=2, column=4).value == 3


def test_the_list_costs_the_same_queries_for_one_candidate_or_ten(
    client, head, usd_rate, django_assert_max_num_queries
):
    client.force_login(head)
    qualify(clients.organization_create(user=head, data={"name": "Client 0"}))
    evaluate()
    with django_assert_max_num_queries(20) as captured:
        client.get(LIST)
    few = len(captured.captured_queries)
    for number in range(1, 10):
        qualify(clients.organization_create(user=head, data={"name": f"Client {number}"}))
    evaluate()
    with django_assert_max_num_queries(few):
        assert "10 candidates" in client.get(LIST).text


def test_the_export_and_the_api_cost_the_same_queries_for_one_candidate_or_ten(
    client, head, usd_rate, django_assert_max_num_queries
):
    client.force_login(head)
    qualify(clients.organization_create(user=head, data={"name": "Client 0"}))
    evaluate()
    api = "/api/verdicts/"
    counts = {}
    for url, params in ((EXPORT, {"format": "csv"}), (api, {"candidates": "true"})):
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url, params).status_code == 200
        counts[url] = len(captured.captured_queries)
    for number in range(1, 10):
        qualify(clients.organization_create(user=head, data={"name": f"Client {number}"}))
    evaluate()
    for url, params in ((EXPORT, {"format": "csv"}), (api, {"candidates": "true"})):
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url, params)
        assert b"Client 9" in response.content
