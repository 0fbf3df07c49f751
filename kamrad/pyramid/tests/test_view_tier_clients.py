"""A tier's clients: paged by LTV, with trend and manager, scoped; LTV over a period."""

from datetime import date

import pytest
from django.test import Client

from kamrad.pyramid.tests.helpers import client as make_client
from kamrad.pyramid.tests.helpers import sale

pytestmark = pytest.mark.django_db


def test_it_lists_a_tiers_clients_by_ltv(client: Client, head, pyramid_world) -> None:
    client.force_login(head)
    response = client.get("/pyramid/clients/", {"tier": "most_valuable"})
    rows = response.context["page"].rows
    assert [r.organization for r in rows] == [pyramid_world["alice_top"], pyramid_world["bob_top"]]
    body = response.content.decode()
    assert "Alpha Mills" in body and "400" in body and "Alice Adams" in body
    assert f'href="/clients/{pyramid_world["alice_top"].pk}/"' in body


def test_a_manager_sees_only_their_clients_of_the_tier(
    client: Client, alice, pyramid_world
) -> None:
    client.force_login(alice)
    response = client.get("/pyramid/clients/", {"tier": "most_valuable"})
    assert [r.organization for r in response.context["page"].rows] == [pyramid_world["alice_top"]]
    assert "Bravo" not in response.content.decode()
    workers = client.get("/pyramid/clients/", {"tier": "workers"})
    assert workers.context["page"].rows == []


def test_it_pages_the_list(client: Client, head, pyramid_world, settings) -> None:
    settings.KAMRAD_PAGE_SIZE = 4
    client.force_login(head)
    first = client.get("/pyramid/clients/", {"tier": "strategic"}).context["page"]
    second = client.get("/pyramid/clients/", {"tier": "strategic", "page": 2}).context["page"]
    assert (len(first.rows), first.has_next, len(second.rows), second.has_next) == (
        4,
        True,
        2,
        False,
    )
    assert first.count == 6


def test_it_shows_the_ltv_of_a_chosen_period(client: Client, head, alice) -> None:
    from kamrad.pyramid import services

    org = make_client("Period", alice)
    sale(org, date(2025, 1, 10), 1000_00, cost=400_00)
    sale(org, date(2025, 6, 10), 5000_00)
    services.pyramid_recompute(user=None, on=date(2026, 1, 1))
    client.force_login(head)
    response = client.get("/pyramid/clients/", {"start": "2025-01-01", "end": "2025-03-31"})
    (row,) = response.context["page"].rows
    assert row.period_ltv == 600_00
    assert row.ltv == 5600_00
    assert "LTV in the period" in response.content.decode()


def test_bad_dates_show_an_error_not_a_failure(client: Client, head, pyramid_world) -> None:
    client.force_login(head)
    response = client.get(
        "/pyramid/clients/", {"tier": "nonsense", "start": "2025-05-01", "end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()


def test_the_htmx_request_gets_the_results_only(client: Client, head, pyramid_world) -> None:
    client.force_login(head)
    response = client.get("/pyramid/clients/", {"tier": "ballast"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')


def test_it_renders_with_a_fixed_number_of_queries(
    client: Client, head, pyramid_world, django_assert_max_num_queries
) -> None:
    client.force_login(head)
    with django_assert_max_num_queries(8):
        client.get("/pyramid/clients/", {"start": "2020-01-01"})
