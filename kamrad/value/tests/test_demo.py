"""The demo's work history: deterministic, and shaped so that later figures are interesting."""

import datetime
from collections import defaultdict

import pytest
from django.db.models import Sum

from kamrad.clients import services as client_services
from kamrad.clients.models import Organization
from kamrad.value import demo, selectors
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 1)
LINES = ("Доступ в интернет", "Каналы связи", "Хостинг", "Телефония", "Безопасность")


@pytest.fixture
def clients(head):
    for i, line in enumerate(LINES):
        client_services.product_create(user=head, data={"name": f"Product {i}", "category": line})
    orgs = [
        client_services.organization_create(
            user=head, data={"name": f"Client {i:02d}", "tax_number": f"77010{i:05d}"}
        )
        for i in range(40)
    ]
    orgs.append(
        client_services.organization_create(
            user=head, data={"name": "Acme GmbH", "tax_number": "DE123456789"}
        )
    )
    return orgs


def test_it_writes_three_years_of_every_kind_with_rates_behind_them(clients):
    loaded = demo.load(today=TODAY)
    assert loaded.sales == Sale.objects.count() > 40 * 30
    assert Payment.objects.filter(paid_date__gt=datetime.date(2000, 1, 1)).exists()
    assert Claim.objects.filter(resolved_on__isnull=True).exists()
    assert Claim.objects.filter(resolved_on__isnull=False).exists()
    assert ServiceCost.objects.exists() and AccountMonth.objects.exists()
    assert set(ExchangeRate.objects.values_list("currency", flat=True)) == {"USD", "EUR"}
    first = Sale.objects.order_by("date").first().date
    assert first >= datetime.date(2023, 11, 1) and Sale.objects.latest("date").date < TODAY
    # The foreign client pays in dollars or euros; base amounts are converted.
    foreign = Sale.objects.filter(organization__name="Acme GmbH").first()
    assert foreign.currency in {"USD", "EUR"}
    assert foreign.amount_base > foreign.amount_minor
    assert Sale.objects.filter(amount_base=0).count() == 0


def test_two_loads_give_the_same_history(clients):
    demo.load(today=TODAY)
    first = list(Sale.objects.order_by("external_id").values_list("external_id", "amount_minor"))
    Sale.objects.all().delete()
    for model in (Payment, Claim, ServiceCost, AccountMonth, ExchangeRate):
        model.objects.all().delete()
    demo.load(today=TODAY)
    again = list(Sale.objects.order_by("external_id").values_list("external_id", "amount_minor"))
    assert first == again


def test_the_figures_make_for_interesting_segments(clients):
    demo.load(today=TODAY)
    profit = defaultdict(int)
    for org, amount, cost in Sale.objects.values_list("organization", "amount_base", "cost_base"):
        profit[org] += amount - cost
    serve = dict(ServiceCost.objects.values_list("organization").annotate(total=Sum("amount_base")))
    lifetime = {org: profit[org] - serve.get(org, 0) for org in profit}
    assert sum(1 for value in lifetime.values() if value < 0) >= 2  # ballast
    # VIP volume: sales over $5M in a year (at the year's rates, about 450M roubles and more).
    year_sales = dict(
        Sale.objects.filter(date__year=2025)
        .values_list("organization")
        .annotate(total=Sum("amount_base"))
    )
    big = [org for org, total in year_sales.items() if total >= 5_000_000 * 100 * 100]
    assert 2 <= len(big) <= 6
    turnover = AccountMonth.objects.filter(turnover_base__gte=500_000 * 100 * 100)
    assert turnover.values("organization").distinct().count() >= 2
    # Some clients' quarterly profit swings from good to loss-making.
    swings = 0
    for org in Organization.objects.filter(pk__in=profit):
        quarters = selectors.indicators(
            org,
            period="quarter",
            start=datetime.date(2024, 1, 1),
            end=datetime.date(2026, 9, 30),
            today=TODAY,
        ).rows
        values = [q.profit for q in quarters if q.revenue]
        if values and min(values) < 0 < max(values):
            swings += 1
    assert swings >= 1
