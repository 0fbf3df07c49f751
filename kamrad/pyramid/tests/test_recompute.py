"""pyramid_recompute on hand-made work histories whose answers are known."""

import random
from datetime import date

import pytest
from django.db import connection

from kamrad.clients.models import Organization
from kamrad.pyramid import services
from kamrad.pyramid.models import ClientValue, PyramidSettings, RecomputeRun, Tier, TierMove, Trend
from kamrad.pyramid.tests.helpers import ON, QUARTERS, client, cost, sale, steady
from kamrad.value.models import Sale, ServiceCost

pytestmark = pytest.mark.django_db


def recompute(**kwargs) -> RecomputeRun:
    return services.pyramid_recompute(user=None, on=ON, **kwargs)


def value(org: Organization) -> ClientValue:
    return ClientValue.objects.get(organization=org)


def test_it_sums_profit_minus_cost_to_serve_over_the_life_up_to_the_day() -> None:
    org = client("Ромашка")
    sale(org, date(2019, 3, 1), 100_000_00, cost=60_000_00)  # long ago: still counts
    sale(org, date(2026, 7, 15), 10_00, cost=1_00)  # on the day
    sale(org, date(2026, 7, 16), 999_999_99)  # after the day: not yet
    cost(org, date(2024, 1, 1), 5_000_00)
    cost(org, date(2030, 1, 1), 7_00)
    recompute()
    row = value(org)
    assert row.profit == 40_000_00 + 9_00
    assert row.cost_to_serve == 5_000_00
    assert row.ltv == 35_009_00


def test_it_keeps_kopecks_exact_in_large_sums() -> None:
    org = client("Big")
    for _i in range(3):
        sale(org, date(2025, 1, 1), 3_000_000_000_000_01)  # 30 trillion and a kopeck
    recompute()
    assert value(org).ltv == 9_000_000_000_000_03


def test_a_client_with_no_history_is_strategic_with_ltv_zero() -> None:
    org = client("Quiet")
    recompute()
    row = value(org)
    assert (row.ltv, row.tier, row.trend, row.cv) == (0, Tier.STRATEGIC, Trend.STABLE, 0.0)


def test_only_organizations_of_kind_client_are_in_the_pyramid() -> None:
    prospect = client("Maybe", kind=Organization.Kind.PROSPECT)
    sale(prospect, date(2025, 1, 1), 100)
    recompute()
    assert not ClientValue.objects.filter(organization=prospect).exists()


def test_it_assigns_the_four_tiers() -> None:
    top = client("Top")
    steady(top, 1000)
    rest = [client(f"Steady {i}") for i in range(7)]
    for org in rest:
        steady(org, 100)
    worker = client("Worker")
    for i, day in enumerate(QUARTERS):
        sale(worker, day, 400 if i % 2 else 0)
    ballast = client("Ballast")
    cost(ballast, date(2025, 1, 1), 1)
    recompute()  # 10 clients: 2 most valuable
    assert value(top).tier == Tier.MOST_VALUABLE
    assert value(worker).tier == Tier.MOST_VALUABLE  # 1600 — second by LTV
    assert value(ballast).tier == Tier.BALLAST
    assert {value(org).tier for org in rest} == {Tier.STRATEGIC}
    for org in rest[:3]:
        steady(org, 1000)  # now three clients are above the worker
    recompute()
    assert value(worker).tier == Tier.WORKERS
    assert value(worker).is_unstable


def test_the_trend_and_cv_come_from_the_recent_quarters() -> None:
    growing = client("Growing")
    for i, day in enumerate(QUARTERS):
        sale(growing, day, 100 + 20 * i)
    falling = client("Falling")
    for i, day in enumerate(QUARTERS):
        sale(falling, day, 300 - 20 * i)
    old = client("Old")
    sale(old, date(2020, 1, 1), 5000)  # before the recent quarters: no trend to see
    recompute()
    assert value(growing).trend == Trend.GROWING
    assert value(falling).trend == Trend.FALLING
    assert value(old).trend == Trend.STABLE
    assert value(old).recent_ltv == 0
    assert value(growing).recent_ltv == sum(100 + 20 * i for i in range(8))


def test_a_second_run_writes_nothing() -> None:
    for i in range(6):
        steady(client(f"C{i}"), 100 * (i + 1))
    first = recompute()
    assert first.changed == 6 and first.moves == 6
    stamps = dict(ClientValue.objects.values_list("organization_id", "computed_at"))
    second = recompute()
    assert (second.changed, second.moves, second.status) == (0, 0, RecomputeRun.Status.DONE)
    assert dict(ClientValue.objects.values_list("organization_id", "computed_at")) == stamps
    assert TierMove.objects.count() == 6


