"""Horizontal bar charts as plain geometry for a server-rendered SVG (no JavaScript).

One bar per row, one or two series side by side (e.g. failed and closed); the template draws
what this computes and the table beside it carries the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 640
LABEL_W = 200
RIGHT = 56
BAR_H = 14
GAP = 4
ROW_GAP = 10
TOP = 6
COLORS = ("#2f6fb5", "#2e9d62", "#d9822b")


@dataclass
class Bar:
    x: float
    y: float
    width: float
    color: str
    value: str
    title: str


@dataclass
class Row:
    label: str
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    title: str
    width: int = WIDTH
    height: int = 0
    left: int = LABEL_W
    rows: list[Row] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (name, color)

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def value_x_gap(self) -> int:
        return 4


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], Sequence[str]]],
) -> BarChart:
    """`series`: (name, values, shown values) each, one value per label."""
    chart = BarChart(
        title=title, legend=[(name, COLORS[i]) for i, (name, *_r) in enumerate(series)]
    )
    high = max((v for _n, values, _s in series for v in values), default=0) or 1
    plot_w = WIDTH - LABEL_W - RIGHT
    row_h = len(series) * (BAR_H + GAP) - GAP
    y = TOP
    for i, label in enumerate(labels):
        row = Row(label=_short(label), y=y + row_h / 2)
        for j, (name, values, shown) in enumerate(series):
            value = values[i]
            row.bars.append(
                Bar(
                    x=LABEL_W,
                    y=y + j * (BAR_H + GAP),
                    width=round(max(value, 0) * plot_w / high, 1),
                    color=COLORS[j],
                    value=shown[i],
                    title=f"{label} · {name}: {shown[i]}",
                )
            )
        chart.rows.append(row)
        y += row_h + ROW_GAP
    chart.height = int(y - ROW_GAP + TOP) if labels else 0
    return chart
