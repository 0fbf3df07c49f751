"""The indicators' table rows and chart marks, rendered in Python.

A table of 36 months has some 400 cells and its chart over a hundred bars; through the
template engine each value costs a node, a lookup, localisation and an escape, which made
up most of the section's server time. Here each value is localised and escaped with the
functions the engine uses (`localize`, `html.escape`) and the markup joined as strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from kamrad.lib.money import format_whole

register = template.Library()


@register.filter
def whole(minor: int | None, unit: int = 100) -> str:
    """Minor units shown in whole major units, grouped: 1 234 568 (rounded half to even)."""
    if minor is None:
        return "—"
    return format_whole(minor, unit)


def _row(row: Any, unit: int, has_accounts: bool, total: bool) -> str:
    def money(value: int, signed: bool = False) -> str:
        negative = " negative" if signed and value < 0 else ""
        return f'<td class="num{negative}">{format_whole(value, unit)}</td>'

    def count(value: Any) -> str:
        return f'<td class="num">{escape(str(localize(value)))}</td>'

    days = row.average_days_late
    cells = [
        '<tr class="total">' if total else "<tr>",
        f'<th scope="row">{escape(str(row.label))}</th>',
        money(row.revenue),
        money(row.cost_of_sales),
        money(row.profit, signed=True),
        money(row.cost_to_serve),
        money(row.value, signed=True),
        money(row.payments_received),
        count(row.payments_late),
        count(days) if days is not None else '<td class="num">—</td>',
        count(row.claims_opened),
        count(row.claims_open),
    ]
    if has_accounts:
        cells += [money(row.turnover), money(row.average_balance), money(row.exports)]
    cells.append("</tr>\n")
    return "".join(cells)


@register.simple_tag
def indicator_rows(rows: Iterable[Any], unit: int, has_accounts: bool) -> SafeString:
    """The `<tr>`s of the indicators table, one per `selectors.Row`."""
    return mark_safe("".join(_row(row, unit, has_accounts, False) for row in rows))


@register.simple_tag
def indicator_total(row: Any, unit: int, has_accounts: bool) -> SafeString:
    """The table's footer row: the totals of the period."""
    return mark_safe(_row(row, unit, has_accounts, True))


@register.simple_tag
def chart_marks(chart: Any) -> SafeString:
    """The grid, bars, zero line and period labels of `charts.indicators_chart`, as SVG."""
    left, right, height = chart.left, chart.right_edge, chart.height
    parts = [
        f'<line x1="{left}" x2="{right}" y1="{tick.y}" y2="{tick.y}" stroke="#e3e6ea" '
        f'stroke-width="1"/>\n<text x="{left - 6}" y="{tick.y}" dy="4" text-anchor="end" '
        f'font-size="11" fill="#5b6470">{escape(str(tick.label))}</text>'
        for tick in chart.ticks
    ]
    parts += [
        f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
        f'fill="{escape(bar.color)}"><title>{escape(str(bar.title))}</title></rect>'
        for bar in chart.bars
    ]
    parts.append(
        f'<line x1="{left}" x2="{right}" y1="{chart.zero_y}" y2="{chart.zero_y}" '
        'stroke="#8a93a0" stroke-width="1"/>'
    )
    parts += [
        f'<text x="{label.x}" y="{height - 8}" text-anchor="middle" font-size="11" '
        f'fill="#5b6470">{escape(str(label.text))}</text>'
        for label in chart.labels
    ]
    return mark_safe("\n".join(parts))
