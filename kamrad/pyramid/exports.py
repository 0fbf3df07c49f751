"""A tier's client list as CSV or XLSX.

No cell that comes from data is ever a formula: text starting with = + - @ (or a tab or a
carriage return) is written with a leading apostrophe in CSV and as a string cell in XLSX.
(A minimal copy of the rule of kamrad/lib/csvsafe.py, which this app does not depend on yet.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _

from kamrad.lib.money import to_major
from kamrad.pyramid.models import ClientValue

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _header() -> list[str]:
    currency = settings.KAMRAD_BASE_CURRENCY
    return [
        _("Organization"),
        _("Tax number"),
        _("Account manager"),
        _("Tier"),
        _("Trend"),
        f"{_('LTV')}, {currency}",
        f"{_('Profit')}, {currency}",
        f"{_('Cost to serve')}, {currency}",
        _("Coefficient of variation"),
    ]


def _row(value: ClientValue) -> list[Any]:
    currency = settings.KAMRAD_BASE_CURRENCY
    org = value.organization
    return [
        org.name,
        org.tax_number,
        str(org.account_manager) if org.account_manager else "",
        value.get_tier_display(),
        value.get_trend_display(),
        to_major(value.ltv, currency),
        to_major(value.profit, currency),
        to_major(value.cost_to_serve, currency),
        value.cv if value.cv is not None else "",
    ]


def to_csv(values: Iterable[ClientValue]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for value in values:
        writer.writerow([csv_cell(cell) for cell in _row(value)])
    return out.getvalue()


def to_xlsx(values: Iterable[ClientValue]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Clients")[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, _header(), bold)
    for number, value in enumerate(values, start=1):
        for column, cell in enumerate(_row(value)):
            if isinstance(cell, str):
                sheet.write_string(number, column, cell)
            elif 5 <= column <= 7:
                sheet.write_number(number, column, float(cell), money)
            else:
                sheet.write_number(number, column, float(cell))
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 8, 16)
    book.close()
    return out.getvalue()
