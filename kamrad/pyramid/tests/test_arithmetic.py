"""The pure arithmetic: quarters, coefficient of variation, trend, tiers."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kamrad.pyramid.models import Tier, Trend
from kamrad.pyramid.services import (
    assign_tiers,
    classify,
    coefficient_of_variation,
    is_unstable,
    moments_classifier,
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


def float_moments(quarterly: list[int]) -> tuple[int, int, float]:
    """The moments as the database sums them: Σp and Σk·pₖ exact, Σp² in doubles."""
    total = 0.0
    for p in quarterly:
        total += float(p) * float(p)
    return sum(quarterly), sum(k * p for k, p in enumerate(quarterly)), total


# Quarterly profits in kopecks from small to far beyond what 64-bit squares hold; a few
# repeated values make flat and near-threshold series common.
profits = st.lists(
    st.one_of(
        st.integers(-(10**6), 10**6),
        st.integers(-(10**15), 10**15),
        st.sampled_from([0, 10**12, 10**12 + 1, -(10**12)]),
    ),
    min_size=2,
    max_size=40,
)


@given(profits, st.integers(1, 10_000), st.integers(0, 1000))
def test_the_moments_in_floating_point_decide_as_the_integers_or_not_at_all(
    quarterly: list[int], cv: int, band: int
) -> None:
    by_moments = moments_classifier(len(quarterly), cv, band)
    exact = classify(quarterly, cv, band)
    decided = by_moments(*float_moments(quarterly))
    if decided is not None:
        assert decided[1:] == exact[1:]  # unstable and trend, exactly
        if exact[0] is None:
            assert decided[0] is None
        else:
            assert decided[0] is not None
            assert abs(decided[0] - exact[0]) <= 1e-4  # the CV shown, to its 4 places
    # With Σp² as an integer the moments always decide, as the list does.
    s1, sxi, _s2 = float_moments(quarterly)
    assert by_moments(s1, sxi, sum(p * p for p in quarterly)) == exact


def test_a_cv_on_the_threshold_is_left_to_the_exact_sums() -> None:
    """[5, 15, 5, 15] has a CV of exactly 0.5: in doubles that is too close to call."""
    by_moments = moments_classifier(4, 50, 5)
    assert by_moments(*float_moments([5, 15, 5, 15])) is None
    assert by_moments(40, 70, 500) == classify([5, 15, 5, 15], 50, 5)
    scaled = [5 * 10**12, 15 * 10**12, 5 * 10**12, 15 * 10**12]  # squares beyond 64 bits
    assert by_moments(*float_moments(scaled)) is None
    assert moments_classifier(4, 49, 5)(*float_moments(scaled)) == classify(scaled, 49, 5)
    assert moments_classifier(4, 1, 5)(0, 0, 0.0) == (0.0, False, Trend.STABLE)
