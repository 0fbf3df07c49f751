"""Who may see and do what: the one module that decides access.

Every page, htmx partial, API endpoint, search, autocomplete and export reaches client data
through the helpers here:

- `organizations_visible_to(user)` and `scope(queryset, user, path)` narrow any queryset to the
  clients the user may see (an account manager: the clients assigned to them; everyone else:
  all clients);
- `get_visible_or_404(...)` fetches one object that way, so another manager's client answers
  404 (it does not exist for them) and a viewer's write answers 403;
- `@policy(read=..., write=...)` marks every view with who may use it at all, by HTTP method;
  the access-matrix test walks the URL configuration and fails for a view without a decision.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from kamrad.users.models import Role

if TYPE_CHECKING:
    from kamrad.clients.models import Organization
    from kamrad.users.models import User

log = logging.getLogger("kamrad.access")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Rule(enum.StrEnum):
    """Who may use a route at all (object visibility is decided separately)."""

    PUBLIC = "public"  # anyone, signed in or not (login page, language switch)
    SIGNED_IN = "signed_in"  # every role
    WRITERS = "writers"  # program head, account managers, administrators — not viewers
    HEAD = "head"  # program head and administrators
    OVERSEERS = "overseers"  # program head, management (viewers) and administrators
    ADMIN = "admin"  # administrators only


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role


def allows(rule: Rule, user: Any) -> bool:
    role = role_of(user)
    if rule is Rule.PUBLIC:
        return True
    if role is None:
        return False
    if rule is Rule.SIGNED_IN:
        return True
    if rule is Rule.WRITERS:
        return role in {Role.HEAD, Role.MANAGER, Role.ADMIN}
    if rule is Rule.HEAD:
        return role in {Role.HEAD, Role.ADMIN}
    if rule is Rule.OVERSEERS:
        return role in {Role.HEAD, Role.VIEWER, Role.ADMIN}
    if rule is Rule.ADMIN:
        return role == Role.ADMIN
    raise ValueError(rule)


def deny(user: Any, what: str) -> PermissionDenied:
    log.warning("access denied: user=%s role=%s %s", getattr(user, "pk", None), role_of(user), what)
    return PermissionDenied(what)


def not_found(user: Any, what: str) -> Http404:
    log.warning("access hidden: user=%s role=%s %s", getattr(user, "pk", None), role_of(user), what)
    return Http404(what)


def rule_for_method(read: Rule, write: Rule, method: str) -> Rule:
    return read if method.upper() in SAFE_METHODS else write


def policy(
    *, read: Rule, write: Rule = Rule.WRITERS
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Declare who may call a view: `read` for GET/HEAD, `write` for every other method.

    A signed-out visitor is sent to the login page by LoginRequiredMiddleware before this
    runs (except for PUBLIC views, which are marked login_not_required).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            rule = rule_for_method(read, write, request.method or "GET")
            if not allows(rule, request.user):
                raise deny(request.user, f"{request.method} {request.path} needs {rule}")
            return view(request, *args, **kwargs)

        wrapper.access_policy = (read, write)  # type: ignore[attr-defined]
        if read is Rule.PUBLIC:
            wrapper.login_required = False  # type: ignore[attr-defined]
        return wrapper

    return decorate


# --- Object visibility ------------------------------------------------------------------


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    from kamrad.clients.models import Organization

    return scope(Organization.objects.all(), user, "")


def scope[M: Model](queryset: QuerySet[M], user: Any, path: str) -> QuerySet[M]:
    """Narrow `queryset` to the rows the user may see.

    `path` leads from the queryset's model to its Organization ("" for Organization itself,
    "organization" for a contact, "contact__organization" for a decision role). An account
    manager sees the organizations assigned to them and what hangs off them.
    """
    role = role_of(user)
    if role is None:
        return queryset.none()
    if role in {Role.HEAD, Role.VIEWER, Role.ADMIN}:
        return queryset
    field = f"{path}__account_manager" if path else "account_manager"
    return queryset.filter(**{field: user})


def get_visible_or_404[M: Model](
    queryset: QuerySet[M], user: Any, path: str, *, write: bool = False, **lookup: Any
) -> M:
    """Fetch one object the user may see; raise 404 when they may not, 403 on a viewer's write."""
    if write and not user.can_write:
        raise deny(user, f"write to {queryset.model.__name__} {lookup}")
    try:
        return scope(queryset, user, path).get(**lookup)
    except queryset.model.DoesNotExist:
        raise not_found(user, f"{queryset.model.__name__} {lookup}") from None


def may_manage_organization(user: Any, organization: Organization) -> bool:
    """May this user write to this organization (and what hangs off it)?"""
    role = role_of(user)
    if role in {Role.HEAD, Role.ADMIN}:
        return True
    if role == Role.MANAGER:
        return organization.account_manager_id == user.pk
    return False


def may_assign_managers(user: Any) -> bool:
    """Only the program head (and administrators) choose who manages a client."""
    return role_of(user) in {Role.HEAD, Role.ADMIN}


# --- API --------------------------------------------------------------------------------


class KamradApiPermission(BasePermission):
    """The API's gate: signed in to read; viewers never write. Visibility is the queryset's."""

    message = "You may not change data with this account."

    def has_permission(self, request: Any, view: Any) -> bool:
        read, write = getattr(view, "access_policy", (Rule.SIGNED_IN, Rule.WRITERS))
        rule = rule_for_method(read, write, request.method)
        if allows(rule, request.user):
            return True
        if request.user and request.user.is_authenticated:
            log.warning(
                "access denied: user=%s role=%s %s %s",
                request.user.pk,
                role_of(request.user),
                request.method,
                request.path,
            )
        return False
