"""Template helpers of the pyramid: money in base-currency minor units, and a tier badge."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.formats import get_format

from kamrad.clients.models import Organization
from kamrad.lib.money import exponent, format_minor, format_whole
from kamrad.pyramid.models import Tier

register = template.Library()


@register.filter
def money(minor: int | None) -> str:
    """Minor units of the base currency as whole units, grouped: '1 234 567'."""
    if minor is None:
        return "—"
    return format_whole(minor, 10 ** exponent(settings.KAMRAD_BASE_CURRENCY))


@register.filter
def money_exact(minor: int | None) -> str:
    if minor is None:
        return "—"
    return format_minor(
        minor,
        settings.KAMRAD_BASE_CURRENCY,
        decimal_sep=get_format("DECIMAL_SEPARATOR"),
        group_sep="\u202f",
    )


@register.inclusion_tag("pyramid/_tier_badge.html")
def tier_badge(organization: Organization) -> dict[str, object]:
    """The organization's tier as a badge linking to its tier's list.

    No query when the organization was read with `select_related("pyramid_value")`, as the
    card reads it.
    """
    try:
        value = organization.pyramid_value  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        value = None
    if value is None:
        return {"value": None}
    return {"value": value, "label": dict(Tier.choices)[value.tier]}
