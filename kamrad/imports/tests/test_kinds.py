"""Column guesses from Russian and English headers, and what a mapping must have."""

from __future__ import annotations

from kamrad.imports.kinds import KINDS, check_mapping, guess_mapping


def guessed(kind: str, header: list[str]) -> dict[str, str]:
    mapping = guess_mapping(KINDS[kind], header)
    return {header[i]: name for i, name in mapping.items()}


def test_it_guesses_russian_sales_headers() -> None:
    header = ["ИНН", "Контрагент", "Дата", "Сумма, руб.", "Валюта", "Номер документа", "Кол-во"]
    assert guessed("sales", header) == {
        "ИНН": "org_tax_number",
        "Контрагент": "org_name",
        "Дата": "date",
        "Сумма, руб.": "amount",
        "Валюта": "currency",
        "Номер документа": "external_id",
        "Кол-во": "quantity",
    }


def test_it_guesses_english_sales_headers() -> None:
    header = ["Tax ID", "Customer", "Date", "Amount", "Currency", "Invoice", "Qty", "Product"]
    assert guessed("sales", header) == {
        "Tax ID": "org_tax_number",
        "Customer": "org_name",
        "Date": "date",
        "Amount": "amount",
        "Currency": "currency",
        "Invoice": "external_id",
        "Qty": "quantity",
        "Product": "product",
    }


def test_it_guesses_organization_headers_in_both_languages() -> None:
    assert guessed("organizations", ["Наименование", "ИНН", "ОГРН", "Юридический адрес"]) == {
        "Наименование": "name",
        "ИНН": "tax_number",
        "ОГРН": "registration_number",
        "Юридический адрес": "legal_address",
    }
    assert guessed("organizations", ["Name", "Legal name", "Tax ID", "Website"]) == {
        "Name": "name",
        "Legal name": "legal_name",
        "Tax ID": "tax_number",
        "Website": "website",
    }


def test_a_header_spelled_as_the_field_maps_to_it() -> None:
    assert guessed("payments", ["org_tax_number", "due_date", "amount"]) == {
        "org_tax_number": "org_tax_number",
        "due_date": "due_date",
        "amount": "amount",
    }


def test_an_unknown_header_is_left_unmapped() -> None:
    assert guessed("claims", ["Погода", "Дата"]) == {"Дата": "date"}


def test_a_mapping_needs_the_required_fields_and_the_organization() -> None:
    kind = KINDS["sales"]
    problems = check_mapping(kind, {0: "amount"})
    assert any("Date" in p for p in problems)
    assert any("organization" in p for p in problems)
    assert check_mapping(kind, {0: "org_name", 1: "date", 2: "amount"}) == []
    assert any(
        "Several" in p
        for p in check_mapping(kind, {0: "org_name", 1: "date", 2: "amount", 3: "amount"})
    )
