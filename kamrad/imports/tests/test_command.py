"""`kamrad import KIND FILE`: dry run, all or nothing, good rows only, mapping overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kamrad.clients.models import Organization
from kamrad.pyramid.models import ClientValue
from kamrad.value.models import Sale

pytestmark = pytest.mark.django_db

ROWS = [
    ["ИНН", "Дата", "Сумма", "Номер"],
    ["7701000001", "01.02.2024", "1 234,56", "A-1"],
    ["7701000001", "02.02.2024", "10", "A-2"],
]


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("import", *args)
    return capsys.readouterr().out


def test_it_imports_and_reimporting_changes_nothing(
    write_csv, alices_client: Organization, capsys
) -> None:
    path = str(write_csv(ROWS))
    assert "2 created" in run("sales", path, "--dry-run", capsys=capsys)
    assert not Sale.objects.exists()
    assert "2 created" in run("sales", path, capsys=capsys)
    assert Sale.objects.count() == 2
    out = run("sales", path, capsys=capsys)
    assert "0 created, 0 updated, 2 unchanged" in out


def test_one_bad_row_writes_nothing_unless_good_rows_only(
    write_csv, alices_client: Organization, capsys, tmp_path: Path
) -> None:
    path = str(write_csv([*ROWS, ["7701000001", "завтра", "1", "A-3"]]))
    errors = tmp_path / "problems.csv"
    with pytest.raises(SystemExit):
        call_command("import", "sales", path, "--errors", str(errors))
    assert "NOTHING written" in capsys.readouterr().out
    assert not Sale.objects.exists()
    assert "4,Дата,завтра is not a date" in errors.read_text(encoding="utf-8")
    assert "2 created" in run("sales", path, "--good-rows-only", capsys=capsys)
    assert Sale.objects.count() == 2


def test_it_takes_a_delimiter_an_encoding_and_a_mapping(
    write_csv, alices_client: Organization, capsys
) -> None:
    rows = [["Клиент ИНН", "День", "Итого"], ["7701000001", "01.02.2024", "5"]]
    path = str(write_csv(rows, delimiter="|", encoding="cp1251"))
    out = run(
        "sales",
        path,
        "--delimiter",
        "|",
        "--encoding",
        "cp1251",
        "--map",
        "Клиент ИНН=org_tax_number",
        "--map",
        "День=date",
        "--map",
        "Итого=amount",
        capsys=capsys,
    )
    assert "1 created" in out
    assert Sale.objects.get().amount_minor == 500


def test_it_refuses_a_mapping_without_required_fields(write_csv, capsys) -> None:
    path = str(write_csv([["Что-то", "Ещё"], ["1", "2"]]))
    with pytest.raises(CommandError, match="No column is mapped"):
        call_command("import", "sales", path)


def test_it_refuses_a_fake_xlsx_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="not an XLSX file"):
        call_command("import", "sales", str(path))


def test_the_pyramid_follows_an_import_of_work_history(
    write_csv, alices_client: Organization, capsys
) -> None:
    assert "Client pyramid" in run("sales", str(write_csv(ROWS)), capsys=capsys)
    assert ClientValue.objects.get(organization=alices_client).ltv == 124456
    more = [ROWS[0], ["7701000001", "03.02.2024", "100", "A-3"]]
    run("sales", str(write_csv(more, name="more.csv")), capsys=capsys)
    assert ClientValue.objects.get(organization=alices_client).ltv == 134456
    out = run("sales", str(write_csv(more, name="more.csv")), capsys=capsys)
    assert "Client pyramid" not in out  # nothing changed, nothing to recompute


def test_it_leaves_the_pyramid_alone_when_asked_not_to_recompute(
    write_csv, alices_client: Organization, capsys
) -> None:
    out = run("sales", str(write_csv(ROWS)), "--no-recompute", capsys=capsys)
    assert "2 created" in out and "Client pyramid" not in out
    assert not ClientValue.objects.filter(organization=alices_client, ltv=124456).exists()
