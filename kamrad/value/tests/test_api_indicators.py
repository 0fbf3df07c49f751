"""A client's indicators over the API, by month, quarter or year."""

import datetime

import pytest

from kamrad.value import services

pytestmark = pytest.mark.django_db


def url(org) -> str:
    return f"/api/organizations/{org.pk}/indicators/"


@pytest.fixture
def sold(alice, alices_client, usd):
    for month in (1, 2, 4):
        services.sale_create(
            user=alice,
            organization=alices_client,
            data={
                "date": datetime.date(2024, month, 3),
                "currency": "USD",
                "amount": "100.01",
                "cost": "40",
            },
        )
    return alices_client


def test_it_answers_the_periods_with_exact_strings(as_user, alice, sold):
    response = as_user(alice).get(
        url(sold), {"period": "quarter", "start": "2024-01-01", "end": "2024-06-30"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["currency"], body["start"], body["end"]) == (
        "quarter",
        "RUB",
        "2024-01-01",
        "2024-06-30",
    )
    q1, q2 = body["rows"]
    # Each sale: 100.01 × 90.5 = 9050.905 → 9050.90, rounded half to even once per record.
    assert (q1["period"], q1["revenue"], q1["profit"]) == ("Q1 2024", "18101.80", "10861.80")
    assert q2["revenue"] == "9050.90"
    assert body["total"]["revenue"] == "27152.70"


def test_months_without_records_are_zero_rows(as_user, alice, sold):
    body = as_user(alice).get(url(sold), {"start": "2024-01-01", "end": "2024-04-30"}).json()
    assert [(r["period"], r["revenue"]) for r in body["rows"]] == [
        ("2024-01", "9050.90"),
        ("2024-02", "9050.90"),
        ("2024-03", "0.00"),
        ("2024-04", "9050.90"),
    ]


def test_bad_parameters_are_400(as_user, alice, sold):
    client = as_user(alice)
    assert client.get(url(sold), {"period": "week"}).status_code == 400
    assert client.get(url(sold), {"start": "yesterday"}).status_code == 400
    assert client.get(url(sold), {"end": "9999-01-01"}).status_code == 400


def test_another_managers_client_is_404(as_user, bob, sold):
    assert as_user(bob).get(url(sold)).status_code == 404


def test_it_is_read_only(as_user, head, sold):
    assert as_user(head).post(url(sold), {}, format="json").status_code == 405
