"""The card's work-history section: loaded by htmx after the card, switched in place."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kamrad.value import services

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def sold(alice, alices_client):
    today = timezone.localdate()
    for months_back in range(0, 30, 2):
        index = today.year * 12 + today.month - 1 - months_back
        services.sale_create(
            user=alice,
            organization=alices_client,
            data={
                "date": datetime.date(index // 12, index % 12 + 1, 5),
                "currency": "RUB",
                "amount": "1500000",
                "cost": "1000000",
            },
        )
    return alices_client


def test_the_card_loads_the_section_after_itself_and_costs_no_more_for_it(
    client, alice, sold, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("clients:card", args=[sold.pk]))
    html = response.text
    assert 'id="work-history"' in html
    assert f'hx-get="/clients/{sold.pk}/indicators/"' in html
    # Without JavaScript the placeholder is a link to the full page.
    assert f'href="/clients/{sold.pk}/work-history/"' in html


def test_the_section_shows_months_with_a_chart_and_a_table(client, alice, sold):
    client.force_login(alice)
    response = client.get(reverse("value:indicators", args=[sold.pk]), headers=HTMX)
    html = response.text
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="indicators"')
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert html.count("<tr>") >= 12
    assert "1\u00a0500\u00a0000" in html  # revenue of a month with a sale, whole roubles
    assert 'class="active" aria-current="true">Months' in html


def test_the_period_switch_answers_with_the_section_by_quarters(client, alice, sold):
    client.force_login(alice)
    url = reverse("value:indicators", args=[sold.pk])
    response = client.get(url, {"period": "quarter"}, headers=HTMX)
    html = response.text
    assert html.lstrip().startswith('<div id="indicators"')
    assert 'class="active" aria-current="true">Quarters' in html
    assert html.count(">Q") >= 12
    # Each switch is a real link for a browser without JavaScript.
    assert f'href="/clients/{sold.pk}/work-history/?period=year#indicators"' in html
    assert f'hx-get="/clients/{sold.pk}/indicators/?period=year"' in html


def test_without_htmx_it_sends_the_browser_to_the_full_page(client, alice, sold):
    client.force_login(alice)
    response = client.get(reverse("value:indicators", args=[sold.pk]), {"period": "year"})
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{sold.pk}/work-history/?period=year"


def test_an_unknown_period_falls_back_to_months(client, alice, sold):
    client.force_login(alice)
    response = client.get(
        reverse("value:indicators", args=[sold.pk]), {"period": "fortnight"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.context["period"] == "month"


def test_another_managers_client_is_not_found(client, alice, bobs_client):
    client.force_login(alice)
    url = reverse("value:indicators", args=[bobs_client.pk])
    assert client.get(url, headers=HTMX).status_code == 404
    assert client.get(url).status_code == 404


def test_the_section_costs_the_same_however_long_the_history(
    client, alice, sold, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("value:indicators", args=[sold.pk])
    with django_assert_max_num_queries(10):
        client.get(url, {"period": "month", "start": "1990-01-01"}, headers=HTMX)
