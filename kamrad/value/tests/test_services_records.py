"""Writing work-history records: validated, converted to base once at the record's date,
versioned like the card's records."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from kamrad.clients.services import StaleEdit
from kamrad.value import services
from kamrad.value.models import AccountMonth, Payment, Sale

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 5)


def sale(user, org, **data):
    return services.sale_create(
        user=user, organization=org, data={"date": DAY, "currency": "RUB", **data}
    )


def test_it_keeps_the_original_amount_and_adds_it_in_base_at_the_rate_of_its_date(
    alice, alices_client, usd
):
    record = sale(alice, alices_client, currency="usd", amount="1 234,56", cost="1000")
    assert (record.currency, record.amount_minor, record.cost_minor) == ("USD", 123456, 100000)
    # 1234.56 × 90.5 = 111 727.68 RUB
    assert (record.amount_base, record.cost_base) == (11172768, 9050000)
    assert record.source == "manual"


def test_it_rounds_a_conversion_half_to_even_once_per_record(alice, alices_client):
    services.rate_set(user=None, currency="USD", date=DAY, rate="0.5")
    # 0.01 × 0.5 = 0.005 → 0.00; 0.03 × 0.5 = 0.015 → 0.02 (half to even, never up).
    assert sale(alice, alices_client, currency="USD", amount="0.01").amount_base == 0
    assert sale(alice, alices_client, currency="USD", amount="0.03").amount_base == 2
    assert sale(alice, alices_client, currency="USD", amount="0.05").amount_base == 2


def test_it_converts_between_currencies_of_different_minor_units(alice, alices_client):
    services.rate_set(user=None, currency="JPY", date=DAY, rate="0.6125")
    record = sale(alice, alices_client, currency="JPY", amount="1001")
    assert record.amount_minor == 1001  # yen have no minor unit
    assert record.amount_base == 61311  # 613.1125 RUB → 613.11


def test_it_names_the_currency_and_date_when_no_rate_is_known(alice, alices_client, usd):
    with pytest.raises(ValidationError) as error:
        sale(alice, alices_client, currency="EUR", amount="10")
    assert error.value.message_dict == {
        "currency": ["No exchange rate for EUR on or before 2024-03-05."]
    }
    with pytest.raises(ValidationError) as early:
        sale(alice, alices_client, currency="USD", amount="10", date=datetime.date(2023, 12, 31))
    assert "USD on or before 2023-12-31" in early.value.message_dict["currency"][0]
    assert not Sale.objects.exists()


def test_it_refuses_more_decimals_than_the_currency_has(alice, alices_client):
    with pytest.raises(ValidationError) as error:
        sale(alice, alices_client, amount="10.005")
    assert error.value.message_dict == {
        "amount": ["Enter an amount with at most 2 decimals for RUB."]
    }


def test_it_refuses_a_bad_currency_code_negative_and_absurd_amounts(alice, alices_client):
    with pytest.raises(ValidationError) as code:
        sale(alice, alices_client, currency="рубли", amount="10")
    assert "currency" in code.value.message_dict
    with pytest.raises(ValidationError) as negative:
        services.payment_create(
            user=alice,
            organization=alices_client,
            data={"due_date": DAY, "currency": "RUB", "amount": "-5"},
        )
    assert negative.value.message_dict == {"amount": ["The amount cannot be negative."]}
    with pytest.raises(ValidationError) as huge:
        sale(alice, alices_client, amount="1e999999999")
    assert huge.value.message_dict == {"amount": ["This amount is too large."]}


def test_a_returned_sale_may_be_negative(alice, alices_client):
    assert sale(alice, alices_client, amount="-100").amount_base == -10000


def test_a_sale_counts_towards_its_products_line(alice, alices_client):
    from kamrad.clients import services as client_services

    product = client_services.product_create(
        user=alice, data={"name": "Fibre 1G", "category": "Internet access"}
    )
    assert sale(alice, alices_client, amount="1", product=product).product_line == (
        "Internet access"
    )


def test_a_payment_converts_at_the_day_it_was_paid(alice, alices_client, usd):
    services.rate_set(user=None, currency="USD", date=datetime.date(2024, 4, 1), rate="100")
    payment = services.payment_create(
        user=alice,
        organization=alices_client,
        data={
            "due_date": DAY,
            "paid_date": datetime.date(2024, 4, 2),
            "currency": "USD",
            "amount": "10",
        },
    )
    assert payment.amount_base == 100000


def test_an_account_month_is_kept_on_the_first_of_its_month(alice, alices_client):
    month = services.account_month_create(
        user=alice,
        organization=alices_client,
        data={"month": DAY, "currency": "RUB", "turnover": "1000", "exports": "10"},
    )
    assert month.month == datetime.date(2024, 3, 1)
    assert (month.turnover_base, month.average_balance_base, month.exports_base) == (
        100000,
        0,
        1000,
    )
    with pytest.raises(ValidationError):
        services.account_month_create(
            user=alice,
            organization=alices_client,
            data={"month": DAY, "currency": "RUB", "turnover": "5"},
        )
    assert AccountMonth.objects.count() == 1


def test_an_update_recomputes_base_and_a_stale_one_is_refused(alice, alices_client, usd):
    record = sale(alice, alices_client, amount="100")
    updated = services.sale_update(
        user=alice,
        sale=record,
        data={"currency": "USD", "amount": "2"},
        expected_version=1,
    )
    assert (updated.version, updated.amount_base) == (2, 18100)
    with pytest.raises(StaleEdit):
        services.sale_update(user=alice, sale=record, data={"amount": "3"}, expected_version=1)
    assert Sale.objects.get().amount_minor == 200


def test_an_unchanged_save_writes_nothing(alice, alices_client):
    record = sale(alice, alices_client, amount="100", description="Fibre")
    again = services.sale_update(
        user=alice,
        sale=record,
        data={"date": DAY, "currency": "RUB", "amount": "100.00", "description": "Fibre"},
        expected_version=1,
    )
    assert again.version == 1
    assert record.history.count() == 1


def test_a_deleted_record_leaves_its_author_in_the_audit_history(alice, alices_client):
    payment = services.payment_create(
        user=alice,
        organization=alices_client,
        data={"due_date": DAY, "currency": "RUB", "amount": "1"},
    )
    services.payment_delete(user=alice, payment=payment)
    assert not Payment.objects.exists()
    assert Payment.history.latest().history_user == alice


def test_bulk_adding_converts_each_record_and_refuses_a_missing_rate_before_writing(
    alices_client, usd
):
    rows = [
        Sale(organization=alices_client, date=DAY, currency="USD", amount_minor=100, amount_base=0),
        Sale(organization=alices_client, date=DAY, currency="RUB", amount_minor=7, amount_base=0),
    ]
    assert services.records_bulk_add(Sale, rows) == 2
    assert sorted(Sale.objects.values_list("amount_base", flat=True)) == [7, 9050]
    stray = [
        Sale(organization=alices_client, date=DAY, currency="CHF", amount_minor=1, amount_base=0)
    ]
    with pytest.raises(ValidationError):
        services.records_bulk_add(Sale, stray)
    assert Sale.objects.count() == 2
