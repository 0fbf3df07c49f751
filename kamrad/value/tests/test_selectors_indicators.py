"""A client's indicators by month, quarter and year: the arithmetic on a hand-made history
where every answer is known, empty periods as zero rows, a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from kamrad.value import selectors, services

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2024, 12, 31)


@pytest.fixture
def history(alice, alices_client, usd):
    org = alices_client

    def add(create, **data):
        create(user=alice, organization=org, data=data)

    # January: a sale in roubles and one in dollars (100 USD = 9 050 RUB).
    add(services.sale_create, date=D(2024, 1, 10), currency="RUB", amount="1000", cost="600")
    add(services.sale_create, date=D(2024, 1, 20), currency="USD", amount="100", cost="50")
    # March: a loss-making sale. February has nothing at all.
    add(services.sale_create, date=D(2024, 3, 3), currency="RUB", amount="500", cost="700")
    add(services.service_cost_create, date=D(2024, 1, 31), currency="RUB", amount="250")
    add(services.service_cost_create, date=D(2024, 5, 1), currency="RUB", amount="100")
    # Payments: on time, 10 days late, 4 days late, and one never paid (due 1 Dec: 30 days).
    add(
        services.payment_create,
        due_date=D(2024, 1, 15),
        paid_date=D(2024, 1, 14),
        currency="RUB",
        amount="1000",
    )
    add(
        services.payment_create,
        due_date=D(2024, 1, 25),
        paid_date=D(2024, 2, 4),
        currency="RUB",
        amount="9050",
    )
    add(
        services.payment_create,
        due_date=D(2024, 3, 10),
        paid_date=D(2024, 3, 14),
        currency="RUB",
        amount="500",
    )
    add(services.payment_create, due_date=D(2024, 12, 1), currency="RUB", amount="42")
    add(services.claim_create, date=D(2024, 1, 5), subject="Slow", resolved_on=D(2024, 1, 9))
    add(services.claim_create, date=D(2024, 3, 5), subject="Outage")
    add(
        services.account_month_create,
        month=D(2024, 1, 1),
        currency="RUB",
        turnover="100",
        average_balance="10.01",
        exports="1",
    )
    add(
        services.account_month_create,
        month=D(2024, 2, 1),
        currency="RUB",
        turnover="200",
        average_balance="20",
        exports="2",
    )
    return org


def rows_by_label(data):
    return {row.label: row for row in data.rows}


def test_it_sums_each_month_in_base_and_shows_empty_months_as_zeros(history):
    data = selectors.indicators(
        history, period="month", start=D(2024, 1, 1), end=D(2024, 6, 30), today=TODAY
    )
    assert [r.label for r in data.rows] == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-05",
        "2024-06",
    ]
    jan, feb, mar, apr, may, _jun = data.rows
    assert (jan.revenue, jan.cost_of_sales, jan.profit) == (1005000, 512500, 492500)
    assert (jan.cost_to_serve, jan.value) == (25000, 467500)
    assert (jan.payments_received, jan.payments_late, jan.average_days_late) == (
        100000,
        1,
        Decimal("10.0"),
    )
    assert (jan.claims_opened, jan.claims_open) == (1, 0)
    assert (jan.turnover, jan.average_balance, jan.exports) == (10000, 1001, 100)
    assert (feb.revenue, feb.payments_received, feb.turnover) == (0, 905000, 20000)
    assert (mar.profit, mar.claims_open, mar.payments_late) == (-20000, 1, 1)
    assert apr == type(apr)(start=D(2024, 4, 1), label="2024-04")
    assert may.cost_to_serve == 10000
    assert data.has_accounts is True


def test_quarters_and_years_add_up_the_same_records(history):
    quarters = rows_by_label(
        selectors.indicators(
            history, period="quarter", start=D(2024, 1, 1), end=D(2024, 12, 31), today=TODAY
        )
    )
    q1 = quarters["Q1 2024"]
    assert (q1.revenue, q1.profit, q1.cost_to_serve) == (1055000, 472500, 25000)
    assert (q1.payments_late, q1.average_days_late) == (2, Decimal("7.0"))
    assert (q1.claims_opened, q1.claims_open) == (2, 1)
    # Two months of balances: their mean, rounded half to even ((1001 + 2000) / 2 = 1500.5).
    assert q1.average_balance == 1500
    assert q1.turnover == 30000
    q4 = quarters["Q4 2024"]
    assert (q4.payments_late, q4.days_late_total) == (1, 30)  # unpaid, overdue as of today
    assert quarters["Q3 2024"].revenue == 0
    year = selectors.indicators(
        history, period="year", start=D(2023, 1, 1), end=D(2024, 12, 31), today=TODAY
    )
    assert [r.label for r in year.rows] == ["2023", "2024"]
    assert year.rows[0].revenue == 0
    assert year.rows[1].value == 472500 - 25000 - 10000
    assert year.total.revenue == 1055000
    assert year.total.payments_late == 3


def test_a_range_inside_periods_counts_the_whole_periods(history):
    data = selectors.indicators(
        history, period="quarter", start=D(2024, 2, 15), end=D(2024, 2, 16), today=TODAY
    )
    assert (data.start, data.end) == (D(2024, 1, 1), D(2024, 3, 31))
    assert data.rows[0].revenue == 1055000


def test_an_empty_history_is_all_zero_rows_over_the_default_range(alices_client):
    data = selectors.indicators(alices_client, period="month", today=D(2026, 11, 23))
    assert len(data.rows) == 12
    assert (data.start, data.end) == (D(2025, 12, 1), D(2026, 11, 30))
    assert data.is_empty and not data.has_accounts
    assert data.total.revenue == 0


def test_another_clients_records_never_count(history, bob, bobs_client):
    services.sale_create(
        user=bob,
        organization=bobs_client,
        data={"date": D(2024, 1, 2), "currency": "RUB", "amount": "99999"},
    )
    data = selectors.indicators(
        history, period="year", start=D(2024, 1, 1), end=D(2024, 12, 31), today=TODAY
    )
    assert data.total.revenue == 1055000


def test_it_costs_one_query_however_long_the_history(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.indicators(history, period="month", start=D(2000, 1, 1), end=D(2024, 12, 31))
    with django_assert_num_queries(1):
        selectors.indicators(history, period="year", start=D(1, 1, 1), end=D(9999, 1, 1))
