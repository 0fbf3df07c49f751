from django import template

from kamrad.lib.money import format_whole

register = template.Library()


@register.filter
def whole(minor: int | None, unit: int = 100) -> str:
    """Minor units shown in whole major units, grouped: 1 234 568 (rounded half to even)."""
    if minor is None:
        return "—"
    return format_whole(minor, unit)
