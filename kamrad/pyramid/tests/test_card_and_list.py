"""The tier on the organization card, and the organization list filtered by tier."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kamrad.clients import search

pytestmark = pytest.mark.django_db


def test_the_card_shows_the_clients_tier(client: Client, alice, pyramid_world) -> None:
    client.force_login(alice)
    body = client.get(f"/clients/{pyramid_world['alice_top'].pk}/").content.decode()
    assert '<a class="badge tier-most_valuable" href="/pyramid/clients/?tier=most_valuable"' in body


def test_a_card_without_a_tier_shows_no_badge(client: Client, alice, alices_client) -> None:
    client.force_login(alice)
    body = client.get(f"/clients/{alices_client.pk}/").content.decode()
    assert "badge tier-" not in body


def test_the_list_filters_by_tier(client: Client, head, alice, pyramid_world) -> None:
    client.force_login(head)
    shown = client.get("/clients/", {"tier": "most_valuable"}).context["page"].organizations
    assert {row.pk for row in shown} == {pyramid_world["alice_top"].pk, pyramid_world["bob_top"].pk}
    client.force_login(alice)
    shown = client.get("/clients/", {"tier": "most_valuable"}).context["page"].organizations
    assert [row.pk for row in shown] == [pyramid_world["alice_top"].pk]
    search.refresh([o.pk for o in pyramid_world.values()])  # made without the services
    searched = client.get("/clients/", {"tier": "ballast", "q": "HYPERLINK"})
    found = [row.pk for row in searched.context["page"].organizations]
    assert found == [pyramid_world["alice_ballast"].pk]


def test_the_tier_filter_adds_no_query_to_the_list(client: Client, head, pyramid_world) -> None:
    client.force_login(head)
    client.get("/clients/")
    with CaptureQueriesContext(connection) as plain:
        client.get("/clients/")
    with CaptureQueriesContext(connection) as filtered:
        client.get("/clients/", {"tier": "strategic"})
    assert len(filtered) == len(plain)
