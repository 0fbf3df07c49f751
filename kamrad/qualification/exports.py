"""The candidates list as CSV and XLSX.

A cell from data that a spreadsheet would read as a formula (it starts with = + - @, a tab or
a carriage return) is written as text: in CSV with a leading apostrophe, in XLSX as a string
cell (kamrad/lib/csvsafe.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kamrad.lib import csvsafe
from kamrad.qualification.selectors import Candidate


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


def to_csv(candidates: Iterable[Candidate]) -> bytes:
    return csvsafe.write_csv(rows(candidates), header=header())


def to_xlsx(candidates: Iterable[Candidate]) -> bytes:
    return csvsafe.write_xlsx(rows(candidates), header=header(), sheet=_("Candidates"))
