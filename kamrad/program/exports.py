"""The coverage tables and the clients not reached yet, as CSV and XLSX.

A cell from data that a spreadsheet would read as a formula (it starts with = + - @, a tab or
a carriage return) is written as text: in CSV with a leading apostrophe, in XLSX as a string
cell (kamrad/lib/csvsafe.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kamrad.lib import csvsafe
from kamrad.program.models import ProgramClient
from kamrad.program.selectors import CoverageRow


def coverage_header(first: str) -> list[str]:
    return [
        first,
        _("Clients"),
        _("Worked through"),
        _("In progress"),
        _("Not started"),
        _("Worked through, %"),
    ]


def coverage_rows(rows: Iterable[CoverageRow]) -> Iterable[list[Any]]:
    for row in rows:
        yield [
            row.label,
            row.total,
            row.worked,
            row.in_progress,
            row.not_started,
            row.worked_percent,
        ]


def not_reached_header() -> list[str]:
    return [
        _("Client"),
        _("Tax number"),
        _("Assigned to"),
        _("Account manager"),
        _("Why on the list"),
        _("Days waiting"),
    ]


def not_reached_rows(clients: Iterable[ProgramClient], days: int) -> Iterable[list[Any]]:
    for client in clients:
        org = client.organization
        yield [
            org.name,
            org.tax_number,
            str(client.assigned_to or ""),
            str(org.account_manager or ""),
            client.get_source_display(),
            days,
        ]


def to_csv(rows: Iterable[list[Any]], header: list[str]) -> bytes:
    return csvsafe.write_csv(rows, header=header)


def to_xlsx(rows: Iterable[list[Any]], header: list[str], sheet: str) -> bytes:
    return csvsafe.write_xlsx(rows, header=header, sheet=sheet[:31])
