"""Writing CSV and XLSX that a spreadsheet cannot turn against its reader.

A cell from data that starts with = + - @ (or a tab or carriage return) would be read by
Excel or LibreOffice as a formula ("CSV injection"). Text cells are written so that it never
is: in CSV with a leading apostrophe (what spreadsheets show as plain text), in XLSX as a
string cell. Numbers (int, Decimal, float) stay numbers in both, so sums still work.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def safe_text(value: Any) -> str:
    """A cell's text that no spreadsheet will evaluate."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    if is_number(value):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return safe_text(value)


def write_csv(rows: Iterable[Sequence[Any]], *, header: Sequence[str] | None = None) -> bytes:
    """The rows as UTF-8 CSV with a byte-order mark (Excel then reads Cyrillic right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[str] | None = None,
    sheet: str = "Sheet1",
) -> bytes:
    """The rows as one XLSX sheet: numbers as numbers, dates as dates, all text as text."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            # Never guess: a string that looks like a number, a URL or a formula stays a string.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    # Sheet names are limited to 31 characters and a few forbidden signs.
    name = "".join(c for c in sheet if c not in "[]:*?/\\")[:31] or "Sheet1"
    ws = book.add_worksheet(name)
    r = 0
    if header is not None:
        for c, title in enumerate(header):
            ws.write_string(r, c, str(title), bold)
        r += 1
    for row in rows:
        for c, value in enumerate(row):
            write_cell(ws, r, c, value, dates)
        r += 1
    book.close()
    return out.getvalue()


def write_cell(ws: Any, row: int, col: int, value: Any, date_format: Any = None) -> None:
    """One XLSX cell, typed by its Python value; text is never a formula."""
    if value is None:
        ws.write_blank(row, col, None)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif is_number(value):
        ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, value, date_format)
    else:
        ws.write_string(row, col, str(value))
