"""The candidates list as CSV and XLSX.

A cell from data that a spreadsheet would read as a formula (it starts with = + - @, a tab or
a carriage return) is written as text: in CSV with a leading apostrophe, in XLSX as a string
cell. (A minimal copy of the shared rule until `kamrad/lib/csvsafe.py` takes its place.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from kamrad.qualification.selectors import Candidate

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text for a CSV cell that no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def header() -> list[str]:
    return [
        _("Organization"),
        _("Tax number"),
        _("Account manager"),
        _("Criteria met"),
        _("Criteria needed"),
        _("Which"),
        _("Evaluated on"),
    ]


def rows(candidates: Iterable[Candidate]) -> Iterable[list[Any]]:
    for candidate in candidates:
        org, verdict = candidate.organization, candidate.verdict
        yield [
            org.name,
            org.tax_number,
            str(org.account_manager or ""),
            verdict.met_count,
            verdict.needed,
            "; ".join(c.criterion.name for c in verdict.met_criteria),
            verdict.as_of.isoformat(),
        ]


def to_csv(candidates: Iterable[Candidate]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header())
    for row in rows(candidates):
        writer.writerow([safe_text(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def to_xlsx(candidates: Iterable[Candidate]) -> bytes:
    out = io.BytesIO()
    # Strings are never turned into numbers or formulas: every text cell is written as text.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Candidates")[:31])
    bold = book.add_format({"bold": True})
    _write_row(sheet, 0, header(), bold)
    for number, row in enumerate(rows(candidates), start=1):
        _write_row(sheet, number, row)
    sheet.set_column(0, 0, 40)
    sheet.set_column(5, 5, 60)
    book.close()
    return out.getvalue()


def _write_row(sheet: Any, number: int, values: Sequence[Any], style: Any = None) -> None:
    for column, value in enumerate(values):
        if isinstance(value, str):
            sheet.write_string(number, column, value, style)
        else:
            sheet.write_number(number, column, value, style)
