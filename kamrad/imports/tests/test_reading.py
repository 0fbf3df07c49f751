"""Reading CSV and XLSX files as Russian and English spreadsheets write them."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kamrad.imports import reading

ROWS = [["ИНН", "Наименование", "Сумма"], ["7701000001", "ООО «Ёлка»", "1 234,56"]]


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_it_sniffs_the_delimiter(write_csv, delimiter: str) -> None:
    table = reading.open_table(write_csv(ROWS, delimiter=delimiter))
    assert table.delimiter == delimiter
    assert table.header == ROWS[0]
    assert [cells for _n, cells in table.rows] == [ROWS[1]]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1251", "cp1251")],
)
def test_it_reads_cyrillic_in_utf8_with_and_without_bom_and_in_windows_1251(
    write_csv, encoding: str, detected: str
) -> None:
    table = reading.open_table(write_csv(ROWS, encoding=encoding))
    assert table.encoding == detected
    assert table.header[0] == "ИНН"  # no BOM glued to the first header
    assert next(table.rows) == (2, ROWS[1])


def test_an_encoding_given_by_the_user_wins_and_a_wrong_one_is_reported(write_csv) -> None:
    path = write_csv(ROWS, encoding="cp1251")
    assert reading.open_table(path, encoding="cp1251").header == ROWS[0]
    with pytest.raises(reading.FileRefused, match="UTF-8"):
        table = reading.open_table(path, encoding="utf-8")
        list(table.rows)


def test_a_delimiter_given_by_the_user_wins(write_csv) -> None:
    table = reading.open_table(
        write_csv([["a;b", "c"], ["1;2", "3"]], delimiter=","), delimiter=","
    )
    assert table.header == ["a;b", "c"]


def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(reading.FileRefused, match="empty"):
        reading.open_table(path)


def test_it_counts_rows_and_skips_blank_lines(write_csv) -> None:
    table = reading.open_table(write_csv([ROWS[0], ROWS[1], ["", "", ""], ROWS[1]]))
    assert table.total == 3
    assert [n for n, _c in table.rows] == [2, 4]


def test_it_reads_xlsx_with_dates_and_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ИНН", "Дата", "Сумма"])
    sheet.append(["7701000001", datetime.datetime(2024, 5, 1), 1234.56])  # noqa: DTZ001 - Excel
    path = tmp_path / "sales.xlsx"
    book.save(path)
    table = reading.open_table(path)
    assert table.header == ["ИНН", "Дата", "Сумма"]
    number, cells = next(table.rows)
    assert number == 2
    assert reading.parse_date(cells[1]) == datetime.date(2024, 5, 1)
    assert reading.parse_minor(cells[2], "RUB") == 123456


def test_it_refuses_an_xlsx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("ИНН;Сумма\n1;2\n", encoding="utf-8")
    with pytest.raises(reading.FileRefused, match="not a ZIP"):
        reading.check_xlsx(path)


def test_it_refuses_a_zip_without_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(reading.FileRefused, match="no workbook"):
        reading.open_table(path)


def test_it_refuses_a_zip_bomb_before_opening_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 2**20))
    assert path.stat().st_size < 2**20
    with pytest.raises(reading.FileRefused, match="ZIP bomb"):
        reading.open_table(path)


def test_it_refuses_an_xlsx_that_unpacks_beyond_the_limit(tmp_path: Path, settings) -> None:
    settings.KAMRAD_IMPORT_XLSX_MAX_UNPACKED = 2**20
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"x" * (2 * 2**20))
    path = tmp_path / "big.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(reading.FileRefused, match="unpack"):
        reading.check_xlsx(path)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("01.02.2024", datetime.date(2024, 2, 1)),
        ("1.2.2024", datetime.date(2024, 2, 1)),
        ("2024-02-01", datetime.date(2024, 2, 1)),
        ("2024-02-01 00:00:00", datetime.date(2024, 2, 1)),
        ("45323", datetime.date(2024, 2, 1)),
        (45323, datetime.date(2024, 2, 1)),
    ],
)
def test_it_reads_dates_as_people_and_excel_write_them(text: object, date: datetime.date) -> None:
    assert reading.parse_date(text) == date


@pytest.mark.parametrize("text", ["31.02.2024", "2024-13-01", "вчера", "1/2"])
def test_it_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(reading.CellError):
        reading.parse_date(text)


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("1,234.56", 123456),
        ("1234.5", 123450),
        ("-12", -1200),
        ("12 345 678,9", 1234567890),
    ],
)
def test_it_reads_amounts_exactly(text: str, minor: int) -> None:
    assert reading.parse_minor(text, "RUB") == minor


@pytest.mark.parametrize("text", ["abc", "1.234", "12-3", "1,2,3.4.5"])
def test_it_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(reading.CellError):
        reading.parse_minor(text, "RUB")


def test_it_reads_quantities_and_months() -> None:
    assert reading.parse_decimal("2,5") == Decimal("2.5")
    assert reading.parse_month("05.2024") == datetime.date(2024, 5, 1)
    assert reading.parse_month("2024-05") == datetime.date(2024, 5, 1)
    assert reading.parse_month("17.05.2024") == datetime.date(2024, 5, 1)
