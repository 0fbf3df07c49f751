"""Exact money: amounts are integers of a currency's minor unit (kopecks, cents), never floats.

Django's DecimalField lands in SQLite as a floating-point number, so sums drift; an integer
column sums exactly on every database. Conversions to the base currency use a rate held as an
integer scaled by RATE_SCALE and round half to even, once, per record.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents that differ from the usual 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
RATE_SCALE = 10**8
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SPACES = re.compile(r"[\s\u00a0\u202f']+")


class MoneyError(ValueError):
    """Text that is not an amount, or a currency code that is not one."""


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if not _CURRENCY.match(code):
        raise MoneyError(f"{code!r} is not a three-letter currency code")
    return code


def parse_decimal(text: str | int | Decimal) -> Decimal:
    """Read a number as people and spreadsheets write it: '1 234,56', '1,234.56', '-12.5'."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    raw = _SPACES.sub("", str(text).strip())
    if raw.startswith("(") and raw.endswith(")"):  # accounting negative
        raw = "-" + raw[1:-1]
    if "," in raw and "." in raw:
        # The later separator is the decimal one; the other groups thousands.
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        # '1,234,567' groups thousands; '12,5' and '1234,56' have a decimal comma.
        raw = raw.replace(",", "") if raw.count(",") > 1 else f"{head}.{tail}"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise MoneyError(f"{text!r} is not a number")
    return value


def to_minor(amount: str | int | Decimal, currency: str) -> int:
    """An amount in major units ('1 234,56') as an integer of minor units (123456).

    More decimals than the currency has is an error, not a silent rounding.
    """
    value = parse_decimal(amount)
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise MoneyError(f"{amount!r} has more decimals than {currency} allows")
    return int(minor)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def rate_to_scaled(rate: str | Decimal) -> int:
    """A rate ('92.5712' base units per one unit of the currency) as an integer."""
    value = parse_decimal(rate)
    if value <= 0:
        raise MoneyError(f"{rate!r} is not a positive rate")
    scaled = (value * RATE_SCALE).to_integral_value(ROUND_HALF_EVEN)
    return int(scaled)


def convert(minor: int, currency: str, rate_scaled: int, base: str) -> int:
    """Convert minor units of `currency` to minor units of `base`, rounding half to even."""
    if currency == base:
        return minor
    shift = exponent(base) - exponent(currency)
    numerator = minor * rate_scaled * (10**shift if shift > 0 else 1)
    denominator = RATE_SCALE * (10**-shift if shift < 0 else 1)
    return _div_half_even(numerator, denominator)


def _div_half_even(numerator: int, denominator: int) -> int:
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    q, r = divmod(abs(numerator), abs(denominator))
    twice = 2 * r
    if twice > abs(denominator) or (twice == abs(denominator) and q % 2 == 1):
        q += 1
    return sign * q


def format_minor(minor: int, currency: str, *, decimal_sep: str = ".", group_sep: str = " ") -> str:
    """'1 234 567.89' — for pages; exports write numbers, not text."""
    exp = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp) if exp else (abs(minor), 0)
    grouped = f"{whole:,}".replace(",", group_sep)
    if exp:
        return f"{sign}{grouped}{decimal_sep}{frac:0{exp}d}"
    return f"{sign}{grouped}"


def format_whole(minor: int, unit: int = 100) -> str:
    """Minor units as whole major units for pages: '1 234 568', '−5 000' (half to even)."""
    units = _div_half_even(int(minor), int(unit or 1))
    text = f"{abs(units):,}".replace(",", "\u00a0")
    return f"−{text}" if units < 0 else text
