"""The pyramid page: the SVG and table of tiers, scoped counts, moves, settings, recompute."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kamrad.pyramid.models import Tier, TierMove

pytestmark = pytest.mark.django_db


def test_it_shows_the_four_tiers_with_counts_and_shares_to_the_head(
    client: Client, head, pyramid_world
) -> None:
    client.force_login(head)
    response = client.get("/pyramid/")
    assert response.status_code == 200
    tiers = {t.tier: t for t in response.context["tiers"]}
    assert {t: tiers[t].count for t in Tier} == {
        Tier.MOST_VALUABLE: 2,
        Tier.STRATEGIC: 6,
        Tier.WORKERS: 1,
        Tier.BALLAST: 1,
    }
    positive = 40000 + 32000 + 2400 + sum(8 * (100 + i) for i in range(6))
    assert tiers[Tier.MOST_VALUABLE].share == round(100 * 72000 / positive, 1)
    assert tiers[Tier.BALLAST].ltv == -300
    body = response.content.decode()
    assert "<svg" in body and "<title" in body and "<polygon" in body
    assert 'href="/pyramid/clients/?tier=most_valuable"' in body
    assert "Recompute now" in body


def test_a_manager_sees_the_counts_of_their_own_clients_only(
    client: Client, alice, pyramid_world
) -> None:
    client.force_login(alice)
    response = client.get("/pyramid/")
    tiers = {t.tier: t.count for t in response.context["tiers"]}
    assert tiers == {
        Tier.MOST_VALUABLE: 1,
        Tier.STRATEGIC: 3,
        Tier.WORKERS: 0,
        Tier.BALLAST: 1,
    }
    body = response.content.decode()
    assert "Bravo" not in body
    assert "Recompute now" not in body
    assert 'action="/pyramid/settings/"' not in body


def test_it_lists_the_moves_since_a_day_with_falls_marked(
    client: Client, head, pyramid_world
) -> None:
    TierMove.objects.filter(organization=pyramid_world["bob_top"]).update(
        from_tier=Tier.MOST_VALUABLE, to_tier=Tier.WORKERS, is_fall=True
    )
    client.force_login(head)
    today = timezone.localdate()
    response = client.get("/pyramid/", {"since": today.isoformat()})
    assert len(response.context["moves"]) == 10
    body = response.content.decode()
    assert '<tr class="fall">' in body
    falls = client.get(
        "/pyramid/moves/", {"since": today, "falls": "on"}, headers={"HX-Request": "true"}
    )
    assert [m.organization for m in falls.context["moves"]] == [pyramid_world["bob_top"]]
    assert "<html" not in falls.content.decode()
    later = client.get("/pyramid/", {"since": (today + timedelta(days=1)).isoformat()})
    assert later.context["moves"] == []


def test_the_moves_of_another_managers_clients_are_not_shown(
    client: Client, alice, pyramid_world
) -> None:
    client.force_login(alice)
    response = client.get("/pyramid/", {"since": timezone.localdate().isoformat()})
    shown = {m.organization.account_manager_id for m in response.context["moves"]}
    assert shown == {alice.pk}


def test_it_renders_in_russian(client: Client, head, pyramid_world) -> None:
    client.force_login(head)
    response = client.get("/pyramid/", headers={"Accept-Language": "ru"})
    body = response.content.decode()
    assert "Пирамида клиентов" in body
    assert "Самые ценные" in body and "Балласт" in body
    assert "Пересчитать" in body


def test_it_renders_with_a_fixed_number_of_queries(
    client: Client, head, pyramid_world, django_assert_max_num_queries
) -> None:
    client.force_login(head)
    client.get("/pyramid/")
    with django_assert_max_num_queries(12):
        assert client.get("/pyramid/").status_code == 200


def test_the_heads_counts_come_from_the_last_recompute_and_a_managers_are_summed(
    client: Client, head, alice, pyramid_world
) -> None:
    from kamrad.pyramid.models import ClientValue, RecomputeRun

    assert RecomputeRun.objects.get().summary[Tier.BALLAST] == [1, -300]
    ClientValue.objects.filter(organization=pyramid_world["alice_top"]).delete()
    client.force_login(head)
    heads = {t.tier: t.count for t in client.get("/pyramid/").context["tiers"]}
    assert heads[Tier.MOST_VALUABLE] == 2  # as the recompute left it
    client.force_login(alice)
    alices = {t.tier: t.count for t in client.get("/pyramid/").context["tiers"]}
    assert alices[Tier.MOST_VALUABLE] == 0  # her own rows, summed now
