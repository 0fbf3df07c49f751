"""Text normalisation shared by search, imports and duplicate checks (no Django here)."""

import re
import unicodedata

_NOT_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")
_PHONE_LIKE = re.compile(r"^[\d\s()+\-.]+$")


def fold(text: str) -> str:
    """Case-fold for comparison: Latin and Cyrillic alike, 'ё' as 'е', spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _SPACES.sub(" ", text).strip()


def digits(text: str) -> str:
    return _NOT_DIGITS.sub("", text)


def is_phone_like(term: str) -> bool:
    """A search term that is a phone number (or a tax number) written with separators."""
    return bool(_PHONE_LIKE.match(term)) and len(digits(term)) >= 3


def search_terms(query: str) -> list[str]:
    """Split a search box entry into folded terms; a phone written with spaces is one term."""
    query = query.strip()
    if not query:
        return []
    if is_phone_like(query):
        return [digits(query)]
    terms = []
    for raw in fold(query).split(" "):
        term = digits(raw) if is_phone_like(raw) else raw
        if term and term not in terms:
            terms.append(term)
    return terms
