"""The indicators table as CSV and XLSX: numbers stay numbers, text from data is never a
formula, and another manager's client is not found."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from kamrad.clients import services as client_services
from kamrad.value import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def formula_client(alice):
    org = client_services.organization_create(
        user=alice, data={"name": '=HYPERLINK("http://evil.test","x")', "tax_number": "7701999999"}
    )
    services.sale_create(
        user=alice,
        organization=org,
        data={"date": datetime.date(2025, 2, 3), "currency": "RUB", "amount": "1234.56"},
    )
    return org


def export(client, name, org, **params):
    return client.get(
        reverse(f"value:export_{name}", args=[org.pk]),
        {"period": "year", "start": "2025-01-01", "end": "2025-12-31", **params},
    )


def test_the_csv_has_exact_amounts_as_numbers(client, alice, formula_client):
    client.force_login(alice)
    response = export(client, "csv", formula_client)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Period", "Start", "Revenue"]
    assert rows[1][:3] == ["2025", "2025-01-01", "1234.56"]
    assert rows[-1][0] == "Total"


def test_the_xlsx_reads_back_with_numbers_as_numbers(client, alice, formula_client):
    client.force_login(alice)
    response = export(client, "xlsx", formula_client)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Period", "Start", "Revenue"]
    row = [c.value for c in sheet[2]]
    assert row[0] == "2025" and sheet.cell(2, 1).data_type == "s"
    assert Decimal(str(row[2])) == Decimal("1234.56")
    assert sheet.cell(2, 3).data_type == "n"


def test_a_value_that_looks_like_a_formula_is_written_as_text(client, alice, formula_client):
    from kamrad.lib import csvsafe

    cells = ["=1+2", "+7 495", "-x", "@SUM(A1)", "\tTab", "\rCR", "plain", 12, Decimal("-3.5")]
    text = csvsafe.write_csv([cells]).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == [
        "'=1+2",
        "'+7 495",
        "'-x",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
        "plain",
        "12",
        "-3.5",
    ]
    book = openpyxl.load_workbook(io.BytesIO(csvsafe.write_xlsx([cells])))
    read = [(c.value, c.data_type) for c in book.active[1]]
    assert read[0] == ("=1+2", "s")  # a string cell holding the text, not a formula
    assert all(kind == "s" for _value, kind in read[:7])
    assert read[7:] == [(12, "n"), (-3.5, "n")]


def test_the_clients_name_in_the_file_name_is_harmless(client, alice, formula_client):
    client.force_login(alice)
    disposition = export(client, "xlsx", formula_client)["Content-Disposition"]
    assert '"' not in disposition.split("filename=")[1].strip('"')


def test_another_managers_client_cannot_be_exported(client, alice, bobs_client):
    client.force_login(alice)
    assert export(client, "csv", bobs_client).status_code == 404
    assert export(client, "xlsx", bobs_client).status_code == 404


def test_a_viewer_may_export(client, viewer, formula_client):
    client.force_login(viewer)
    assert export(client, "csv", formula_client).status_code == 200
