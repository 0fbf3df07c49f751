"""A tier's clients as CSV and XLSX: scoped, and never a formula from data."""

import csv
import io

import openpyxl
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_csv_holds_the_tier_and_writes_a_formula_as_text(
    client: Client, alice, pyramid_world
) -> None:
    client.force_login(alice)
    response = client.get("/pyramid/clients/export/", {"tier": "ballast", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Organization"
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][5] == "-3.00"  # LTV: minus three roubles, a number and not text
    assert len(rows) == 2


def test_the_csv_of_a_manager_holds_their_clients_only(
    client: Client, alice, pyramid_world
) -> None:
    client.force_login(alice)
    body = client.get("/pyramid/clients/export/", {"format": "csv"}).content.decode()
    assert "Alpha Mills" in body and "Bravo" not in body


def test_the_xlsx_writes_a_formula_from_data_as_a_string(
    client: Client, head, pyramid_world
) -> None:
    client.force_login(head)
    response = client.get("/pyramid/clients/export/", {"tier": "ballast", "format": "xlsx"})
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"
    assert sheet.cell(row=2, column=6).value == -3
