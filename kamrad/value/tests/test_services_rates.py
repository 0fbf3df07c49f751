"""Exchange rates: setting, changing or deleting one recomputes the base amounts it governs."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kamrad.value import services
from kamrad.value.models import ExchangeRate, Payment, Sale

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = (datetime.date(2024, m, 10) for m in (1, 2, 3))


@pytest.fixture
def dollar_sales(alice, alices_client, usd):
    return [
        services.sale_create(
            user=alice,
            organization=alices_client,
            data={"date": day, "currency": "USD", "amount": "100"},
        )
        for day in (JAN, FEB, MAR)
    ]


def bases() -> list[int]:
    return list(Sale.objects.order_by("date").values_list("amount_base", flat=True))


def test_a_new_rate_rebases_the_records_from_its_date_until_the_next_one(dollar_sales):
    assert bases() == [905000, 905000, 905000]
    rate, changed = services.rate_set(
        user=None, currency="USD", date=datetime.date(2024, 2, 1), rate="100"
    )
    assert changed == 2
    assert bases() == [905000, 1000000, 1000000]
    services.rate_set(user=None, currency="USD", date=datetime.date(2024, 3, 1), rate="95,25")
    assert bases() == [905000, 1000000, 952500]
    # The original amounts never change.
    assert set(Sale.objects.values_list("amount_minor", flat=True)) == {10000}


def test_setting_the_same_rate_again_changes_nothing(dollar_sales, usd):
    rate, changed = services.rate_set(user=None, currency="USD", date=usd.date, rate="90.50")
    assert (rate.pk, changed) == (usd.pk, 0)


def test_changing_a_rate_recomputes_both_its_old_and_new_place(dollar_sales, usd):
    feb, _changed = services.rate_set(
        user=None, currency="USD", date=datetime.date(2024, 2, 1), rate="100"
    )
    services.rate_update(user=None, rate=feb, data={"date": datetime.date(2024, 3, 1)})
    assert bases() == [905000, 905000, 1000000]


def test_deleting_a_rate_hands_its_records_to_the_rate_before(dollar_sales):
    feb, _changed = services.rate_set(
        user=None, currency="USD", date=datetime.date(2024, 2, 1), rate="100"
    )
    services.rate_delete(user=None, rate=feb)
    assert bases() == [905000, 905000, 905000]


def test_deleting_the_only_rate_records_need_is_refused_and_nothing_changes(dollar_sales, usd):
    pk = usd.pk
    with pytest.raises(ValidationError) as error:
        services.rate_delete(user=None, rate=usd)
    assert "USD on or before 2024-01-10" in error.value.messages[0]
    assert ExchangeRate.objects.filter(pk=pk).exists()
    assert bases() == [905000, 905000, 905000]


def test_a_payment_is_rebased_by_its_paid_date(alice, alices_client, usd):
    payment = services.payment_create(
        user=alice,
        organization=alices_client,
        data={"due_date": JAN, "paid_date": MAR, "currency": "USD", "amount": "1"},
    )
    services.rate_set(user=None, currency="USD", date=datetime.date(2024, 3, 1), rate="99")
    payment.refresh_from_db()
    assert payment.amount_base == 9900
    assert Payment.objects.get().version == 1  # a rebase is not somebody's edit


def test_it_refuses_a_rate_for_the_base_currency_and_nonsense(db):
    for currency, rate, field in (
        ("RUB", "1", "currency"),
        ("USD", "-3", "rate"),
        ("USD", "zero", "rate"),
        ("USD", "0.000000001", "rate"),
        ("USD", "1e40", "rate"),
        ("US", "90", "currency"),
    ):
        with pytest.raises(ValidationError) as error:
            services.rate_set(user=None, currency=currency, date=JAN, rate=rate)
        assert field in error.value.message_dict, (currency, rate)


def test_the_rates_command_sets_lists_and_rebases(dollar_sales, capsys):
    call_command("rates", "set", "usd", "2024-02-01", "100")
    assert "2 records recomputed" in capsys.readouterr().out
    call_command("rates", "list", "USD")
    out = capsys.readouterr().out
    assert "USD  2024-02-01  100 RUB" in out and "USD  2024-01-01  90.5 RUB" in out
    Sale.objects.update(amount_base=0)
    call_command("rates", "rebase", "--currency", "USD")
    assert "3 records recomputed" in capsys.readouterr().out
    assert bases() == [905000, 1000000, 1000000]
    with pytest.raises(CommandError):
        call_command("rates", "set", "USD", "2024-02-30", "1")
    with pytest.raises(CommandError):
        call_command("rates", "set", "RUB", "2024-02-01", "1")