def test_it_records_tier_moves_and_marks_falls() -> None:
    orgs = [client(f"C{i}") for i in range(5)]
    for i, org in enumerate(orgs):
        steady(org, 100 * (i + 1))
    recompute()
    entered = TierMove.objects.get(organization=orgs[4])
    assert (entered.from_tier, entered.to_tier, entered.is_fall) == ("", Tier.MOST_VALUABLE, False)
    cost(orgs[4], date(2026, 1, 1), 10_000)  # the top client now costs more than it brings
    steady(orgs[0], 1000)  # the smallest one rises to the top
    run = recompute()
    fall = TierMove.objects.get(run=run, organization=orgs[4])
    assert (fall.from_tier, fall.to_tier, fall.is_fall) == (
        Tier.MOST_VALUABLE,
        Tier.BALLAST,
        True,
    )
    rise = TierMove.objects.get(run=run, organization=orgs[0])
    assert (rise.to_tier, rise.is_fall) == (Tier.MOST_VALUABLE, False)


def test_a_client_that_stops_being_one_leaves_the_pyramid_with_a_move() -> None:
    org = client("Former")
    steady(org, 10)
    recompute()
    Organization.objects.filter(pk=org.pk).update(kind=Organization.Kind.PARTNER)
    recompute()
    assert not ClientValue.objects.filter(organization=org).exists()
    left = TierMove.objects.filter(organization=org).first()
    assert (left.to_tier, left.is_fall) == ("", False)


def test_changing_the_settings_moves_clients_between_tiers() -> None:
    orgs = [client(f"C{i}") for i in range(10)]
    for i, org in enumerate(orgs):
        steady(org, 100 * (i + 1))
    recompute()
    assert ClientValue.objects.filter(tier=Tier.MOST_VALUABLE).count() == 2
    settings_row = PyramidSettings.current()
    services.pyramid_settings_update(
        user=None, data={"top_share_percent": 50}, expected_version=settings_row.version
    )
    run = recompute()
    assert ClientValue.objects.filter(tier=Tier.MOST_VALUABLE).count() == 5
    assert TierMove.objects.filter(run=run, to_tier=Tier.MOST_VALUABLE).count() == 3


def test_a_stale_settings_edit_is_refused_and_an_unchanged_one_writes_nothing() -> None:
    row = PyramidSettings.current()
    services.pyramid_settings_update(user=None, data={"quarters": 4}, expected_version=1)
    with pytest.raises(services.StaleEdit):
        services.pyramid_settings_update(user=None, data={"quarters": 6}, expected_version=1)
    same = services.pyramid_settings_update(user=None, data={"quarters": 4}, expected_version=2)
    assert same.version == 2
    assert row.history.count() == 2  # created, changed once


def test_only_one_recompute_runs_at_a_time() -> None:
    running = services.recompute_start(user=None, on=ON)
    with pytest.raises(services.RecomputeBusy):
        services.recompute_start(user=None, on=ON)
    services.pyramid_recompute(user=None, on=ON, run=running)
    assert services.recompute_start(user=None, on=ON).status == RecomputeRun.Status.RUNNING


def test_recomputing_only_the_touched_clients_gives_the_same_answer_as_all() -> None:
    orgs = [client(f"C{i}") for i in range(10)]
    for i, org in enumerate(orgs):
        steady(org, 100 * (i + 1))
    recompute()
    sale(orgs[0], date(2026, 3, 1), 50_000)  # the smallest client jumps to the top
    client("New, no history yet")  # not among the touched: it has no records
    run = recompute(organization_ids=[orgs[0].pk])
    partial = dict(ClientValue.objects.values_list("organization_id", "tier"))
    # 11 clients: the top three.
    assert partial[orgs[0].pk] == Tier.MOST_VALUABLE
    assert partial[orgs[7].pk] == Tier.STRATEGIC
    ClientValue.objects.all().delete()
    recompute()
    assert dict(ClientValue.objects.values_list("organization_id", "tier")) == partial
    assert run.clients == 11


def test_the_touched_list_is_ignored_when_the_quarters_moved() -> None:
    org = client("C")
    steady(org, 100)
    recompute()
    sale(org, date(2026, 8, 1), 1)  # not told; the next quarter has begun anyway
    services.pyramid_recompute(user=None, on=date(2026, 10, 2), organization_ids=[])
    assert value(org).ltv == 801


