"""The reports API."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

# Paths that must come before the router's (a fixed word the router would take for an id).
urlpatterns: list = []


def register(router: SimpleRouter) -> None:
    """Add this app's API collections to the API's router."""
