"""The work history in a real browser: the card's section loads, switches to quarters in
place, and draws its chart; the full page adds a record in place."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients import services
from kamrad.clients.models import Organization
from kamrad.users.models import User
from kamrad.value import demo
from kamrad.value.models import Claim
from tests.browser.test_walk import has_no_horizontal_overflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_like_client(alice: User) -> Organization:
    """One of alice's clients with three years of work history, as the demo writes it."""
    for name, line in (
        ("Интернет «Бизнес 500»", "Доступ в интернет"),
        ("IP-телефония", "Телефония"),
    ):
        services.product_create(user=alice, data={"name": name, "category": line})
    org = services.organization_create(
        user=alice, data={"name": "ООО «Вектор»", "tax_number": "7701234567"}
    )
    today = timezone.localdate()
    demo.load(today=datetime.date(today.year, today.month, 1))
    return org


def test_the_card_switches_its_work_history_to_quarters_in_place(
    page: Page,
    live_server: LiveServer,
    alice: User,
    demo_like_client: Organization,
    screenshots: Path,
) -> None:
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{demo_like_client.pk}/")
    section = page.locator("#work-history")
    expect(section.get_by_role("link", name="Months")).to_have_attribute("aria-current", "true")
    expect(section.locator("svg.bars rect").first).to_be_attached()
    card_url = page.url

    section.get_by_role("link", name="Quarters").click()
    expect(section.get_by_role("link", name="Quarters")).to_have_attribute("aria-current", "true")
    expect(section.locator("table.indicators-table tbody th").first).to_contain_text("Q")
    chart = section.get_by_role("img", name="Revenue, profit and cost to serve")
    expect(chart).to_be_visible()
    assert page.url == card_url  # switched in place, no navigation
    assert section.locator("svg.bars rect").count() >= 3 * 12
    section.scroll_into_view_if_needed()
    section.screenshot(path=screenshots / "work-history-quarters.png")

    page.set_viewport_size({"width": 390, "height": 844})
    assert has_no_horizontal_overflow(page)


def test_the_full_page_adds_a_claim_in_place(
    page: Page,
    live_server: LiveServer,
    alice: User,
    demo_like_client: Organization,
    screenshots: Path,
) -> None:
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clients/{demo_like_client.pk}/work-history/")
    claims = page.locator("#claims")
    claims.get_by_text("Add a claim").click()
    claims.get_by_label("Date").fill("2026-01-15")
    claims.get_by_label("What").fill("Обрыв канала в филиале")
    claims.get_by_role("button", name="Add").click()
    expect(page.locator("#claims")).to_contain_text("Обрыв канала в филиале")
    assert Claim.objects.filter(subject="Обрыв канала в филиале").exists()
    page.screenshot(path=screenshots / "work-history-page.png", full_page=True)


def test_the_work_history_reads_right_in_russian(
    page: Page,
    live_server: LiveServer,
    alice: User,
    demo_like_client: Organization,
    screenshots: Path,
) -> None:
    sign_in(page, live_server, "alice")
    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    page.goto(f"{live_server.url}/clients/{demo_like_client.pk}/work-history/?period=year")
    expect(page.get_by_role("heading", name="История работы")).to_be_visible()
    expect(page.get_by_role("link", name="Годы")).to_have_attribute("aria-current", "true")
    expect(
        page.get_by_role("img", name="Выручка, прибыль и затраты на обслуживание")
    ).to_be_visible()
    page.locator(".cardgrid > section").first.screenshot(path=screenshots / "work-history-ru.png")
