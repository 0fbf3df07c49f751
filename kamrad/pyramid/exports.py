"""A tier's client list as CSV or XLSX.

No cell that comes from data is ever a formula (kamrad/lib/csvsafe.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kamrad.lib import csvsafe
from kamrad.lib.money import to_major
from kamrad.pyramid.models import ClientValue


def _header() -> list[str]:
    currency = settings.KAMRAD_BASE_CURRENCY
    return [
        _("Organization"),
        _("Tax number"),
        _("Account manager"),
        _("Tier"),
        _("Trend"),
        f"{_('LTV')}, {currency}",
        f"{_('Profit')}, {currency}",
        f"{_('Cost to serve')}, {currency}",
        _("Coefficient of variation"),
    ]


def _row(value: ClientValue) -> list[Any]:
    currency = settings.KAMRAD_BASE_CURRENCY
    org = value.organization
    return [
        org.name,
        org.tax_number,
        str(org.account_manager) if org.account_manager else "",
        value.get_tier_display(),
        value.get_trend_display(),
        to_major(value.ltv, currency),
        to_major(value.profit, currency),
        to_major(value.cost_to_serve, currency),
        value.cv if value.cv is not None else "",
    ]


def to_csv(values: Iterable[ClientValue]) -> bytes:
    return csvsafe.write_csv((_row(value) for value in values), header=_header())


def to_xlsx(values: Iterable[ClientValue]) -> bytes:
    return csvsafe.write_xlsx(
        (_row(value) for value in values), header=_header(), sheet=_("Clients")
    )
