"""The exchange-rates page: everyone signed in reads; the program head and admins write."""

import datetime

import pytest
from django.urls import reverse

from kamrad.value import services
from kamrad.value.models import ExchangeRate, Sale

pytestmark = pytest.mark.django_db
URL = "/rates/"


def test_everyone_signed_in_reads_the_rates(client, viewer, alice, usd):
    for user in (viewer, alice):
        client.force_login(user)
        html = client.get(URL).text
        assert "USD" in html and "90.5" in html and "2024-01-01" in html
        assert "Set a rate" not in html


def test_the_head_sets_a_rate_and_the_records_are_recomputed(
    client, head, alice, alices_client, usd
):
    services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": datetime.date(2024, 6, 1), "currency": "USD", "amount": "10"},
    )
    client.force_login(head)
    response = client.post(URL, {"currency": "usd", "date": "2024-05-01", "rate": "100,5"})
    assert response.status_code == 302
    assert Sale.objects.get().amount_base == 100500
    assert "1 records recomputed" in client.get(URL).text


def test_a_bad_rate_shows_field_errors(client, head):
    client.force_login(head)
    response = client.post(URL, {"currency": "RUB", "date": "2024-05-01", "rate": "-1"})
    assert response.status_code == 400
    assert "RUB is the base currency" in response.text
    assert "Enter a positive number" in response.text


def test_managers_and_viewers_may_not_write(client, alice, viewer, usd):
    for user in (alice, viewer):
        client.force_login(user)
        assert (
            client.post(URL, {"currency": "EUR", "date": "2024-01-01", "rate": "1"}).status_code
            == 403
        )
        delete = reverse("value:rate_delete", args=[usd.pk])
        assert client.post(delete).status_code == 403
    assert ExchangeRate.objects.count() == 1


def test_the_head_deletes_a_rate_unless_records_need_it(client, head, alice, alices_client, usd):
    services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": datetime.date(2024, 6, 1), "currency": "USD", "amount": "10"},
    )
    client.force_login(head)
    response = client.post(reverse("value:rate_delete", args=[usd.pk]), follow=True)
    assert "No exchange rate for USD" in response.text
    assert ExchangeRate.objects.count() == 1
    Sale.objects.all().delete()
    client.post(reverse("value:rate_delete", args=[usd.pk]))
    assert not ExchangeRate.objects.exists()
