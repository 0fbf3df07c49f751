"""API tokens: issued on sign-in through the API or by an administrator on the command line."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from kamrad.users.models import User


@transaction.atomic
def token_issue(*, user: User, rotate: bool = False) -> Token:
    """The user's API token, made on first use; `rotate` replaces it (the old one stops working)."""
    if rotate:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def token_revoke(*, user: User) -> bool:
    """Withdraw the user's API token; True when there was one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)
