"""The reports pages: the index, the questionnaire results with their charts, and exports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from kamrad.reports.tests.conftest import PERIOD_END, PERIOD_START

pytestmark = pytest.mark.django_db
RANGE = {"from": PERIOD_START.isoformat(), "to": PERIOD_END.isoformat()}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_index_links_the_report_and_the_menu_links_the_index(alice):
    response = signed_in(alice).get("/reports/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/reports/meetings/"' in body
    assert 'href="/reports/" aria-current="page"' in body


def test_it_shows_every_block_with_a_table_and_an_accessible_chart(
    head, alices_meeting, bobs_meeting
):
    response = signed_in(head).get("/reports/meetings/", RANGE)
    assert response.status_code == 200
    body = response.content.decode()
    for block in ("quality", "opportunities", "referrals", "people"):
        assert f'id="{block}"' in body
        assert f'id="{block}-chart-title"' in body
        assert f"/reports/meetings/export.csv?block={block}" in body
    assert "Internet 100" in body and "Cloud backup" in body
    assert "Acme Widgets Ltd" in body and "ООО Ромашка" in body
    assert "500.00 USD" in body  # no USD rate: shown apart
    assert "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]


def test_an_account_manager_sees_only_her_clients_figures(alice, alices_meeting, bobs_meeting):
    body = signed_in(alice).get("/reports/meetings/", RANGE).content.decode()
    assert "ООО Ромашка" in body
    assert "Acme Widgets Ltd" not in body and "Zebra Friends" not in body


def test_bad_dates_are_named_and_the_default_period_is_shown(alice):
    response = signed_in(alice).get(
        "/reports/meetings/", {"from": "2026-12-01", "to": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()
    assert (
        signed_in(alice).get("/reports/meetings/", {"from": "soon", "member": "x"}).status_code
        == 200
    )


def test_the_page_takes_a_fixed_number_of_queries(
    head, alices_meeting, bobs_meeting, django_assert_max_num_queries
):
    client = signed_in(head)
    with django_assert_max_num_queries(16):
        assert client.get("/reports/meetings/", RANGE).status_code == 200


def test_it_exports_each_block_as_csv_with_formula_looking_text_as_text(head, alices_meeting):
    response = signed_in(head).get("/reports/meetings/export.csv", {**RANGE, "block": "referrals"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Referring client", "Prospects gained", "Now clients", "Converted, %"]
    assert rows[1] == ["ООО Ромашка", "2", "1", "50"]
    quality = signed_in(head).get("/reports/meetings/export.csv", {**RANGE, "block": "quality"})
    assert "Internet 100,1,1,0,4.0,4.0" in quality.content.decode("utf-8-sig")


def test_it_exports_xlsx_with_strings_never_formulas(head, alices_meeting, internet):
    internet.name = "=SUM(A1:A9)"
    internet.save(update_fields=["name"])
    response = signed_in(head).get(
        "/reports/meetings/export.xlsx", {**RANGE, "block": "opportunities"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    row = cells["=SUM(A1:A9)"]
    assert row[0].data_type == "s"  # a string, not a formula
    assert row[5].value == 120000
    csv_body = (
        signed_in(head)
        .get("/reports/meetings/export.csv", {**RANGE, "block": "opportunities"})
        .content.decode("utf-8-sig")
    )
    assert "'=SUM(A1:A9)" in csv_body


def test_a_viewer_reads_the_report_and_a_stranger_is_sent_to_sign_in(viewer, alices_meeting):
    assert signed_in(viewer).get("/reports/meetings/", RANGE).status_code == 200
    response = Client().get("/reports/meetings/")
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_report_reads_in_russian(head, alices_meeting):
    client = signed_in(head)
    client.cookies["django_language"] = "ru"
    body = client.get("/reports/meetings/", {**RANGE}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Итоги анкет по программе" in body
    assert "Проблемы качества по услугам" in body
    assert "Отчёты" in body
