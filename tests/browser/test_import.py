"""Importing a file in a real browser: upload, mapping, dry-run report, the good rows only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kamrad.clients.models import Organization
from kamrad.users.models import User
from kamrad.value.models import Sale
from tests.browser.test_walk import has_no_horizontal_overflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SALES = (
    "ИНН;Дата;Сумма;Валюта;Номер документа\r\n"
    "7701000001;01.02.2024;1 234,56;RUB;A-1\r\n"
    "7701000001;31.02.2024;10;RUB;A-2\r\n"
    "9999999999;03.02.2024;20;RUB;A-3\r\n"
    "7701000001;04.02.2024;30;RUB;A-4\r\n"
)


def test_it_imports_a_file_with_bad_rows_after_a_dry_run(
    page: Page,
    live_server: LiveServer,
    head: User,
    alices_client: Organization,
    screenshots: Path,
    tmp_path: Path,
    settings,
) -> None:
    settings.KAMRAD_IMPORT_BACKGROUND = False
    settings.VAR_DIR = tmp_path / "var"
    path = tmp_path / "продажи.csv"
    path.write_bytes(SALES.encode("cp1251"))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "helen")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("What the file holds").select_option("sales")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", name="продажи.csv")).to_be_visible()
    expect(page.get_by_label("ИНН")).to_have_value("org_tax_number")
    expect(page.get_by_label("Номер документа")).to_have_value("external_id")
    page.get_by_role("button", name="Dry run").click()

    report = page.locator("#report")
    expect(report.get_by_role("heading", name="Dry run: what the import would do")).to_be_visible()
    expect(report.get_by_text("31.02.2024 is not a date.")).to_be_visible()
    expect(report.get_by_text("No organization 9999999999.")).to_be_visible()
    assert has_no_horizontal_overflow(page)
    page.screenshot(path=str(screenshots / "import-dry-run.png"), full_page=True)
    assert not Sale.objects.exists()

    page.get_by_label("Import the good rows only, leaving out the rejected ones").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported.")).to_be_visible()
    assert set(Sale.objects.values_list("external_id", flat=True)) == {"A-1", "A-4"}

    page.get_by_role("button", name="RU").click()
    expect(page.get_by_role("heading", name="Что сделал импорт")).to_be_visible()
    page.screenshot(path=str(screenshots / "import-done-ru.png"), full_page=True)
