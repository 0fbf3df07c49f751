"""The verdict on hand-made work histories: each measured criterion at its boundary."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamrad.clients import services as clients
from kamrad.lib import money
from kamrad.qualification import selectors, services
from kamrad.qualification.models import CandidateDecision, Criterion, Measure, QualificationRule
from kamrad.qualification.tests.conftest import (
    AS_OF,
    MILLION_RUB,
    account,
    row_of,
    sale,
    status_of,
)
from kamrad.value.models import ExchangeRate

pytestmark = pytest.mark.django_db

SALES_THRESHOLD = 500 * MILLION_RUB  # $5M at 100 RUB
TURNOVER_THRESHOLD = 50 * MILLION_RUB  # $500k
BALANCE_THRESHOLD = 10 * MILLION_RUB  # $100k
WINDOW_START = datetime.date(2025, 12, 1)  # the last 12 months up to 2026-11-23


def verdict(org):
    return selectors.verdict_for(org, as_of=AS_OF)


def volume_texts(v) -> list[str]:
    return [a.text for a in row_of(v, "volume").alternatives]


# --- Product breadth --------------------------------------------------------------------------


def test_it_counts_three_distinct_product_lines_in_the_window_as_a_wide_range(
    alices_client, usd_rate
):
    for line in ("Loans", "Deposits", "Cards", "Cards"):
        sale(alices_client, datetime.date(2026, 3, 1), 100, line)
    v = verdict(alices_client)
    assert status_of(v, "product_breadth") == "met"
    assert row_of(v, "product_breadth").alternatives[0].text == (
        "Product lines 2025-12..2026-11: 3 ≥ 3"
    )


def test_it_does_not_count_lines_bought_before_the_window_or_sales_without_a_line(
    alices_client, usd_rate
):
    sale(alices_client, WINDOW_START, 100, "Loans")
    sale(alices_client, WINDOW_START, 100, "Deposits")
    sale(alices_client, WINDOW_START - datetime.timedelta(days=1), 100, "Cards")
    sale(alices_client, AS_OF + datetime.timedelta(days=1), 100, "Leasing")
    sale(alices_client, AS_OF, 100, "")
    v = verdict(alices_client)
    assert status_of(v, "product_breadth") == "unmet"
    assert row_of(v, "product_breadth").alternatives[0].figure == 2


# --- Volume: sales, turnover, exports, balance -----------------------------------------------


def test_it_meets_the_sales_threshold_at_exactly_five_million_dollars(alices_client, usd_rate):
    sale(alices_client, WINDOW_START, SALES_THRESHOLD - MILLION_RUB)
    sale(alices_client, AS_OF, MILLION_RUB)
    v = verdict(alices_client)
    assert status_of(v, "volume") == "met"
    assert volume_texts(v)[0] == (
        "Sales 2025-12..2026-11: 500 000 000.00 RUB ≥ 5 000 000.00 USD (500 000 000.00 RUB)"
    )


def test_it_misses_the_sales_threshold_by_one_kopeck(alices_client, usd_rate):
    sale(alices_client, AS_OF, SALES_THRESHOLD - 1)
    sale(alices_client, WINDOW_START - datetime.timedelta(days=1), SALES_THRESHOLD)
    v = verdict(alices_client)
    assert status_of(v, "volume") == "unmet"
    assert "499 999 999.99 RUB <" in volume_texts(v)[0]


def test_it_takes_turnover_in_one_month_not_summed_over_months(alices_client, usd_rate):
    account(alices_client, datetime.date(2026, 2, 1), turnover=TURNOVER_THRESHOLD - 1)
    account(alices_client, datetime.date(2026, 3, 1), turnover=TURNOVER_THRESHOLD - 1)
    assert status_of(verdict(alices_client), "volume") == "unmet"
    account(alices_client, datetime.date(2026, 4, 1), turnover=TURNOVER_THRESHOLD)
    v = verdict(alices_client)
    assert status_of(v, "volume") == "met"
    turnover = row_of(v, "volume").alternatives[1]
    assert (turnover.status.value, turnover.period) == ("met", "2026-04")
    assert turnover.text.startswith("Account turnover 2026-04: 50 000 000.00 RUB ≥")


def test_it_adds_a_months_accounts_in_several_currencies_in_the_base_currency(
    alices_client, usd_rate
):
    month = datetime.date(2026, 5, 1)
    account(alices_client, month, balance=BALANCE_THRESHOLD // 2)
    account(alices_client, month, balance=BALANCE_THRESHOLD // 2, currency="USD")
    v = verdict(alices_client)
    balance = row_of(v, "volume").alternatives[3]
    assert (balance.status.value, balance.figure) == ("met", BALANCE_THRESHOLD)


def test_it_sums_exports_over_the_twelve_months(alices_client, usd_rate):
    for month in range(1, 11):
        account(alices_client, datetime.date(2026, month, 1), exports=SALES_THRESHOLD // 10)
    v = verdict(alices_client)
    assert row_of(v, "volume").alternatives[2].status.value == "met"
    # A month before the window does not count.
    account(alices_client, datetime.date(2025, 11, 1), exports=SALES_THRESHOLD)
    assert row_of(verdict(alices_client), "volume").alternatives[2].figure == SALES_THRESHOLD


def test_the_volume_alternatives_count_as_one_criterion_however_many_are_met(
    alices_client, usd_rate
):
    sale(alices_client, AS_OF, SALES_THRESHOLD)
    account(
        alices_client,
        datetime.date(2026, 6, 1),
        turnover=TURNOVER_THRESHOLD,
        balance=BALANCE_THRESHOLD,
        exports=SALES_THRESHOLD,
    )
    v = verdict(alices_client)
    assert [a.status.value for a in row_of(v, "volume").alternatives] == ["met"] * 4
    assert v.met_count == 1
    assert not v.qualifies


# --- Growth ----------------------------------------------------------------------------------


def test_it_meets_growth_at_exactly_twenty_percent_year_on_year(alices_client, usd_rate):
    sale(alices_client, datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    sale(alices_client, datetime.date(2026, 6, 1), 120 * MILLION_RUB)
    v = verdict(alices_client)
    assert status_of(v, "growth") == "met"
    assert row_of(v, "growth").alternatives[0].text == (
        "Sales 2025-12..2026-11 against 2024-12..2025-11: +20.0 % ≥ 20 %"
    )


def test_it_misses_growth_just_under_twenty_percent(alices_client, usd_rate):
    sale(alices_client, datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    sale(alices_client, datetime.date(2026, 6, 1), 120 * MILLION_RUB - 1)
    assert status_of(verdict(alices_client), "growth") == "unmet"


def test_growth_of_turnover_alone_meets_the_growth_criterion(alices_client, usd_rate):
    account(alices_client, datetime.date(2025, 1, 1), turnover=10 * MILLION_RUB)
    account(alices_client, datetime.date(2026, 1, 1), turnover=15 * MILLION_RUB)
    v = verdict(alices_client)
    assert status_of(v, "growth") == "met"
    assert "+50.0 %" in row_of(v, "growth").alternatives[1].text


def test_growth_of_nothing_is_not_met(alices_client, usd_rate):
    v = verdict(alices_client)
    assert status_of(v, "growth") == "unmet"
    assert row_of(v, "growth").alternatives[1].text == (
        "Account turnover: none in 2024-12..2026-11"
    )


def test_growth_without_a_year_before_cannot_be_evaluated(alices_client, usd_rate):
    sale(alices_client, datetime.date(2026, 6, 1), 120 * MILLION_RUB)
    v = verdict(alices_client)
    assert status_of(v, "growth") == "unknown"
    assert row_of(v, "growth").alternatives[0].text == (
        "Sales: nothing in 2024-12..2025-11 to compare with"
    )


# --- Currencies of thresholds ----------------------------------------------------------------


def test_it_converts_a_dollar_threshold_at_the_latest_rate_on_the_day(alices_client, usd_rate):
    ExchangeRate.objects.create(
        currency="USD", date=datetime.date(2026, 11, 1), rate_scaled=money.rate_to_scaled("90")
    )
    ExchangeRate.objects.create(  # after the evaluation date: not yet known then
        currency="USD", date=datetime.date(2026, 11, 30), rate_scaled=money.rate_to_scaled("200")
    )
    sale(alices_client, AS_OF, 450 * MILLION_RUB)
    v = verdict(alices_client)
    sales = row_of(v, "volume").alternatives[0]
    assert (sales.status.value, sales.threshold) == ("met", 450 * MILLION_RUB)
    assert sales.text.endswith("≥ 5 000 000.00 USD (450 000 000.00 RUB)")


def test_a_threshold_in_the_base_currency_needs_no_rate(alices_client):
    volume = Criterion.objects.get(code="volume")
    volume.measures.filter(metric=Measure.Metric.SALES_YEAR).update(
        currency="RUB", amount_minor=SALES_THRESHOLD
    )
    sale(alices_client, AS_OF, SALES_THRESHOLD)
    v = verdict(alices_client)
    assert status_of(v, "volume") == "met"
    assert volume_texts(v)[0] == ("Sales 2025-12..2026-11: 500 000 000.00 RUB ≥ 500 000 000.00 RUB")


def test_a_missing_rate_makes_the_measure_not_evaluable_instead_of_failing(alices_client):
    sale(alices_client, AS_OF, 10 * SALES_THRESHOLD)
    v = verdict(alices_client)
    volume = row_of(v, "volume")
    assert volume.status.value == "unknown"
    assert volume.status_label == "Cannot be evaluated"
    assert volume_texts(v)[0] == (
        "Sales: no USD exchange rate on or before 2026-11-23, cannot be evaluated"
    )
    assert v.met_count == 0


def test_a_missing_rate_for_one_alternative_leaves_the_others_to_decide(alices_client, usd_rate):
    volume = Criterion.objects.get(code="volume")
    volume.measures.filter(metric=Measure.Metric.SALES_YEAR).update(currency="EUR")
    account(alices_client, datetime.date(2026, 6, 1), balance=BALANCE_THRESHOLD)
    v = verdict(alices_client)
    assert [a.status.value for a in row_of(v, "volume").alternatives] == [
        "unknown",
        "unmet",
        "unmet",
        "met",
    ]
    assert status_of(v, "volume") == "met"


# --- Judged criteria, N of M, candidates -----------------------------------------------------


def qualify_by_figures(org) -> None:
    """Product breadth, volume and growth: three of the five."""
    sale(org, datetime.date(2025, 6, 1), 100 * MILLION_RUB, "Loans")
    for line in ("Loans", "Deposits", "Cards"):
        sale(org, datetime.date(2026, 6, 1), 200 * MILLION_RUB, line)


def test_a_judged_criterion_is_not_judged_until_someone_judges_it(alices_client, alice, usd_rate):
    v = verdict(alices_client)
    assert status_of(v, "monopoly") == "unjudged"
    services.judged_mark_set(
        user=alice,
        organization=alices_client,
        criterion=Criterion.objects.get(code="monopoly"),
        met=True,
        note="The only cement works in the region",
        expected_version=0,
    )
    v = verdict(alices_client)
    assert status_of(v, "monopoly") == "met"
    assert row_of(v, "monopoly").mark.note == "The only cement works in the region"
    assert v.met_count == 1


def test_it_qualifies_with_three_of_five_and_not_when_four_are_needed(
    alices_client, head, usd_rate
):
    qualify_by_figures(alices_client)
    v = verdict(alices_client)
    assert (v.met_count, v.enabled_count, v.needed, v.qualifies) == (3, 5, 3, True)
    rule = QualificationRule.objects.get()
    services.rule_update(user=head, min_met=4, expected_version=rule.version)
    v = verdict(alices_client)
    assert (v.needed, v.qualifies) == (4, False)


def test_a_disabled_criterion_is_neither_shown_nor_counted(alices_client, head, usd_rate):
    qualify_by_figures(alices_client)
    growth = Criterion.objects.get(code="growth")
    services.criterion_update(
        user=head, criterion=growth, data={"enabled": False}, expected_version=growth.version
    )
    v = verdict(alices_client)
    assert [row.criterion.code for row in v.criteria] == [
        "product_breadth",
        "volume",
        "monopoly",
        "strategic",
    ]
    assert (v.met_count, v.qualifies) == (2, False)


def test_a_qualifying_client_is_a_candidate_until_the_head_decides(
    alices_client, bobs_client, head, alice, usd_rate
):
    qualify_by_figures(alices_client)
    qualify_by_figures(bobs_client)
    assert verdict(alices_client).is_candidate
    assert [c.organization for c in selectors.candidates(head, as_of=AS_OF)] == [
        bobs_client,
        alices_client,
    ]
    assert [c.organization for c in selectors.candidates(alice, as_of=AS_OF)] == [alices_client]

    services.candidate_decide(
        user=head,
        organization=alices_client,
        outcome=CandidateDecision.Outcome.ADMITTED,
        note="Welcome",
        expected_version=0,
    )
    v = verdict(alices_client)
    assert (v.qualifies, v.is_candidate, v.decision.outcome) == (True, False, "admitted")
    assert [c.organization for c in selectors.candidates(head, as_of=AS_OF)] == [bobs_client]


def test_a_client_that_does_not_qualify_is_no_candidate(alices_client, head, usd_rate):
    sale(alices_client, AS_OF, SALES_THRESHOLD)
    assert not verdict(alices_client).is_candidate
    assert selectors.candidates(head, as_of=AS_OF) == []


# --- Queries ---------------------------------------------------------------------------------


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_one_verdict_costs_the_same_queries_whatever_the_history(alices_client, alice, usd_rate):
    few = queries(lambda: verdict(alices_client))
    qualify_by_figures(alices_client)
    for month in range(1, 12):
        account(alices_client, datetime.date(2026, month, 1), turnover=month, exports=month)
        sale(alices_client, datetime.date(2026, month, 2), month, f"Line {month}")
    for code in ("monopoly", "strategic"):
        services.judged_mark_set(
            user=alice,
            organization=alices_client,
            criterion=Criterion.objects.get(code=code),
            met=True,
            note="Yes",
            expected_version=0,
        )
    assert queries(lambda: verdict(alices_client)) == few <= 8


def test_the_candidates_list_costs_the_same_queries_for_one_client_or_twenty(head, usd_rate):
    first = clients.organization_create(user=head, data={"name": "Client 0"})
    qualify_by_figures(first)
    one = queries(lambda: selectors.candidates(head, as_of=AS_OF))
    for number in range(1, 20):
        org = clients.organization_create(user=head, data={"name": f"Client {number}"})
        qualify_by_figures(org)
    found = []
    assert queries(lambda: found.extend(selectors.candidates(head, as_of=AS_OF))) == one
    assert len(found) == 20


def test_the_screening_summed_in_the_database_agrees_with_the_monthly_reading(
    alices_client, bobs_client, head, usd_rate
):
    """`kamrad qualify` and the candidates list first screen every client with the account
    figures summed in SQL; the card reads them month by month. Both must agree."""
    for line in ("Loans", "Deposits", "Cards"):
        sale(alices_client, datetime.date(2026, 2, 1), MILLION_RUB, line)
    account(alices_client, datetime.date(2025, 3, 1), turnover=10 * MILLION_RUB)
    account(alices_client, datetime.date(2026, 4, 1), turnover=TURNOVER_THRESHOLD)
    account(
        alices_client, datetime.date(2026, 4, 1), turnover=MILLION_RUB, balance=1, currency="USD"
    )
    account(bobs_client, datetime.date(2026, 5, 1), balance=BALANCE_THRESHOLD - 1, exports=7)
    account(bobs_client, datetime.date(2026, 6, 1), balance=BALANCE_THRESHOLD - 1, exports=7)
    setup = selectors.load_setup(AS_OF)
    screened = selectors.verdicts_in_range(0, 10**9, setup)
    for org in (alices_client, bobs_client):
        monthly = selectors.verdict_for(org, as_of=AS_OF)
        assert [(r.criterion.code, r.status) for r in screened[org.pk].criteria] == [
            (r.criterion.code, r.status) for r in monthly.criteria
        ]
        assert [a.figure for r in screened[org.pk].criteria for a in r.alternatives] == [
            a.figure for r in monthly.criteria for a in r.alternatives
        ]
    [candidate] = selectors.candidates(head, as_of=AS_OF)
    assert candidate.organization == alices_client
    turnover = row_of(candidate.verdict, "volume").alternatives[1]
    assert (turnover.status.value, turnover.period) == ("met", "2026-04")
    assert turnover.figure == TURNOVER_THRESHOLD + MILLION_RUB
