"""What an account manager does in a real browser, in English, in Russian and on a phone."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from kamrad.clients import services
from kamrad.clients.models import DecisionRole, Organization
from kamrad.users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT_NAME = "ООО «Северный ветер»"
CONTACT_NAME = "Анна Сергеевна Воронцова"
PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/clients/")


def has_no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def busy_client(alice: User) -> Organization:
    """One of alice's clients with enough on its card to stretch a narrow screen."""
    org = services.organization_create(
        user=alice,
        data={
            "name": "Акционерное общество «Трансконтинентальные информационные системы»",
            "legal_name": "АО «Трансконтинентальные информационные системы и телекоммуникации»",
            "tax_number": "7701234567",
            "legal_address": "125009, г. Москва, ул. Тверская, д. 7, стр. 2, офис 1015",
            "website": "https://transcontinental-information-systems.example.com/about/company",
        },
    )
    contact = services.contact_create(
        user=alice,
        organization=org,
        data={"full_name": "Константин Константинович Константинопольский", "position": "CFO"},
        roles=[DecisionRole.Role.APPROVES_BUDGET, DecisionRole.Role.SIGNS],
        phones=["+7 (495) 123-45-67"],
        emails=["konstantin.konstantinopolsky@transcontinental.example.com"],
    )
    services.relationship_create(user=alice, data={"staff": alice, "contact": contact, "warmth": 4})
    services.event_create(
        user=alice,
        organization=org,
        data={
            "title": "25 лет компании",
            "date": datetime.date(2025, 3, 14),
            "kind": "anniversary",
        },
    )
    services.dossier_add(
        user=alice,
        data={
            "organization": org,
            "date": datetime.date(2025, 2, 1),
            "text": "Планируют открыть филиалы в Казани и Новосибирске; тендер на связь весной.",
        },
    )
    return org


def test_a_manager_creates_a_client_adds_a_decider_and_finds_it_by_the_contact(
    page: Page, live_server: LiveServer, alice: User, bobs_client: Organization
) -> None:
    sign_in(page, live_server, "alice")
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()

    page.get_by_role("link", name="New organization").click()
    expect(page.get_by_role("heading", name="New organization")).to_be_visible()
    page.get_by_role("textbox", name="Name", exact=True).fill(CLIENT_NAME)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(CLIENT_NAME)
    card_url = page.url

    page.get_by_text("Add a contact person").click()
    form = page.locator("#contact_form")
    form.get_by_role("textbox", name="Full name", exact=True).fill(CONTACT_NAME)
    form.get_by_label("Position").fill("Генеральный директор")
    form.get_by_label("Takes the decision").check()
    form.get_by_role("button", name="Add contact").click()

    person = page.locator("#contacts").get_by_role("listitem").filter(has_text=CONTACT_NAME)
    expect(person).to_be_visible()
    expect(person.get_by_text("Takes the decision")).to_be_visible()
    assert page.url == card_url, "the contact was added in place, without leaving the card"

    page.goto(f"{live_server.url}/clients/")
    page.get_by_role("searchbox").fill("ворон")
    results = page.locator("#results")
    expect(results.get_by_role("link", name=CLIENT_NAME)).to_be_visible()
    expect(results.get_by_role("link")).to_have_count(1)  # not bob's client, nothing else
    results.get_by_role("link", name=CLIENT_NAME).click()

    history = page.locator("#history")
    expect(history).to_contain_text(CONTACT_NAME)
    expect(history).to_contain_text("created")
    expect(history).to_contain_text("Alice Adams")


def test_in_russian_the_list_and_the_card_speak_russian(
    page: Page, live_server: LiveServer, alice: User, busy_client: Organization
) -> None:
    sign_in(page, live_server, "alice")

    page.get_by_role("button", name="RU").click()

    expect(page.get_by_role("heading", name="Организации")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_role("link", name=busy_client.name).click()
    for heading in ("Реквизиты", "Контактные лица", "История изменений"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    person = page.locator("#contacts").get_by_role("listitem").filter(has_text="Константин")
    expect(person.get_by_text("Утверждает бюджет")).to_be_visible()


def test_on_a_phone_the_list_and_the_card_fit_the_screen(
    page: Page, live_server: LiveServer, alice: User, busy_client: Organization, screenshots: Path
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "alice")

    expect(page.get_by_role("link", name=busy_client.name)).to_be_visible()
    page.screenshot(path=screenshots / "phone-list.png", full_page=True)
    assert has_no_horizontal_overflow(page), "the list is wider than the phone"

    page.get_by_role("link", name=busy_client.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(busy_client.name)
    page.screenshot(path=screenshots / "phone-card.png", full_page=True)
    assert has_no_horizontal_overflow(page), "the card is wider than the phone"


def test_a_screenshot_of_each_main_page(
    page: Page, live_server: LiveServer, alice: User, busy_client: Organization, screenshots: Path
) -> None:
    services.product_create(
        user=alice, data={"name": "Оптика 1 Гбит/с", "category": "Интернет", "maker": busy_client}
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.screenshot(path=screenshots / "login.png", full_page=True)

    sign_in(page, live_server, "alice")
    page.screenshot(path=screenshots / "list.png", full_page=True)

    page.goto(f"{live_server.url}/clients/{busy_client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(busy_client.name)
    page.screenshot(path=screenshots / "card.png", full_page=True)

    page.goto(f"{live_server.url}/clients/new/")
    expect(page.get_by_role("heading", name="New organization")).to_be_visible()
    page.screenshot(path=screenshots / "create.png", full_page=True)

    page.goto(f"{live_server.url}/clients/products/")
    expect(page.get_by_role("link", name="Оптика 1 Гбит/с")).to_be_visible()
    page.screenshot(path=screenshots / "products.png", full_page=True)

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kamrad API")
    expect(page.get_by_role("link", name="← Kamrad")).to_be_visible()
    # The whole Swagger page is several metres long; its top says whether it works.
    page.screenshot(path=screenshots / "api-docs.png")

    for name in ("login", "list", "card", "create", "products", "api-docs"):
        assert (screenshots / f"{name}.png").stat().st_size > 0
