"""Three years of work history for the demo clients, shaped so the figures tell stories.

Deterministic (its own `random.Random(SEED)`, every date counted from the demo's day). Each
client gets a profile: most are steady; some grow; some have unstable quarterly profit; some
cost more to serve than they earn (negative lifetime value); a handful are big enough to meet
the VIP volume thresholds (sales over $5M a year; or, for bank-style clients with account
figures, turnover over $500k a month, exports over $5M a year, an average balance over $100k).
Rates for USD and EUR are set month by month; the base currency is the setting's (RUB).

Rows are written in bulk through `services.records_bulk_add`, which converts each amount to
the base currency at its date, like every other write.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction

from kamrad.clients.models import Organization, Product
from kamrad.lib import money
from kamrad.value import services
from kamrad.value.models import AccountMonth, Claim, ExchangeRate, Payment, Sale, ServiceCost
from kamrad.value.rates import RateBook, base_currency

SEED = 20231101
MONTHS = 36

# Profiles: (monthly revenue range in base units, cost-of-sales share, growth per month,
# volatility of the margin, cost to serve as a share of revenue).
PROFILES = {
    "steady": ((60_000, 900_000), (0.55, 0.7), 0.0, 0.05, (0.03, 0.08)),
    "growing": ((80_000, 600_000), (0.55, 0.65), 0.035, 0.05, (0.03, 0.06)),
    "unstable": ((150_000, 1_500_000), (0.45, 0.75), 0.0, 0.6, (0.04, 0.08)),
    "ballast": ((40_000, 250_000), (0.7, 0.85), -0.005, 0.05, (0.35, 0.6)),
    "vip": ((45_000_000, 60_000_000), (0.6, 0.7), 0.01, 0.05, (0.01, 0.02)),
}

CLAIMS = (
    "Скорость ниже договорной",
    "Перерыв связи более часа",
    "Ошибка в счёте",
    "Не работает IP-телефония",
    "Задержка подключения филиала",
    "Потери пакетов на канале",
)
COSTS = (
    "Техническая поддержка",
    "Выезд инженера",
    "Подарки к празднику",
    "Скидка по акции",
    "Бесплатный месяц резервного канала",
)


@dataclass
class Loaded:
    sales: int = 0
    payments: int = 0
    claims: int = 0
    costs: int = 0
    account_months: int = 0
    rates: int = 0


def _month(start: date, offset: int) -> date:
    index = start.year * 12 + start.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _rates(rng: random.Random, first: date, months: int) -> list[ExchangeRate]:
    """A monthly USD and EUR rate (RUB per unit), a random walk from a year before the first."""
    rows = []
    usd = Decimal("72.5")
    for i in range(-12, months + 1):
        day = _month(first, i)
        usd = max(Decimal("60"), usd + Decimal(rng.randint(-250, 320)) / 100)
        eur = (usd * Decimal("1.08") + Decimal(rng.randint(-80, 80)) / 100).quantize(
            Decimal("0.0001")
        )
        for code, value in (("USD", usd), ("EUR", eur)):
            rows.append(
                ExchangeRate(currency=code, date=day, rate_scaled=money.rate_to_scaled(value))
            )
    return rows


def _profile(rng: random.Random, org: Organization, index: int) -> str:
    if "дума" in org.name.lower():
        return "ballast"
    if index in (1, 7, 19, 33):
        return "vip"
    return rng.choices(("steady", "growing", "unstable", "ballast"), weights=(50, 20, 18, 12), k=1)[
        0
    ]


def _currency(org: Organization, rng: random.Random) -> str:
    # Foreign companies pay in dollars or euros; a few Russian ones have contracts in them.
    foreign = not org.tax_number[:1].isdigit() or org.tax_number.startswith("9909")
    if foreign or rng.random() < 0.05:
        return rng.choice(("USD", "EUR"))
    return base_currency()


def _minor(amount_base_units: float, currency: str, rate: Decimal | None) -> int:
    """A whole amount in `currency` worth about this many base units."""
    value = Decimal(str(round(amount_base_units, 2)))
    if rate:
        value = value / rate
    return int(value.quantize(Decimal("1"))) * 10 ** money.exponent(currency)


def load(
    *,
    today: date,
    seed: int = SEED,
    stdout: TextIO | None = None,
) -> Loaded:
    """Add the work history to every demo client (kind 'client') and the rates behind it."""
    rng = random.Random(seed)
    loaded = Loaded()
    first = _month(today, -MONTHS)
    clients = list(
        Organization.objects.filter(kind=Organization.Kind.CLIENT)
        .select_related("industry")
        .order_by("pk")
    )
    products = list(Product.objects.filter(is_ours=True).order_by("pk"))
    rate_rows = _rates(rng, first, MONTHS)
    with transaction.atomic():
        ExchangeRate.objects.bulk_create(rate_rows)
        loaded.rates = len(rate_rows)
        book = RateBook([(r.currency, r.date, r.rate_scaled) for r in rate_rows])
        rate_of = {
            (r.currency, r.date): Decimal(r.rate_scaled) / money.RATE_SCALE for r in rate_rows
        }
        sales: list[Sale] = []
        payments: list[Payment] = []
        claims: list[Claim] = []
        costs: list[ServiceCost] = []
        accounts: list[AccountMonth] = []
        for index, org in enumerate(clients):
            profile = _profile(rng, org, index)
            currency = _currency(org, rng)
            bank_style = (
                profile == "vip"
                or (org.industry is not None and "финанс" in org.industry.name.lower())
                or rng.random() < 0.12
            )
            _client_history(
                rng,
                org,
                profile=profile,
                currency=currency,
                products=_lines(rng, products, profile),
                first=first,
                today=today,
                rate_of=rate_of,
                out=(sales, payments, claims, costs),
            )
            if bank_style:
                accounts += _accounts(rng, org, profile, first)
        loaded.sales = services.records_bulk_add(Sale, sales, book=book)
        loaded.payments = services.records_bulk_add(Payment, payments, book=book)
        loaded.claims = services.records_bulk_add(Claim, claims, book=book)
        loaded.costs = services.records_bulk_add(ServiceCost, costs, book=book)
        loaded.account_months = services.records_bulk_add(AccountMonth, accounts, book=book)
    if stdout is not None:
        stdout.write(
            f"Work history: {loaded.sales} sales, {loaded.payments} payments, "
            f"{loaded.claims} claims, {loaded.costs} costs to serve, "
            f"{loaded.account_months} account months, {loaded.rates} exchange rates.\n"
        )
    return loaded


def _lines(rng: random.Random, products: Sequence[Product], profile: str) -> list[Product]:
    if not products:
        return []
    by_line: dict[str, list[Product]] = {}
    for product in products:
        by_line.setdefault(product.category, []).append(product)
    lines = sorted(by_line)
    wanted = len(lines) if profile == "vip" else rng.randint(1, min(4, len(lines)))
    chosen = rng.sample(lines, wanted)
    return [rng.choice(by_line[line]) for line in chosen]


def _client_history(
    rng: random.Random,
    org: Organization,
    *,
    profile: str,
    currency: str,
    products: list[Product],
    first: date,
    today: date,
    rate_of: dict[tuple[str, date], Decimal],
    out: tuple[list[Sale], list[Payment], list[Claim], list[ServiceCost]],
) -> None:
    sales, payments, claims, costs = out
    (low, high), (cost_low, cost_high), growth, volatility, (serve_low, serve_high) = PROFILES[
        profile
    ]
    base_revenue = rng.uniform(low, high)
    cost_share = rng.uniform(cost_low, cost_high)
    serve_share = rng.uniform(serve_low, serve_high)
    # A growing client starts small; a new client may join part-way through.
    start_offset = 0 if profile in {"vip", "ballast"} else rng.choice((0, 0, 0, 3, 6, 12))
    late_payer = profile == "ballast" or rng.random() < 0.15
    for m in range(start_offset, MONTHS):
        month = _month(first, m)
        rate = rate_of.get((currency, month)) if currency != base_currency() else None
        trend = (1 + growth) ** (m - start_offset)
        season = 1 + 0.08 * ((month.month in (3, 9, 12)) - (month.month in (1, 7, 8)))
        revenue = base_revenue * trend * season * rng.uniform(0.9, 1.1)
        if profile == "unstable":
            # Whole quarters swing: a good one, then one where discounts eat the margin.
            quarter_mood = random.Random(f"{org.pk}-{month.year}-{(month.month - 1) // 3}")
            share = quarter_mood.uniform(cost_share - volatility / 2, cost_share + volatility)
        else:
            share = cost_share + rng.uniform(-volatility, volatility) / 4
        month_total = 0
        picks = products or [None]
        for i, product in enumerate(picks):
            portion = revenue / len(picks) * rng.uniform(0.7, 1.3)
            amount = _minor(portion, currency, rate)
            if amount <= 0:
                continue
            day = month + timedelta(days=min(27, 2 + i * 3 + rng.randint(0, 3)))
            sales.append(
                Sale(
                    organization=org,
                    date=day,
                    product=product,
                    product_line=product.category if product else "",
                    description=product.name if product else "Услуги связи",
                    quantity=Decimal(rng.randint(1, 20)),
                    currency=currency,
                    amount_minor=amount,
                    cost_minor=_minor(portion * share, currency, rate),
                    amount_base=0,
                    source="demo",
                    external_id=f"demo-s-{org.pk}-{m}-{i}",
                )
            )
            month_total += amount
        if month_total:
            payments.append(_payment(rng, org, month, m, currency, month_total, today, late_payer))
        serve = revenue * serve_share
        costs.append(
            ServiceCost(
                organization=org,
                date=month + timedelta(days=27),
                description=COSTS[0],
                currency=base_currency(),
                amount_minor=_minor(serve * rng.uniform(0.8, 1.2), base_currency(), None),
                amount_base=0,
                source="demo",
                external_id=f"demo-c-{org.pk}-{m}",
            )
        )
        if rng.random() < 0.08:
            costs.append(
                ServiceCost(
                    organization=org,
                    date=month + timedelta(days=rng.randint(3, 25)),
                    description=rng.choice(COSTS[1:]),
                    currency=base_currency(),
                    amount_minor=_minor(rng.uniform(5_000, 60_000), base_currency(), None),
                    amount_base=0,
                    source="demo",
                    external_id=f"demo-x-{org.pk}-{m}",
                )
            )
        claim_chance = 0.25 if profile == "ballast" else 0.04
        if rng.random() < claim_chance:
            opened = month + timedelta(days=rng.randint(0, 27))
            resolved = opened + timedelta(days=rng.randint(1, 40))
            recent = (today - opened).days < 75
            claims.append(
                Claim(
                    organization=org,
                    date=opened,
                    subject=rng.choice(CLAIMS),
                    resolved_on=None
                    if resolved >= today or (recent and rng.random() < 0.5)
                    else resolved,
                    source="demo",
                    external_id=f"demo-k-{org.pk}-{m}",
                )
            )


def _payment(
    rng: random.Random,
    org: Organization,
    month: date,
    m: int,
    currency: str,
    amount: int,
    today: date,
    late_payer: bool,
) -> Payment:
    due = _month(month, 1) + timedelta(days=9)
    if late_payer and rng.random() < 0.55:
        paid = due + timedelta(days=rng.randint(5, 75))
    elif rng.random() < 0.06:
        paid = due + timedelta(days=rng.randint(1, 20))
    else:
        paid = due - timedelta(days=rng.randint(0, 7))
    return Payment(
        organization=org,
        due_date=due,
        paid_date=paid if paid < today else None,
        method=Payment.Method.TRANSFER,
        description=f"Счёт за {month:%m.%Y}",
        currency=currency,
        amount_minor=amount,
        amount_base=0,
        source="demo",
        external_id=f"demo-p-{org.pk}-{m}",
    )


def _accounts(
    rng: random.Random,
    org: Organization,
    profile: str,
    first: date,
) -> list[AccountMonth]:
    big = profile == "vip"
    turnover = rng.uniform(55_000_000, 80_000_000) if big else rng.uniform(2_000_000, 30_000_000)
    balance = rng.uniform(10_000_000, 25_000_000) if big else rng.uniform(300_000, 6_000_000)
    export_share = rng.uniform(0.65, 0.9) if big else rng.choice((0, 0, 0.05, 0.2))
    rows = []
    for m in range(MONTHS):
        month = _month(first, m)
        wobble = rng.uniform(0.85, 1.15)
        base = base_currency()
        rows.append(
            AccountMonth(
                organization=org,
                month=month,
                currency=base,
                turnover_minor=_minor(turnover * wobble, base, None),
                average_balance_minor=_minor(balance * rng.uniform(0.8, 1.2), base, None),
                exports_minor=_minor(turnover * wobble * export_share, base, None),
                source="demo",
                external_id=f"demo-a-{org.pk}-{m}",
            )
        )
    return rows
