"""Reading a page number or an offset from a query string."""

from __future__ import annotations

# Far past any real list (a million pages of 50), and far inside what the databases take as an
# OFFSET or a LIMIT: a page number typed as twenty digits must not reach them.
MAX_POSITION = 1_000_000


def query_int(value: str | None, default: int) -> int:
    """`value` as a whole number from 0 to MAX_POSITION; `default` when it is not a number."""
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, 0), MAX_POSITION)
