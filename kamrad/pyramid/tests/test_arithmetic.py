"""The pure arithmetic: quarters, coefficient of variation, trend, tiers."""

from datetime import date

from kamrad.pyramid.models import Tier, Trend
from kamrad.pyramid.services import (
    assign_tiers,
    coefficient_of_variation,
    is_unstable,
    recent_quarters,
    trend_of,
)


def trend(values: list[int], cv: int = 50, band: int = 5) -> str:
    return trend_of(values, cv_threshold_percent=cv, stable_band_percent=band)


def test_it_takes_the_whole_quarters_before_the_running_one() -> None:
    assert recent_quarters(date(2026, 7, 15), 3) == [
        date(2025, 10, 1),
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
    ]
    assert recent_quarters(date(2026, 1, 1), 1) == [date(2025, 10, 1), date(2026, 1, 1)]


def test_it_computes_the_coefficient_of_variation_as_std_over_mean() -> None:
    # mean 10, population std 5 → 0.5
    assert coefficient_of_variation([5, 15, 5, 15]) == 0.5
    assert coefficient_of_variation([0, 0, 0]) == 0.0
    assert coefficient_of_variation([-5, 5]) is None  # mean zero, yet it varies


def test_it_calls_unstable_only_strictly_above_the_threshold() -> None:
    assert not is_unstable([5, 15, 5, 15], 50)  # CV exactly 0.5
    assert is_unstable([5, 15, 5, 15], 49)
    assert not is_unstable([0, 0, 0, 0], 1)
    assert is_unstable([-5, 5], 10_000)
    # A negative mean counts by its size.
    assert not is_unstable([-5, -15, -5, -15], 50)


def test_it_reads_the_trend_from_the_least_squares_slope_relative_to_the_mean() -> None:
    assert trend([100, 100, 100, 100]) == Trend.STABLE
    assert trend([100, 110, 120, 130]) == Trend.GROWING  # +10/quarter on a mean of 115: 8.7 %
    assert trend([130, 120, 110, 100]) == Trend.FALLING
    assert trend([100, 110, 120, 130], band=9) == Trend.STABLE  # within a 9 % band
    assert trend([100, 0, 0, 100, 100, 0, 0, 100]) == Trend.UNSTABLE  # no direction, swings
    assert trend([0, 0, 0, 0]) == Trend.STABLE
    assert trend([-100, 0, 100]) == Trend.GROWING  # mean zero: any rise is beyond any band


def test_it_puts_the_band_boundary_on_the_stable_side() -> None:
    # A slope of 5 on a mean of 100 is exactly 5 %: not beyond the band.
    assert trend([95, 100, 105], band=5) == Trend.STABLE
    assert trend([95, 100, 105], band=4) == Trend.GROWING


def test_ballast_is_a_negative_ltv_and_zero_is_not() -> None:
    tiers = assign_tiers({1: -1, 2: 0, 3: 10}, {}, top_share_percent=20)
    assert tiers == {1: Tier.BALLAST, 2: Tier.STRATEGIC, 3: Tier.MOST_VALUABLE}


def test_the_top_share_is_exactly_that_share_of_the_clients() -> None:
    ltv = {pk: 1000 - pk for pk in range(1, 11)}  # ten clients
    tiers = assign_tiers(ltv, {}, top_share_percent=20)
    assert [pk for pk, t in tiers.items() if t == Tier.MOST_VALUABLE] == [1, 2]
    # 20 % of 11 is 2.2: rounded up to 3.
    ltv[11] = 1
    tiers = assign_tiers(ltv, {}, top_share_percent=20)
    assert sorted(pk for pk, t in tiers.items() if t == Tier.MOST_VALUABLE) == [1, 2, 3]


def test_ties_at_the_boundary_go_to_the_older_card() -> None:
    ltv = {5: 100, 3: 100, 9: 100, 4: 50, 8: 10}
    tiers = assign_tiers(ltv, {}, top_share_percent=20)  # one place
    assert [pk for pk, t in tiers.items() if t == Tier.MOST_VALUABLE] == [3]


def test_an_ltv_of_zero_is_never_most_valuable_even_in_the_top_share() -> None:
    tiers = assign_tiers({1: 0, 2: 0}, {}, top_share_percent=50)
    assert set(tiers.values()) == {Tier.STRATEGIC}


def test_workers_are_the_unstable_among_the_rest() -> None:
    ltv = {1: 500, 2: 400, 3: 300, 4: -10}
    unstable = {1: True, 2: True, 3: False, 4: True}
    tiers = assign_tiers(ltv, unstable, top_share_percent=25)
    assert tiers == {
        1: Tier.MOST_VALUABLE,  # unstable, yet in the top
        2: Tier.WORKERS,
        3: Tier.STRATEGIC,
        4: Tier.BALLAST,  # unstable, yet negative
    }
