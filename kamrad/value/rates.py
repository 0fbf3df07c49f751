"""Converting work-history amounts to the base currency at the rate of their date."""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict

from django.conf import settings
from django.utils.translation import gettext as _

from kamrad.lib import money
from kamrad.value.models import ExchangeRate


class MissingRate(ValueError):
    """No exchange rate is known for a currency on or before a date."""

    def __init__(self, currency: str, date: datetime.date) -> None:
        self.currency, self.date = currency, date
        super().__init__(
            _("No exchange rate for %(currency)s on or before %(date)s.")
            % {"currency": currency, "date": date.isoformat()}
        )


def base_currency() -> str:
    return settings.KAMRAD_BASE_CURRENCY


class RateBook:
    """Every known rate, loaded once: converts many records without a query each.

    A rate applies from its date until the next one; an amount dated before a currency's
    first rate cannot be converted (MissingRate) rather than being guessed.
    """

    def __init__(self, rates: list[tuple[str, datetime.date, int]] | None = None) -> None:
        if rates is None:
            rates = list(
                ExchangeRate.objects.order_by("currency", "date").values_list(
                    "currency", "date", "rate_scaled"
                )
            )
        self.base = base_currency()
        self._dates: dict[str, list[datetime.date]] = defaultdict(list)
        self._rates: dict[str, list[int]] = defaultdict(list)
        for currency, date, rate in sorted(rates):
            self._dates[currency].append(date)
            self._rates[currency].append(rate)

    def rate(self, currency: str, date: datetime.date) -> int:
        if currency == self.base:
            return money.RATE_SCALE
        dates = self._dates.get(currency)
        if dates:
            i = bisect.bisect_right(dates, date)
            if i:
                return self._rates[currency][i - 1]
        raise MissingRate(currency, date)

    def to_base(self, minor: int, currency: str, date: datetime.date) -> int:
        if currency == self.base:
            return minor
        return money.convert(minor, currency, self.rate(currency, date), self.base)


def to_base(minor: int, currency: str, date: datetime.date) -> int:
    """One conversion, two small queries at most; use a RateBook for many."""
    base = base_currency()
    if currency == base:
        return minor
    rate = (
        ExchangeRate.objects.filter(currency=currency, date__lte=date)
        .order_by("-date")
        .values_list("rate_scaled", flat=True)
        .first()
    )
    if rate is None:
        raise MissingRate(currency, date)
    return money.convert(minor, currency, rate, base)
