"""The indicators chart as plain geometry for a server-rendered SVG (no JavaScript).

Bars per period for revenue, profit and cost to serve; a negative profit hangs below the
zero line. The template draws what this computes; the table beside it carries the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kamrad.value.selectors import Indicators

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
SERIES = (
    ("revenue", gettext_lazy("Revenue"), "#3b6fd8"),
    ("profit", gettext_lazy("Profit"), "#2e9d62"),
    ("cost_to_serve", gettext_lazy("Cost to serve"), "#d9822b"),
)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Label:
    x: float
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    zero_y: float = 0
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def _nice_step(span: int) -> int:
    """A round step (1, 2, 5 × 10ⁿ) giving about four grid lines over `span`."""
    raw = max(span / 4, 1)
    power = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _short(value: int) -> str:
    """A grid label in whole units: 1.2M, 350k (1,2 млн, 350 тыс. in Russian)."""
    sign = "−" if value < 0 else ""
    value = abs(value)
    point = "," if (get_language() or "en").startswith("ru") else "."
    for limit, suffix in ((10**9, _("%(n)sG")), (10**6, _("%(n)sM")), (10**3, _("%(n)sk"))):
        if value >= limit:
            # Integer arithmetic: one decimal, rounded half to even, no float on the way.
            tenths = round(Fraction(value * 10, limit))
            text = f"{tenths // 10}{point}{tenths % 10}" if tenths % 10 else str(tenths // 10)
            return sign + str(suffix) % {"n": text}
    return f"{sign}{value}"


def indicators_chart(data: Indicators, *, minor_per_unit: int = 100) -> Chart:
    chart = Chart(legend=[(str(label), color) for _key, label, color in SERIES])
    rows = data.rows
    if not rows:
        return chart
    values = [
        [getattr(row, key) // minor_per_unit for key, _label, _color in SERIES] for row in rows
    ]
    high = max(0, *(v for row in values for v in row))
    low = min(0, *(v for row in values for v in row))
    step = _nice_step(high - low or 1)
    top = -(-high // step) * step if high else step
    bottom = (low // step) * step
    plot_h = HEIGHT - TOP - BOTTOM
    scale = plot_h / (top - bottom)

    def y_of(value: int) -> float:
        return round(TOP + (top - value) * scale, 1)

    chart.zero_y = y_of(0)
    tick = bottom
    while tick <= top:
        chart.ticks.append(Tick(y=y_of(tick), label=_short(tick)))
        tick += step
    plot_w = WIDTH - LEFT - RIGHT
    group = plot_w / len(rows)
    bar_w = max(round(group * 0.8 / len(SERIES), 1), 1)
    every = max(1, -(-len(rows) // 12))  # at most about twelve period labels
    for i, (row, row_values) in enumerate(zip(rows, values, strict=True)):
        x0 = LEFT + i * group + group * 0.1
        for j, (value, (_key, label, color)) in enumerate(zip(row_values, SERIES, strict=True)):
            y = y_of(max(value, 0))
            height = abs(y_of(value) - chart.zero_y)
            chart.bars.append(
                Bar(
                    x=round(x0 + j * bar_w, 1),
                    y=y,
                    width=bar_w,
                    height=round(max(height, 0.5 if value else 0), 1),
                    color=color,
                    title=f"{row.label}: {label} {value:,}".replace(",", " "),
                )
            )
        if i % every == 0:
            chart.labels.append(Label(x=round(LEFT + i * group + group / 2, 1), text=row.label))
    return chart