def stored_rows() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in ClientValue.objects.values_list(
            "organization_id",
            "ltv",
            "profit",
            "cost_to_serve",
            "recent_ltv",
            "cv",
            "is_unstable",
            "trend",
            "tier",
        )
    }


def test_an_incremental_run_leaves_every_figure_as_a_full_one_would() -> None:
    orgs = [client(f"C{i}") for i in range(10)]
    for i, org in enumerate(orgs):
        steady(org, 100 * (i + 1))
    swinging = client("Swinging")
    for i, day in enumerate(QUARTERS):
        sale(swinging, day, 300 if i % 2 else 0)
    recompute()  # 11 clients: the top three are orgs[9], orgs[8], orgs[7]
    assert value(orgs[7]).tier == Tier.MOST_VALUABLE
    sale(orgs[0], date(2026, 3, 1), 50_000)  # touched: jumps to the top
    cost(orgs[1], date(2026, 4, 1), 90_000)  # touched: now ballast
    Organization.objects.filter(pk=orgs[2].pk).update(kind=Organization.Kind.PARTNER)
    newcomer = client("New, no history yet")
    run = recompute(organization_ids=[orgs[0].pk, orgs[1].pk])
    partial = stored_rows()
    # orgs[7] was not touched, yet the jump pushed it out of the top three.
    assert partial[orgs[7].pk][-1] == Tier.STRATEGIC
    pushed = TierMove.objects.get(run=run, organization=orgs[7])
    assert (pushed.from_tier, pushed.to_tier, pushed.is_fall, pushed.ltv) == (
        Tier.MOST_VALUABLE,
        Tier.STRATEGIC,
        True,
        800 * 8,
    )
    assert orgs[2].pk not in partial
    assert partial[newcomer.pk] == (0, 0, 0, 0, 0.0, False, Trend.STABLE, Tier.STRATEGIC)
    # Written: the two touched, orgs[7], the newcomer, the one that left.
    assert run.changed == 5
    moved = set(TierMove.objects.filter(run=run).values_list("organization_id", flat=True))
    assert moved == {orgs[0].pk, orgs[1].pk, orgs[2].pk, orgs[7].pk, newcomer.pk}

    again = recompute()  # a full run finds nothing to change
    assert (again.changed, again.moves) == (0, 0)
    ClientValue.objects.all().delete()
    recompute()
    assert stored_rows() == partial


def test_an_incremental_run_sums_the_tiers_as_a_full_one_does() -> None:
    orgs = [client(f"C{i}") for i in range(6)]
    for i, org in enumerate(orgs):
        steady(org, 100 * (i + 1))
    cost(orgs[0], date(2026, 1, 1), 5_000)
    recompute()
    sale(orgs[3], date(2026, 5, 1), 7_000)
    partial = recompute(organization_ids=[orgs[3].pk]).summary
    assert partial[Tier.BALLAST] == [1, 800 - 5_000]
    assert partial[Tier.MOST_VALUABLE] == [2, 400 * 8 + 7_000 + 600 * 8]
    ClientValue.objects.all().delete()
    assert recompute().summary == partial


def test_a_client_with_only_costs_to_serve_is_ballast_with_falling_quarters() -> None:
    org = client("Costly")
    for i, day in enumerate(QUARTERS):
        cost(org, day, 100 * (i + 1))
    cost(org, date(2019, 1, 1), 50)  # long ago: in the life sum only
    recompute()
    row = value(org)
    assert (row.profit, row.cost_to_serve, row.ltv) == (0, 3_650, -3_650)
    assert row.recent_ltv == -3_600
    assert (row.tier, row.trend) == (Tier.BALLAST, Trend.FALLING)


def test_an_infinite_cv_is_stored_empty_and_a_second_run_writes_nothing() -> None:
    org = client("Zero mean")
    for i, day in enumerate(QUARTERS):
        if i % 2:
            sale(org, day, 100)
        else:
            cost(org, day, 100)
    recompute()
    row = value(org)
    assert (row.recent_ltv, row.cv, row.is_unstable) == (0, None, True)
    again = recompute()
    assert (again.changed, again.moves) == (0, 0)


def test_the_rows_of_a_first_run_carry_its_time_and_its_moves() -> None:
    orgs = [client(f"C{i}") for i in range(3)]
    for i, org in enumerate(orgs):
        steady(org, 100 * (i + 1))
    run = recompute()
    stamps = set(ClientValue.objects.values_list("computed_at", flat=True))
    assert len(stamps) == 1
    (stamp,) = stamps
    assert run.started_at <= stamp <= run.finished_at
    moves = TierMove.objects.filter(run=run).order_by("organization_id")
    assert [(m.organization_id, m.from_tier, m.to_tier, m.is_fall, m.ltv) for m in moves] == [
        (orgs[0].pk, "", Tier.STRATEGIC, False, 800),
        (orgs[1].pk, "", Tier.STRATEGIC, False, 1_600),
        (orgs[2].pk, "", Tier.MOST_VALUABLE, False, 2_400),
    ]
    assert {m.at for m in moves} == {stamp}


