from django import template

from kamrad.lib.money import _div_half_even

register = template.Library()


@register.filter
def whole(minor: int | None, unit: int = 100) -> str:
    """Minor units shown in whole major units, grouped: 1 234 568 (rounded half to even)."""
    if minor is None:
        return "—"
    units = _div_half_even(int(minor), int(unit or 1))
    text = f"{abs(units):,}".replace(",", "\u00a0")
    return f"−{text}" if units < 0 else text
