"""The import walk of the value issue: a file with a mistake, the mistake fixed, the import, and
the pyramid changing because of it — in a real browser."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients.models import Organization
from kamrad.pyramid.models import ClientValue, Tier
from kamrad.pyramid.services import pyramid_recompute
from kamrad.users.models import User
from kamrad.value import services as value_services
from kamrad.value.models import Sale
from tests.browser.test_walk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "ИНН;Дата;Сумма;Валюта;Номер документа\r\n"
WITH_A_MISTAKE = HEADER + (
    "7701000001;15.03.2026;2 500 000,00;RUB;R-1\r\n"
    "7701000001;31.04.2026;1 000 000,00;RUB;R-2\r\n"  # April has 30 days
)
FIXED = WITH_A_MISTAKE.replace("31.04.2026", "30.04.2026")


def upload(page: Page, path: Path) -> None:
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("What the file holds").select_option("sales")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_role("heading", name=path.name)).to_be_visible()
    page.get_by_role("button", name="Dry run").click()


def test_an_import_fixed_after_its_dry_run_moves_a_client_up_the_pyramid(
    page: Page,
    live_server: LiveServer,
    head: User,
    alices_client: Organization,
    bobs_client: Organization,
    screenshots: Path,
    tmp_path: Path,
    settings,
) -> None:
    settings.KAMRAD_IMPORT_BACKGROUND = False
    settings.VAR_DIR = tmp_path / "var"
    # Before the import bob's client is the most valuable of the two, alice's has no history.
    value_services.record_create(
        Sale,
        user=head,
        organization=bobs_client,
        data={"date": datetime.date(2026, 2, 1), "currency": "RUB", "amount": "100000"},
    )
    pyramid_recompute(user=head)
    assert ClientValue.objects.get(organization=bobs_client).tier == Tier.MOST_VALUABLE
    assert ClientValue.objects.get(organization=alices_client).tier == Tier.STRATEGIC

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "helen")

    mistaken = tmp_path / "sales-march-april.csv"
    mistaken.write_bytes(WITH_A_MISTAKE.encode("cp1251"))
    upload(page, mistaken)
    report = page.locator("#report")
    expect(report.get_by_text("31.04.2026 is not a date.")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    assert not Sale.objects.filter(organization=alices_client).exists()

    fixed = tmp_path / "sales-march-april-fixed.csv"
    fixed.write_bytes(FIXED.encode("cp1251"))
    upload(page, fixed)
    expect(page.locator("#report").get_by_text("is not a date")).to_have_count(0)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported.")).to_be_visible()
    assert Sale.objects.filter(organization=alices_client).count() == 2

    page.get_by_role("link", name="Pyramid", exact=True).click()
    moves = page.locator("#moves")
    alices_move = moves.locator("tr", has_text="ООО Ромашка")
    expect(alices_move.first).to_contain_text("Most valuable")
    # Bob's client fell from the top (to whichever tier its figures now give).
    bobs_fall = moves.locator("tr.fall", has_text="Acme Widgets Ltd")
    expect(bobs_fall.first).to_contain_text("Most valuable")
    assert ClientValue.objects.get(organization=bobs_client).tier != Tier.MOST_VALUABLE
    assert ClientValue.objects.get(organization=alices_client).tier == Tier.MOST_VALUABLE
    page.screenshot(path=str(screenshots / "import-pyramid-moves.png"), full_page=True)
