"""The quarterly totals the database keeps: exactly the sums of the records, whoever writes."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection, transaction

from kamrad.clients.generate import _Writer
from kamrad.clients.models import Organization
from kamrad.value import services, totals
from kamrad.value.models import QuarterTotal, Sale, ServiceCost

pytestmark = pytest.mark.django_db


def quarter(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def expected() -> dict[tuple[int, date], tuple[int, int, int]]:
    """The totals summed afresh from every record, in Python."""
    sums: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for org, day, amount, cost in Sale.objects.values_list(
        "organization_id", "date", "amount_base", "cost_base"
    ):
        row = sums[(org, quarter(day))]
        row[0] += 1
        row[1] += amount - cost
    for org, day, amount in ServiceCost.objects.values_list(
        "organization_id", "date", "amount_base"
    ):
        row = sums[(org, quarter(day))]
        row[0] += 1
        row[2] += amount
    return {key: tuple(value) for key, value in sums.items()}


def kept() -> dict[tuple[int, date], tuple[int, int, int]]:
    return {
        (t.organization_id, t.quarter): (t.records, t.sales_profit, t.cost_to_serve)
        for t in QuarterTotal.objects.all()
    }


@pytest.fixture
def orgs() -> list[Organization]:
    return [Organization.objects.create(name=f"Клиент {i}", kind="client") for i in range(3)]


def sale_data(day: date, amount: str, cost: str = "0", currency: str = "RUB") -> dict[str, str]:
    return {"date": day, "currency": currency, "amount": amount, "cost": cost}


def test_every_write_through_the_services_keeps_the_totals_exact(orgs) -> None:
    rng = random.Random(7)
    sales: list[Sale] = []
    costs: list[ServiceCost] = []
    for _step in range(150):
        day = date(rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28))
        org = rng.choice(orgs)
        action = rng.random()
        if action < 0.45 or not sales:
            sales.append(
                services.sale_create(
                    user=None,
                    organization=org,
                    data=sale_data(
                        day, f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}", "12.34"
                    ),
                )
            )
        elif action < 0.6:
            costs.append(
                services.service_cost_create(
                    user=None,
                    organization=org,
                    data={"date": day, "currency": "RUB", "amount": "77.01"},
                )
            )
        elif action < 0.8:
            # Another date (often another quarter) and another amount.
            record = rng.choice(sales)
            record.refresh_from_db()
            services.sale_update(
                user=None,
                sale=record,
                data=sale_data(day, str(rng.randint(1, 5000)), "1"),
                expected_version=record.version,
            )
        elif action < 0.9:
            record = sales.pop(rng.randrange(len(sales)))
            services.sale_delete(user=None, sale=record)
        elif costs:
            record = costs.pop(rng.randrange(len(costs)))
            services.service_cost_delete(user=None, cost=record)
    assert kept() == expected()
    assert len(kept()) > 20


def test_a_quarter_whose_last_record_goes_has_no_row(orgs) -> None:
    sale = services.sale_create(
        user=None, organization=orgs[0], data=sale_data(date(2025, 5, 5), "100")
    )
    assert kept() == {(orgs[0].pk, date(2025, 4, 1)): (1, 10000, 0)}
    sale.refresh_from_db()
    services.sale_update(
        user=None, sale=sale, data=sale_data(date(2025, 7, 1), "100"), expected_version=sale.version
    )
    assert kept() == {(orgs[0].pk, date(2025, 7, 1)): (1, 10000, 0)}
    services.sale_delete(user=None, sale=Sale.objects.get())
    assert kept() == {}


def test_a_deleted_organization_takes_its_totals_along(orgs) -> None:
    for org in orgs[:2]:
        services.sale_create(user=None, organization=org, data=sale_data(date(2025, 1, 9), "5"))
        services.service_cost_create(
            user=None,
            organization=org,
            data={"date": date(2024, 12, 31), "currency": "RUB", "amount": "2"},
        )
    orgs[0].delete()
    assert kept() == expected()
    assert {org for org, _q in kept()} == {orgs[1].pk}


def test_a_new_rate_rebases_the_records_and_their_totals(orgs) -> None:
    services.rate_set(user=None, currency="USD", date=date(2024, 1, 1), rate="90")
    services.sale_create(
        user=None, organization=orgs[0], data=sale_data(date(2025, 2, 2), "10", currency="USD")
    )
    assert kept() == {(orgs[0].pk, date(2025, 1, 1)): (1, 90000, 0)}
    services.rate_set(user=None, currency="USD", date=date(2025, 1, 1), rate="100")
    assert totals.settle() == 1  # the re-based quarter, listed by the bulk update
    assert kept() == {(orgs[0].pk, date(2025, 1, 1)): (1, 100000, 0)}
    assert kept() == expected()


COLUMNS = (
    "version",
    "created_at",
    "updated_at",
    "organization_id",
    "external_id",
    "source",
    "date",
    "product_line",
    "description",
    "quantity",
    "currency",
    "amount_minor",
    "cost_minor",
    "amount_base",
    "cost_base",
)


def raw_sales(org: Organization, days: list[date]) -> None:
    stamp = connection.ops.adapt_datetimefield_value(org.created_at)
    _Writer().write(
        "value_sale",
        COLUMNS,
        [
            (
                1,
                stamp,
                stamp,
                org.pk,
                "",
                "raw",
                connection.ops.adapt_datefield_value(day),
                "",
                "",
                1,
                "RUB",
                500,
                100,
                500,
                100,
            )
            for day in days
        ],
    )


def test_raw_sql_writes_are_kept_too(orgs) -> None:
    with transaction.atomic():
        raw_sales(orgs[0], [date(2025, 3, 31), date(2025, 4, 1)])
    assert kept() == {
        (orgs[0].pk, date(2025, 1, 1)): (1, 400, 0),
        (orgs[0].pk, date(2025, 4, 1)): (1, 400, 0),
    }


def test_a_bulk_write_sums_the_touched_clients_once_at_its_end(orgs) -> None:
    services.sale_create(user=None, organization=orgs[1], data=sale_data(date(2025, 1, 9), "5"))
    before = kept()
    touched: set[tuple[int, date]] = set()
    with transaction.atomic(), totals.bulk(touched):
        raw_sales(orgs[0], [date(2025, 5, 1)] * 3 + [date(2024, 12, 31)])
        assert kept() == before  # the triggers stand aside
        touched |= {(orgs[0].pk, date(2025, 5, 1)), (orgs[0].pk, date(2024, 12, 31))}
    assert kept() == before  # listed as stale, not summed yet
    assert totals.settle() == 2
    assert kept() == expected()
    assert kept()[(orgs[0].pk, date(2025, 4, 1))] == (3, 1200, 0)
    assert kept()[(orgs[0].pk, date(2024, 10, 1))] == (1, 400, 0)


def test_a_bulk_write_sums_again_only_the_quarters_it_names(orgs) -> None:
    services.sale_create(user=None, organization=orgs[0], data=sale_data(date(2025, 1, 9), "5"))
    with transaction.atomic(), totals.bulk({(orgs[0].pk, date(2025, 8, 20))}):
        raw_sales(orgs[0], [date(2025, 7, 1), date(2025, 9, 30)])
    totals.settle()
    assert kept() == expected()
    # A quarter the writer did not name is not read again (here: tampered with, and left).
    QuarterTotal.objects.filter(quarter=date(2025, 1, 1)).update(sales_profit=1)
    with transaction.atomic(), totals.bulk({(orgs[0].pk, date(2025, 7, 2))}):
        raw_sales(orgs[0], [date(2025, 8, 1)])
    totals.settle()
    assert kept()[(orgs[0].pk, date(2025, 7, 1))] == (3, 1200, 0)
    assert kept()[(orgs[0].pk, date(2025, 1, 1))] == (1, 1, 0)


def test_after_a_failed_bulk_write_the_triggers_are_back(orgs) -> None:
    with pytest.raises(RuntimeError), transaction.atomic(), totals.bulk(set()):
        raw_sales(orgs[0], [date(2025, 5, 1)])
        raise RuntimeError("the import failed")
    with transaction.atomic():
        raw_sales(orgs[0], [date(2025, 6, 1)])
    assert kept() == expected() == {(orgs[0].pk, date(2025, 4, 1)): (1, 400, 0)}


def test_refresh_of_everyone_mends_a_table_that_was_tampered_with(orgs) -> None:
    services.sale_create(user=None, organization=orgs[2], data=sale_data(date(2025, 8, 9), "7"))
    QuarterTotal.objects.all().delete()
    with transaction.atomic():
        totals.refresh()
    assert kept() == expected() != {}


def test_touched_quarters_are_one_bit_each_and_an_early_date_means_the_whole_client() -> None:
    touched = totals.Touched([(1, date(2025, 5, 3)), (1, "2025-06-30"), (2, date(1900, 1, 1))])
    touched.add(1, date(2024, 12, 31))
    touched.add(3, date(1899, 12, 31))
    assert list(touched.pairs()) == [
        (1, date(2024, 10, 1)),
        (1, date(2025, 4, 1)),
        (2, date(1900, 1, 1)),
    ]
    assert touched.whole() == [3]
    touched.add(3, date(2025, 1, 1))
    assert touched.whole() == [3]
    assert not totals.Touched()


def test_a_client_with_records_before_1900_is_summed_again_whole(orgs) -> None:
    services.sale_create(user=None, organization=orgs[0], data=sale_data(date(2025, 1, 9), "5"))
    QuarterTotal.objects.update(sales_profit=1)
    with transaction.atomic(), totals.bulk([(orgs[0].pk, date(1899, 1, 1))]):
        raw_sales(orgs[0], [date(1899, 3, 1)])
    assert totals.settle() == 0  # summed at once, not listed
    assert kept() == expected()
    assert kept()[(orgs[0].pk, date(1899, 1, 1))] == (1, 400, 0)
