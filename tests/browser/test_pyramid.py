"""The client pyramid in a real browser: the head opens it, recomputes, clicks a tier."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients.models import Organization
from kamrad.pyramid.tests.helpers import QUARTERS, client, cost, sale, steady
from kamrad.users.models import User
from tests.browser.test_walk import has_no_horizontal_overflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clients(alice: User, bob: User) -> list[Organization]:
    made = []
    for i in range(12):
        org = client(f"Клиент {i:02d}", alice if i % 2 else bob)
        steady(org, 10_000_00 * (i + 1))
        made.append(org)
    swings = client("Качели", alice)
    for i, day in enumerate(QUARTERS):
        sale(swings, day, 90_000_00 if i % 2 else 0)
    made.append(swings)
    ballast = client("Дорогой в обслуживании", bob)
    cost(ballast, QUARTERS[2], 5_000_00)
    made.append(ballast)
    return made


def test_the_head_recomputes_the_pyramid_and_opens_a_tier(
    page: Page, live_server: LiveServer, head: User, clients: list[Organization], screenshots: Path
) -> None:
    sign_in(page, live_server, "helen")
    page.get_by_role("link", name="Pyramid").click()
    expect(page.get_by_role("heading", name="Client pyramid")).to_be_visible()
    expect(page.get_by_text("Not recomputed yet.")).to_be_visible()

    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_text("14 clients, 14 changed, 14 tier moves")).to_be_visible(timeout=15000)
    # The finished run's panel may still be swapped in place by its last poll: follow its link
    # rather than click an element that can be replaced under the pointer.
    new_figures = page.get_by_role("link", name="Show the new figures")
    expect(new_figures).to_be_visible()
    page.goto(live_server.url + new_figures.get_attribute("href"))
    table = page.locator(".tier-table")
    expect(table.get_by_role("row", name="Most valuable")).to_contain_text("3")
    expect(page.locator("#moves tbody tr")).to_have_count(14)
    page.screenshot(path=screenshots / "pyramid.png", full_page=True)

    table.get_by_role("link", name="Most valuable").click()
    expect(page.get_by_role("heading", name="Most valuable")).to_be_visible()
    rows = page.locator(".tierlist tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Клиент 11")
    page.screenshot(path=screenshots / "pyramid-tier.png", full_page=True)

    rows.first.get_by_role("link", name="Клиент 11").click()
    expect(page.locator(".badge.tier-most_valuable")).to_be_visible()


def test_the_pyramid_reads_in_russian_and_fits_a_phone(
    page: Page, live_server: LiveServer, head: User, clients: list[Organization], screenshots: Path
) -> None:
    from kamrad.pyramid.services import pyramid_recompute

    pyramid_recompute(user=None)
    sign_in(page, live_server, "helen")
    page.get_by_role("button", name="RU").click()
    page.goto(f"{live_server.url}/pyramid/")
    expect(page.get_by_role("heading", name="Пирамида клиентов")).to_be_visible()
    page.locator("svg .band-workers").click()
    expect(page.get_by_role("heading", name="Рабочие лошадки")).to_be_visible()
    expect(page.locator(".tierlist tbody tr")).to_have_count(1)
    page.goto(f"{live_server.url}/pyramid/")
    page.screenshot(path=screenshots / "pyramid-ru.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/pyramid/")
    assert has_no_horizontal_overflow(page)
    page.screenshot(path=screenshots / "pyramid-phone.png", full_page=True)
