from django import template

from kamrad.lib import money

register = template.Library()


@register.filter
def minor(amount: int | None, currency: str = "") -> str:
    """An amount in minor units as people read it: 120 000.00."""
    if amount is None:
        return "—"
    return money.format_minor(amount, currency or "RUB")
