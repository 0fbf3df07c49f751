from django import template

from kamrad.lib import money

register = template.Library()


@register.filter
def money_filter(minor: int, currency: str) -> str:
    """Minor units as major ones for a page: '1 234 567.89'."""
    return money.format_minor(int(minor or 0), currency)


register.filter("money", money_filter)
