"""The meetings report's blocks as CSV and XLSX.

A cell from data that a spreadsheet would read as a formula (a client or product named
"=HYPERLINK(…)") is written as text: in CSV with a leading apostrophe, in XLSX as a string
cell (kamrad/lib/csvsafe.py). Money is written as a number in major units.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kamrad.lib import csvsafe, money
from kamrad.reports.selectors import MeetingsReport


def _days(value: float | None) -> Any:
    return "" if value is None else value


def block_table(report: MeetingsReport, block: str) -> tuple[str, list[str], list[list[Any]]]:
    """The sheet name, header and rows of one block."""
    if block == "quality":
        header = [
            _("Service"),
            _("Failed checks"),
            _("Closed"),
            _("Still open"),
            _("Median days to close"),
            _("Average days to close"),
        ]
        rows = [
            [r.label, r.failed, r.closed, r.open, _days(r.median_days), _days(r.average_days)]
            for r in report.quality
        ]
        return _("Quality failures"), header, rows
    if block == "opportunities":
        opp = report.opportunities
        header = [
            _("Product"),
            _("Opportunities"),
            _("Won"),
            _("Lost"),
            _("Open"),
            _("Estimated value, %(currency)s") % {"currency": opp.currency},
            _("Not converted (no rate)"),
        ]
        rows = []
        for r in [*opp.rows, opp.total]:
            apart = "; ".join(
                f"{money.format_minor(minor, cur)} {cur}" for cur, minor in r.unconverted.items()
            )
            value = money.to_major(r.value_base, opp.currency)
            rows.append([r.label, r.count, r.won, r.lost, r.open, value, apart])
        return _("Opportunities"), header, rows
    if block == "referrals":
        header = [_("Referring client"), _("Prospects gained"), _("Now clients"), _("Converted, %")]
        rows = [
            [r.label, r.gained, r.converted, r.percent]
            for r in [*report.referrals, report.referrals_total]
        ]
        return _("Referrals"), header, rows
    header = [_("Member"), _("Month"), _("New key people"), _("People met for the first time")]
    rows = [[r.member, r.month.strftime("%Y-%m"), r.new_people, r.first_met] for r in report.people]
    return _("Key people"), header, rows


def to_csv(rows: Iterable[list[Any]], header: list[str]) -> bytes:
    return csvsafe.write_csv(rows, header=header)


def to_xlsx(rows: Iterable[list[Any]], header: list[str], sheet: str) -> bytes:
    return csvsafe.write_xlsx(rows, header=header, sheet=sheet[:31])
