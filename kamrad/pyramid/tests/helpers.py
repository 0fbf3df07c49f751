"""Hand-made work history for the pyramid tests: rows written directly, base amounts given."""

from __future__ import annotations

from datetime import date

from kamrad.clients.models import Organization
from kamrad.users.models import User
from kamrad.value.models import Sale, ServiceCost

ON = date(2026, 7, 15)  # the recent quarters (8 of them) are 2024 Q3 … 2026 Q2
QUARTERS = [
    date(2024, 8, 1),
    date(2024, 11, 1),
    date(2025, 2, 1),
    date(2025, 5, 1),
    date(2025, 8, 1),
    date(2025, 11, 1),
    date(2026, 2, 1),
    date(2026, 5, 1),
]


def client(name: str, manager: User | None = None, kind: str = "client") -> Organization:
    return Organization.objects.create(name=name, account_manager=manager, kind=kind)


def sale(org: Organization, day: date, amount: int, cost: int = 0) -> Sale:
    return Sale.objects.create(
        organization=org,
        date=day,
        currency="RUB",
        amount_minor=amount,
        cost_minor=cost,
        amount_base=amount,
        cost_base=cost,
    )


def cost(org: Organization, day: date, amount: int) -> ServiceCost:
    return ServiceCost.objects.create(
        organization=org, date=day, currency="RUB", amount_minor=amount, amount_base=amount
    )


def steady(org: Organization, profit_per_quarter: int) -> None:
    """The same profit in each of the eight recent quarters: stable."""
    for day in QUARTERS:
        sale(org, day, profit_per_quarter)
