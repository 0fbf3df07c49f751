"""The work-history records over the API: exact decimal strings, the same access rules as the
pages, field errors as 400, a stale version as 409."""

import pytest

from kamrad.value import services
from kamrad.value.models import AccountMonth, Sale

pytestmark = pytest.mark.django_db
SALES = "/api/sales/"


@pytest.fixture
def a_sale(alice, alices_client, usd):
    return services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": "2024-02-01", "currency": "USD", "amount": "10.01", "cost": "4"},
    )


def test_it_creates_a_sale_and_answers_amounts_as_exact_strings(as_user, alice, alices_client, usd):
    response = as_user(alice).post(
        SALES,
        {
            "organization": alices_client.pk,
            "date": "2024-02-01",
            "currency": "USD",
            "amount": "1234.56",
            "quantity": "2",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["currency"]) == ("1234.56", "USD")
    assert (body["amount_base"], body["base_currency"]) == ("111727.68", "RUB")
    assert (body["cost"], body["version"]) == ("0.00", 1)
    assert response["ETag"] == '"1"'


def test_bad_input_answers_400_with_field_errors(as_user, alice, alices_client, usd):
    client = as_user(alice)
    base = {"organization": alices_client.pk, "date": "2024-02-01", "currency": "USD"}
    too_fine = client.post(SALES, {**base, "amount": "1.001"}, format="json")
    assert too_fine.status_code == 400
    assert too_fine.json() == {"amount": ["Enter an amount with at most 2 decimals for USD."]}
    no_rate = client.post(SALES, {**base, "currency": "EUR", "amount": "1"}, format="json")
    assert no_rate.json() == {"currency": ["No exchange rate for EUR on or before 2024-02-01."]}
    nonsense = client.post(SALES, {**base, "amount": {"x": 1}}, format="json")
    assert nonsense.status_code == 400 and "amount" in nonsense.json()
    assert not Sale.objects.exists()


def test_an_update_needs_the_version_and_a_stale_one_is_409(as_user, alice, a_sale):
    client = as_user(alice)
    url = f"{SALES}{a_sale.pk}/"
    assert client.patch(url, {"amount": "11"}, format="json").status_code == 400
    ok = client.patch(url, {"amount": "11", "version": 1}, format="json")
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["amount"], ok.json()["amount_base"], ok.json()["version"]) == (
        "11.00",
        "995.50",
        2,
    )
    stale = client.patch(url, {"amount": "12"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Sale.objects.get().amount_minor == 1100


def test_it_deletes(as_user, alice, a_sale):
    assert as_user(alice).delete(f"{SALES}{a_sale.pk}/").status_code == 204
    assert not Sale.objects.exists()


def test_another_managers_records_are_404_and_absent_from_lists(as_user, alice, bob, a_sale):
    client = as_user(bob)
    assert client.get(f"{SALES}{a_sale.pk}/").status_code == 404
    assert client.patch(f"{SALES}{a_sale.pk}/", {"version": 1}, format="json").status_code == 404
    assert client.delete(f"{SALES}{a_sale.pk}/").status_code == 404
    assert client.get(SALES).json()["count"] == 0
    refused = client.post(
        SALES,
        {
            "organization": a_sale.organization_id,
            "date": "2024-02-01",
            "currency": "RUB",
            "amount": "1",
        },
        format="json",
    )
    assert refused.status_code == 400 and "organization" in refused.json()


def test_a_viewer_reads_and_gets_403_on_every_write(as_user, viewer, a_sale):
    client = as_user(viewer)
    assert client.get(SALES).json()["count"] == 1
    assert client.post(SALES, {}, format="json").status_code == 403
    assert client.patch(f"{SALES}{a_sale.pk}/", {}, format="json").status_code == 403
    assert client.delete(f"{SALES}{a_sale.pk}/").status_code == 403


def test_the_other_kinds_work_the_same_way(as_user, alice, alices_client):
    client = as_user(alice)
    org = alices_client.pk
    cases = {
        "/api/payments/": {"due_date": "2024-01-10", "currency": "RUB", "amount": "5"},
        "/api/claims/": {"date": "2024-01-10", "subject": "Slow"},
        "/api/service-costs/": {"date": "2024-01-10", "currency": "RUB", "amount": "7"},
        "/api/account-months/": {
            "month": "2024-01-10",
            "currency": "RUB",
            "turnover": "1000000.00",
            "average_balance": "5",
        },
    }
    for url, data in cases.items():
        response = client.post(url, {"organization": org, **data}, format="json")
        assert response.status_code == 201, (url, response.json())
        assert client.get(url, {"organization": org}).json()["count"] == 1
    month = client.get("/api/account-months/").json()["results"][0]
    assert (month["month"], month["turnover_base"], month["exports"]) == (
        "2024-01-01",
        "1000000.00",
        "0.00",
    )
    twice = client.post(
        "/api/account-months/",
        {"organization": org, **cases["/api/account-months/"]},
        format="json",
    )
    assert twice.status_code == 400
    assert AccountMonth.objects.count() == 1
