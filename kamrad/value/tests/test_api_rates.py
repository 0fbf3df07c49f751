"""Exchange rates over the API: everyone signed in reads, the program head writes."""

import datetime

import pytest

from kamrad.value import services
from kamrad.value.models import ExchangeRate, Sale

pytestmark = pytest.mark.django_db
URL = "/api/exchange-rates/"


def test_everyone_reads(as_user, viewer, alice, usd):
    for user in (viewer, alice):
        body = as_user(user).get(URL).json()
        assert body["results"] == [
            {
                "id": usd.pk,
                "currency": "USD",
                "date": "2024-01-01",
                "rate": "90.5",
                "base_currency": "RUB",
            }
        ]


def test_the_head_sets_changes_and_deletes_a_rate_and_records_follow(
    as_user, head, alice, alices_client, usd
):
    services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": datetime.date(2024, 6, 1), "currency": "USD", "amount": "1"},
    )
    client = as_user(head)
    created = client.post(
        URL, {"currency": "USD", "date": "2024-05-01", "rate": "100.25"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert Sale.objects.get().amount_base == 10025
    pk = created.json()["id"]
    assert client.patch(f"{URL}{pk}/", {"rate": "101"}, format="json").status_code == 200
    assert Sale.objects.get().amount_base == 10100
    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert Sale.objects.get().amount_base == 9050


def test_managers_and_viewers_may_not_write(as_user, alice, viewer, usd):
    for user in (alice, viewer):
        client = as_user(user)
        data = {"currency": "EUR", "date": "2024-01-01", "rate": "1"}
        assert client.post(URL, data, format="json").status_code == 403
        assert client.delete(f"{URL}{usd.pk}/").status_code == 403
    assert ExchangeRate.objects.count() == 1


def test_bad_rates_are_400_with_field_errors(as_user, head):
    client = as_user(head)
    response = client.post(
        URL, {"currency": "RUB", "date": "2024-01-01", "rate": "x"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"currency", "rate"}


def test_deleting_a_rate_records_still_need_is_400(as_user, head, alice, alices_client, usd):
    services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": datetime.date(2024, 6, 1), "currency": "USD", "amount": "1"},
    )
    response = as_user(head).delete(f"{URL}{usd.pk}/")
    assert response.status_code == 400
    assert ExchangeRate.objects.count() == 1