def test_the_sums_from_the_quarterly_totals_match_the_records_themselves() -> None:
    """`aggregate` reads stored quarters and the running one from the records: the same
    figures as summing every record up to the day, for all clients or a few."""
    rng = random.Random(3)
    orgs = [client(f"Клиент {i}") for i in range(6)]
    for _i in range(300):
        day = date(rng.randint(2023, 2027), rng.randint(1, 12), rng.randint(1, 28))
        org = rng.choice(orgs)
        if rng.random() < 0.8:
            sale(org, day, rng.randint(1, 10**9), cost=rng.randint(0, 10**8))
        else:
            cost(org, day, rng.randint(1, 10**8))
    for on in (ON, date(2026, 9, 30), date(2026, 10, 1), date(2023, 5, 17)):
        quarters = services.recent_quarters(on, 8)
        want: dict[int, list[int]] = {}
        for model, sign in ((Sale, 1), (ServiceCost, -1)):
            for record in model.objects.filter(date__lte=on):
                figures = want.setdefault(record.organization_id, [0, 0, *([0] * 8)])
                amount = record.amount_base - getattr(record, "cost_base", 0)
                figures[0 if sign > 0 else 1] += amount
                for i in range(8):
                    if quarters[i] <= record.date < quarters[i + 1]:
                        figures[2 + i] += sign * amount
        # The life sums, and the moments of the recent quarters: Σp, Σk·pₖ, Σp² (a double).
        moments = {
            pk: (
                f[0],
                f[1],
                sum(f[2:]),
                sum(k * p for k, p in enumerate(f[2:])),
                sum(p * p for p in f[2:]),
            )
            for pk, f in want.items()
        }
        for some in (None, {orgs[1].pk, orgs[4].pk}):
            got = services.aggregate(on, quarters, some)
            got = {pk: f for pk, f in got.items() if any(f)}
            expected = {pk: m for pk, m in moments.items() if some is None or pk in some}
            assert {pk: f[:4] for pk, f in got.items()} == {pk: m[:4] for pk, m in expected.items()}
            for pk, m in expected.items():
                assert got[pk][4] == pytest.approx(m[4], rel=1e-14)
            assert services.quarterly_profits(quarters, some or want) == {
                pk: f[2:] for pk, f in want.items() if (some is None or pk in some) and any(f[2:])
            }


def test_the_planner_settings_of_the_totals_statement_are_put_back() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    sale(client("Ромашка"), date(2025, 1, 1), 100)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_hashagg', 'on', true)")
        services.aggregate(ON, services.recent_quarters(ON, 8))
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_hashagg')"
        )
        assert cursor.fetchone() == ("on", "on")


def test_an_organization_deleted_takes_its_value_and_moves_with_it() -> None:
    """The database does not check these rows' organization; the ORM's cascade (the admin's
    delete) removes them, and a deleted run leaves its moves without a run."""
    kept, gone = client("Остаётся"), client("Уходит")
    steady(kept, 100)
    steady(gone, 200)
    run = recompute()
    assert TierMove.objects.filter(organization=gone).count() == 1
    gone.delete()
    assert not ClientValue.objects.filter(organization_id=gone.pk).exists()
    assert not TierMove.objects.filter(organization_id=gone.pk).exists()
    assert list(ClientValue.objects.values_list("organization_id", flat=True)) == [kept.pk]
    run.delete()
    assert list(TierMove.objects.values_list("organization_id", "run_id")) == [(kept.pk, None)]


def test_a_value_row_left_by_a_deletion_behind_the_orm_goes_at_the_next_run() -> None:
    kept, gone = client("Остаётся"), client("Уходит")
    steady(kept, 100)
    steady(gone, 200)
    recompute()
    with connection.cursor() as cursor:
        for table in ("value_sale", "value_quartertotal", "clients_organization"):
            column = "id" if table == "clients_organization" else "organization_id"
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [gone.pk])
    after = recompute()
    assert list(ClientValue.objects.values_list("organization_id", flat=True)) == [kept.pk]
    move = TierMove.objects.get(run=after, organization_id=gone.pk)
    assert (move.to_tier, move.ltv) == ("", 1_600)
