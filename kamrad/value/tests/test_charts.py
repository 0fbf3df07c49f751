"""The chart's geometry: bars above and below the zero line, round grid steps, short labels."""

import datetime

from django.utils import translation

from kamrad.value.charts import HEIGHT, _short, indicators_chart
from kamrad.value.selectors import Indicators, Row


def data(*profits: int) -> Indicators:
    rows = [
        Row(
            start=datetime.date(2025, m + 1, 1),
            label=f"2025-{m + 1:02d}",
            revenue=abs(p) * 3,
            cost_of_sales=abs(p) * 3 - p,
            cost_to_serve=abs(p),
        )
        for m, p in enumerate(profits)
    ]
    return Indicators(
        organization_id=1,
        period="month",
        start=rows[0].start,
        end=rows[-1].start,
        currency="RUB",
        rows=rows,
    )


def test_a_loss_hangs_below_the_zero_line_and_gains_stand_on_it():
    chart = indicators_chart(data(100_00, -50_00))
    revenue, profit, _serve, _r2, loss, _s2 = chart.bars
    assert profit.y + profit.height == chart.zero_y
    assert loss.y == chart.zero_y and loss.height > 0
    assert revenue.height == 3 * profit.height
    assert 0 < chart.zero_y < HEIGHT
    assert [t.label for t in chart.ticks][:2] == ["−100", "0"]
    assert [label.text for label in chart.labels] == ["2025-01", "2025-02"]


def test_an_empty_history_draws_a_flat_chart():
    chart = indicators_chart(data(0, 0, 0))
    assert all(bar.height == 0 for bar in chart.bars)


def test_labels_are_short_and_speak_the_language():
    assert [_short(v) for v in (950, 1_500, 2_000_000, -350_000, 3_000_000_000)] == [
        "950",
        "1.5k",
        "2M",
        "−350k",
        "3G",
    ]
    with translation.override("ru"):
        assert _short(1_500_000) == "1,5 млн"
        assert _short(20_000) == "20 тыс."
