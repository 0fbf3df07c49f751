"""The coverage chart as plain geometry for a server-rendered SVG (no JavaScript).

Two stacked areas over the program's time — clients worked through at the bottom, clients in
progress above them — under the line of all the program's clients. The template draws what
this computes; the tables beside it carry the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from kamrad.program.selectors import CoveragePoint

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 60, 12, 12, 28
SERIES = (
    ("worked", gettext_lazy("Worked through"), "#2e9d62"),
    ("in_progress", gettext_lazy("In progress"), "#d9822b"),
    ("total", gettext_lazy("All clients on the list"), "#3f3f46"),
)


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Label:
    x: float
    text: str
    anchor: str = "middle"


@dataclass
class CoverageChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    base_y: float = HEIGHT - BOTTOM
    worked: str = ""  # polygon points
    in_progress: str = ""
    total: str = ""  # polyline points
    ticks: list[Tick] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[tuple[str, str, str]] = field(default_factory=list)
    last: CoveragePoint | None = None

    @property
    def empty(self) -> bool:
        return self.last is None


def _nice_step(span: int) -> int:
    """A round step (1, 2, 5 × 10ⁿ) giving about four grid lines over `span`."""
    raw = max(span / 4, 1)
    power = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _points(pairs: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in pairs)


def coverage_chart(points: list[CoveragePoint]) -> CoverageChart:
    chart = CoverageChart(legend=[(key, str(label), color) for key, label, color in SERIES])
    if not points:
        return chart
    chart.last = points[-1]
    high = max(p.total for p in points) or 1
    step = _nice_step(high)
    top = -(-high // step) * step
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def y_of(value: int) -> float:
        return round(TOP + (top - value) * plot_h / top, 1)

    def x_of(i: int) -> float:
        return round(LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2), 1)

    tick = 0
    while tick <= top:
        chart.ticks.append(Tick(y=y_of(tick), label=str(tick)))
        tick += step
    xs = [x_of(i) for i in range(len(points))]
    base = y_of(0)
    worked = [(x, y_of(p.worked)) for x, p in zip(xs, points, strict=True)]
    started = [(x, y_of(p.worked + p.in_progress)) for x, p in zip(xs, points, strict=True)]
    chart.worked = _points([(xs[0], base), *worked, (xs[-1], base)])
    chart.in_progress = _points([*worked[::-1], *started])
    chart.total = _points([(x, y_of(p.total)) for x, p in zip(xs, points, strict=True)])
    every = max(1, -(-len(points) // 6))  # about six dates under the axis
    for i, point in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            chart.labels.append(Label(x=xs[i], text=date_format(point.on, "SHORT_DATE_FORMAT")))
    if len(chart.labels) > 1 and chart.labels[-1].x - chart.labels[-2].x < 60:
        del chart.labels[-2]
    # The first and the last date stay inside the drawing.
    chart.labels[0].anchor = "start"
    if len(chart.labels) > 1:
        chart.labels[-1].anchor = "end"
    return chart
