"""Work history made by hand, where the verdict is known, and a fixed evaluation date.

The base currency is RUB and one US dollar is 100 roubles, so the default thresholds are:
sales or exports $5M = 500 000 000 RUB a year, turnover $500k = 50 000 000 RUB in a month,
average daily balance $100k = 10 000 000 RUB in a month (amounts below are in kopecks).
"""

from __future__ import annotations

import datetime

import pytest

from kamrad.clients.models import Organization
from kamrad.lib import money
from kamrad.qualification import defaults
from kamrad.value.models import AccountMonth, ExchangeRate, Sale

AS_OF = datetime.date(2026, 11, 23)
RUB = 100  # kopecks in a rouble
MILLION_RUB = 1_000_000 * RUB


@pytest.fixture(autouse=True)
def _roubles(settings):
    settings.KAMRAD_BASE_CURRENCY = "RUB"


@pytest.fixture(autouse=True)
def _default_criteria(db):
    # A transactional test elsewhere (the browser walks) empties every table, migration
    # data included: put the default criteria back when they are gone.
    defaults.install_current()


@pytest.fixture
def usd_rate(db) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency="USD", date=datetime.date(2026, 1, 1), rate_scaled=money.rate_to_scaled("100")
    )


def sale(org: Organization, day: datetime.date, amount: int, line: str = "") -> Sale:
    return Sale.objects.create(
        organization=org,
        date=day,
        product_line=line,
        currency="RUB",
        amount_minor=amount,
        amount_base=amount,
    )


def account(
    org: Organization,
    month: datetime.date,
    *,
    turnover: int = 0,
    balance: int = 0,
    exports: int = 0,
    currency: str = "RUB",
) -> AccountMonth:
    return AccountMonth.objects.create(
        organization=org,
        month=month,
        currency=currency,
        turnover_minor=turnover,
        average_balance_minor=balance,
        exports_minor=exports,
        turnover_base=turnover,
        average_balance_base=balance,
        exports_base=exports,
    )


def status_of(verdict, code: str) -> str:
    return next(row.status.value for row in verdict.criteria if row.criterion.code == code)


def row_of(verdict, code: str):
    return next(row for row in verdict.criteria if row.criterion.code == code)
