"""The indicators' table rows and chart marks, rendered in Python: values, signs, escaping."""

import datetime

from django.utils import translation

from kamrad.value.charts import indicators_chart
from kamrad.value.selectors import Indicators, Row
from kamrad.value.templatetags.value_tags import chart_marks, indicator_rows, indicator_total


def loss_month() -> Row:
    return Row(
        start=datetime.date(2025, 3, 1),
        label="<Q1> & co",
        revenue=100_000_00,
        cost_of_sales=150_000_00,
        cost_to_serve=2_000_00,
        payments_received=5_000_00,
        payments_late=2,
        days_late_total=5,
        claims_opened=3,
        claims_open=1,
        turnover=7_000_000_00,
        balance_total=900_00,
        balance_months=1,
        exports=1_00,
    )


def test_a_row_shows_whole_units_marks_losses_and_escapes_its_label():
    html = indicator_rows([loss_month()], 100, False)
    assert html.startswith('<tr><th scope="row">&lt;Q1&gt; &amp; co</th>')
    cells = html.split("<td")[1:]
    assert len(cells) == 10
    assert '"num">100\u00a0000</td>' in cells[0]
    assert cells[2] == ' class="num negative">−50\u00a0000</td>'  # profit
    assert cells[4] == ' class="num negative">−52\u00a0000</td>'  # less the cost to serve
    assert cells[6] == ' class="num">2</td>'  # late payments
    assert cells[7] == ' class="num">2.5</td>'  # average days late
    assert html.endswith("</tr>\n")


def test_account_columns_come_only_with_accounts_and_a_total_row_is_marked():
    html = indicator_total(loss_month(), 100, True)
    assert html.startswith('<tr class="total">')
    assert html.count("<td") == 13
    assert (
        '"num">7\u00a0000\u00a0000</td><td class="num">900</td><td class="num">1</td></tr>' in html
    )


def test_no_late_payment_shows_a_dash_and_russian_uses_a_decimal_comma():
    quiet = Row(label="2025-04")
    assert '<td class="num">—</td>' in indicator_rows([quiet], 100, False)
    with translation.override("ru"):
        assert '<td class="num">2,5</td>' in indicator_rows([loss_month()], 100, False)


def test_the_chart_marks_draw_every_bar_grid_line_and_label():
    rows = [loss_month(), Row(start=datetime.date(2025, 4, 1), label="2025-04", revenue=10_00)]
    data = Indicators(
        organization_id=1,
        period="month",
        start=rows[0].start,
        end=rows[1].start,
        currency="RUB",
        rows=rows,
    )
    chart = indicators_chart(data)
    svg = chart_marks(chart)
    assert svg.count("<rect ") == len(chart.bars) == 6
    assert svg.count("<line ") == len(chart.ticks) + 1
    assert f'y1="{chart.zero_y}" y2="{chart.zero_y}" stroke="#8a93a0"' in svg
    assert "<title>&lt;Q1&gt; &amp; co: Revenue 100 000</title>" in svg
    assert svg.count('text-anchor="middle"') == len(chart.labels) == 2
