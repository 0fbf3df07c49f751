"""The work-history pages in Russian."""

import datetime

import pytest
from django.urls import reverse

from kamrad.value import services

pytestmark = pytest.mark.django_db
RU = {"Accept-Language": "ru"}


def test_the_work_history_page_speaks_russian(client, alice, alices_client):
    services.sale_create(
        user=alice,
        organization=alices_client,
        data={"date": datetime.date(2025, 2, 3), "currency": "RUB", "amount": "1234.5"},
    )
    client.force_login(alice)
    html = client.get(
        reverse("value:work_history", args=[alices_client.pk]), {"period": "quarter"}, headers=RU
    ).text
    for text in ("История работы", "Показатели", "Выручка", "Кварталы", "Добавить продажу"):
        assert text in html, text
    assert "1\u00a0234,50 RUB" in html  # a decimal comma
    assert "кв. 2025" in html
    assert "Revenue" not in html and "Work history" not in html


def test_the_sections_partial_and_errors_speak_russian(client, alice, alices_client):
    client.force_login(alice)
    section = client.get(
        reverse("value:indicators", args=[alices_client.pk]),
        headers={**RU, "HX-Request": "true"},
    ).text
    assert "Месяцы" in section and "Прибыль за вычетом обслуживания" in section
    response = client.post(
        reverse("value:sales_add", args=[alices_client.pk]),
        {
            "sales-date": "2025-01-01",
            "sales-quantity": "1",
            "sales-currency": "USD",
            "sales-amount": "1",
        },
        headers={**RU, "HX-Request": "true"},
    )
    assert "Нет курса USD на 2025-01-01 или раньше." in response.text


def test_the_rates_page_speaks_russian(client, head):
    client.force_login(head)
    html = client.get(reverse("value:rates"), headers=RU).text
    assert "Курсы валют" in html and "Задать курс" in html
