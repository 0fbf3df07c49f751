"""The full work-history page: every kind of record, paged, with add forms in place and
edit and delete per record."""

import datetime

import pytest
from django.urls import reverse

from kamrad.value import services
from kamrad.value.models import Claim, Payment, Sale

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
DAY = datetime.date(2025, 4, 10)


@pytest.fixture
def a_sale(alice, alices_client):
    return services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": DAY, "currency": "RUB", "amount": "1234.5", "description": "Fibre"},
    )


def page_url(org):
    return reverse("value:work_history", args=[org.pk])


def test_it_lists_every_kind_of_record(client, alice, alices_client, a_sale):
    services.claim_create(
        user=alice, organization=alices_client, data={"date": DAY, "subject": "Outage"}
    )
    client.force_login(alice)
    html = client.get(page_url(alices_client)).text
    for section in ("sales", "payments", "claims", "costs", "accounts"):
        assert f'<section id="{section}"' in html
    assert "1\u00a0234.50 RUB" in html and "Outage" in html
    assert reverse("value:sales_edit", args=[a_sale.pk]) in html


def test_it_pages_each_kind_in_place(client, alice, alices_client):
    for day in range(1, 29):
        services.claim_create(
            user=alice,
            organization=alices_client,
            data={"date": datetime.date(2025, 2, day), "subject": f"Claim {day:02d}"},
        )
    client.force_login(alice)
    response = client.get(
        page_url(alices_client), {"part": "claims", "claims_page": 2}, headers=HTMX
    )
    html = response.text
    assert html.lstrip().startswith('<section id="claims"')
    assert "Claim 03" in html and "Claim 28" not in html
    assert "page 2 of 2" in html


def test_it_adds_a_record_in_place_and_asks_the_indicators_to_refresh(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        reverse("value:payments_add", args=[alices_client.pk]),
        {
            "payments-due_date": "2025-05-01",
            "payments-method": "transfer",
            "payments-currency": "rub",
            "payments-amount": "10 000,50",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="payments"')
    assert "work-history-changed" in response["HX-Trigger"]
    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.currency, payment.source) == (1000050, "RUB", "manual")


def test_a_missing_rate_comes_back_as_a_field_error_where_the_user_types(
    client, alice, alices_client
):
    client.force_login(alice)
    response = client.post(
        reverse("value:sales_add", args=[alices_client.pk]),
        {
            "sales-date": "2025-05-01",
            "sales-quantity": "1",
            "sales-currency": "CHF",
            "sales-amount": "10",
        },
        headers=HTMX,
    )
    assert response["HX-Retarget"] == "#sales"
    assert "No exchange rate for CHF on or before 2025-05-01." in response.text
    assert 'value="CHF"' in response.text  # the input is kept
    assert not Sale.objects.exists()


def test_without_javascript_a_bad_form_shows_the_page_with_its_errors(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        reverse("value:claims_add", args=[alices_client.pk]), {"claims-subject": "x"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not Claim.objects.exists()


def test_it_edits_a_record_and_refuses_a_stale_edit(client, alice, alices_client, a_sale):
    client.force_login(alice)
    url = reverse("value:sales_edit", args=[a_sale.pk])
    form = client.get(url)
    assert 'value="1234.50"' in form.text
    data = {
        "date": "2025-04-10",
        "quantity": "2",
        "currency": "RUB",
        "amount": "2000",
        "cost": "0",
        "version": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Sale.objects.get().amount_minor == 200000
    stale = client.post(url, {**data, "amount": "3000"})
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.text
    assert Sale.objects.get().amount_minor == 200000


def test_it_deletes_a_record_in_place(client, alice, alices_client, a_sale):
    client.force_login(alice)
    response = client.post(reverse("value:sales_delete", args=[a_sale.pk]), headers=HTMX)
    assert response.text.lstrip().startswith('<section id="sales"')
    assert not Sale.objects.exists()


def test_another_managers_records_are_not_found(client, alice, bob, bobs_client):
    record = services.sale_create(
        user=bob,
        organization=bobs_client,
        data={"date": DAY, "currency": "RUB", "amount": "1"},
    )
    client.force_login(alice)
    assert client.get(page_url(bobs_client)).status_code == 404
    assert client.get(reverse("value:sales_edit", args=[record.pk])).status_code == 404
    assert client.post(reverse("value:sales_delete", args=[record.pk])).status_code == 404
    assert client.post(reverse("value:sales_add", args=[bobs_client.pk])).status_code == 404
    assert Sale.objects.count() == 1


def test_a_viewer_reads_but_never_writes(client, viewer, alices_client, a_sale):
    client.force_login(viewer)
    html = client.get(page_url(alices_client)).text
    assert "1\u00a0234.50 RUB" in html
    assert "Add a sale" not in html and "Delete" not in html
    assert client.post(reverse("value:sales_delete", args=[a_sale.pk])).status_code == 403
    add = reverse("value:sales_add", args=[alices_client.pk])
    assert client.post(add, {"sales-date": "2025-01-01"}).status_code == 403


def test_the_page_costs_the_same_however_many_records(
    client, alice, alices_client, django_assert_max_num_queries
):
    for day in range(1, 28):
        services.sale_create(
            user=alice,
            organization=alices_client,
            data={"date": datetime.date(2025, 3, day), "currency": "RUB", "amount": "1"},
        )
    client.force_login(alice)
    with django_assert_max_num_queries(30):
        client.get(page_url(alices_client), {"period": "quarter"})
