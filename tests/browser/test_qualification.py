"""VIP qualification in a real browser: the head reads a client's verdict on its card and
judges a criterion in place, with a note."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients import services
from kamrad.lib import money
from kamrad.qualification import defaults
from kamrad.qualification.models import JudgedMark
from kamrad.users.models import User
from kamrad.value.models import ExchangeRate, Sale
from tests.browser.test_walk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_sees_the_verdict_on_the_card_and_judges_a_criterion(
    page: Page, live_server: LiveServer, head: User, alice: User, screenshots: Path, settings
) -> None:
    settings.KAMRAD_BASE_CURRENCY = "RUB"
    defaults.install_current()  # a transactional test before this one emptied the tables
    org = services.organization_create(
        user=head, data={"name": "АО «Балтийский порт»", "account_manager": alice}
    )
    ExchangeRate.objects.create(
        currency="USD", date=datetime.date(2020, 1, 1), rate_scaled=money.rate_to_scaled("90")
    )
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=400)
    for day, amount, line in (
        (year_ago, 300_000_000_00, "Кредиты"),
        (today, 400_000_000_00, "Кредиты"),
        (today, 100_000_000_00, "Депозиты"),
        (today, 50_000_000_00, "Зарплатный проект"),
    ):
        Sale.objects.create(
            organization=org,
            date=day,
            product_line=line,
            currency="RUB",
            amount_minor=amount,
            amount_base=amount,
        )

    sign_in(page, live_server, "helen")
    page.goto(f"{live_server.url}/clients/{org.pk}/")
    section = page.locator("#qualification")
    expect(section.get_by_text("Qualifies", exact=True)).to_be_visible()
    expect(section.get_by_text("VIP candidate")).to_be_visible()
    expect(section.get_by_text("3 of 5 criteria met, 3 needed")).to_be_visible()
    expect(section.get_by_text("Product lines", exact=False).first).to_be_visible()

    monopoly = section.locator("li.criterion", has_text="Monopoly position")
    monopoly.get_by_text("Judge it").click()
    monopoly.get_by_label("Met", exact=True).check()
    monopoly.get_by_label("Why").fill("The only deep-water port in the region")
    monopoly.get_by_role("button", name="Save the judgement").click()

    expect(section.get_by_text("4 of 5 criteria met, 3 needed")).to_be_visible()
    expect(monopoly.locator(".judgement")).to_contain_text("The only deep-water port in the region")
    expect(monopoly.locator(".judgement")).to_contain_text("Helen Head")
    expect(page).to_have_url(f"{live_server.url}/clients/{org.pk}/")  # edited in place
    mark = JudgedMark.objects.get()
    assert (mark.met, mark.set_by_id) == (True, head.pk)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "qualification-card.png", full_page=True)

    page.get_by_role("link", name="VIP candidates").click()
    expect(page.get_by_role("link", name=org.name)).to_be_visible()
    page.get_by_role("button", name="RU").click()
    expect(page.get_by_role("heading", name="Кандидаты в VIP")).to_be_visible()
    page.screenshot(path=screenshots / "qualification-candidates-ru.png", full_page=True)


def test_the_head_reads_and_opens_the_criteria_editor(
    page: Page, live_server: LiveServer, head: User, screenshots: Path
) -> None:
    defaults.install_current()
    sign_in(page, live_server, "helen")
    page.goto(f"{live_server.url}/qualification/criteria/")
    expect(page.get_by_role("heading", name="VIP criteria")).to_be_visible()
    page.screenshot(path=screenshots / "qualification-criteria.png", full_page=True)
    page.get_by_role("row", name="Volume above the thresholds").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Volume above the thresholds")).to_be_visible()
    page.screenshot(path=screenshots / "qualification-criterion-edit.png", full_page=True)
