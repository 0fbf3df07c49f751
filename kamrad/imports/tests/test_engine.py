"""The import engine: each kind, bad rows, good rows only, re-import, keys, search."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kamrad.clients.models import Contact, ContactPoint, Organization
from kamrad.imports import engine, reading
from kamrad.imports.engine import Report, open_and_map, run_import
from kamrad.imports.kinds import KINDS
from kamrad.imports.models import ExternalKey
from kamrad.users.models import User
from kamrad.value import totals
from kamrad.value.models import (
    AccountMonth,
    Claim,
    ExchangeRate,
    Payment,
    QuarterTotal,
    Sale,
    ServiceCost,
)

pytestmark = pytest.mark.django_db


def do_import(kind: str, path: Path, user: User | None = None, **options: object) -> Report:
    table, mapping = open_and_map(KINDS[kind], path)
    return run_import(
        KINDS[kind],
        table,
        mapping,
        user=user,
        dry_run=bool(options.pop("dry_run", False)),
        **options,  # type: ignore[arg-type]
    )


ORGS = [
    ["Код", "Наименование", "Полное наименование", "ИНН", "Вид", "Отрасль", "Регион", "Менеджер"],
    ["C-1", "Ромашка", "ООО «Ромашка»", "7701000001", "клиент", "Телеком", "Москва", "alice"],
    ["C-2", "Лютик", "АО «Лютик»", "7701000002", "Prospect", "", "Казань", ""],
]


def test_it_imports_organizations_and_reimporting_changes_nothing(
    write_csv, head: User, alice: User
) -> None:
    path = write_csv(ORGS)
    report = do_import("organizations", path, head)
    assert report.written
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    romashka = Organization.objects.get(tax_number="7701000001")
    assert romashka.legal_name == "ООО «Ромашка»"
    assert romashka.account_manager == alice
    assert romashka.industry.name == "Телеком"
    assert Organization.objects.get(name="Лютик").kind == "prospect"
    assert ExternalKey.objects.filter(kind="organization", key="C-1", object_id=romashka.pk)
    again = do_import("organizations", path, head)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert Organization.objects.get(pk=romashka.pk).version == romashka.version


def test_it_updates_an_organization_found_by_its_external_key(
    write_csv, head: User, alice: User
) -> None:
    do_import("organizations", write_csv(ORGS), head)
    renamed = [ORGS[0], ["C-1", "Ромашка-М", "ООО «Ромашка»", "7701000001", "", "", "", ""]]
    report = do_import("organizations", write_csv(renamed, name="again.csv"), head)
    assert report.counts["updated"] == 1
    org = Organization.objects.get(tax_number="7701000001")
    assert org.name == "Ромашка-М"
    assert org.version == 2
    assert org.history.first().history_user == head


def test_imported_organizations_and_contacts_are_found_by_the_list_search(
    write_csv, head: User, alice: User, client: Client
) -> None:
    do_import("organizations", write_csv(ORGS), head)
    people = [
        ["ИНН организации", "ФИО", "Должность", "Телефон", "Email", "Роль"],
        ["7701000001", "Петров Пётр", "Директор", "+7 495 111-22-33", "p@romashka.test", "decides"],
    ]
    do_import("contacts", write_csv(people, name="people.csv"), head)
    client.force_login(head)
    for query in ("ромашка", "петров", "4951112233", "p@romashka"):
        page = client.get("/clients/", {"q": query}).content.decode()
        assert "Ромашка" in page and "Лютик" not in page, query


def test_it_imports_contacts_with_phones_emails_and_roles(
    write_csv, head: User, alice: User
) -> None:
    do_import("organizations", write_csv(ORGS), head)
    people = [
        ["Client ID", "Full name", "Position", "Phones", "E-mails", "Roles", "Birthday"],
        [
            "C-1",
            "Ivan Petrov",
            "CEO",
            "+7 1; +7 2",
            "i@r.test",
            "decides, Подписывает",
            "01.02.1970",
        ],
        ["C-2", "Anna Smirnova", "CFO", "", "", "approves budget", ""],
    ]
    path = write_csv(people, name="people.csv")
    report = do_import("contacts", path, head)
    assert report.counts["created"] == 2, report.problems
    ivan = Contact.objects.get(full_name="Ivan Petrov")
    assert ivan.organization.tax_number == "7701000001"
    assert ivan.birthday == datetime.date(1970, 2, 1)
    assert set(ivan.decision_roles.values_list("role", flat=True)) == {"decides", "signs"}
    assert set(ivan.contact_points.values_list("kind", "value")) == {
        ("phone", "+7 1"),
        ("phone", "+7 2"),
        ("email", "i@r.test"),
    }
    assert do_import("contacts", path, head).counts["unchanged"] == 2
    people[1][3] = "+7 3"
    report = do_import("contacts", write_csv(people, name="people2.csv"), head)
    assert report.counts == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    assert list(ivan.contact_points.filter(kind="phone").values_list("value", flat=True)) == [
        "+7 3"
    ]


def test_a_contact_naming_an_unknown_organization_is_rejected(write_csv, head: User) -> None:
    people = [["ИНН", "ФИО"], ["0000000000", "Кто-то"]]
    report = do_import("contacts", write_csv(people), head)
    assert report.counts["rejected"] == 1
    assert report.problems[0].column == "ИНН"
    assert "No organization" in report.problems[0].reason
    assert not Contact.objects.exists()


SALES = [
    ["ИНН", "Дата", "Сумма", "Валюта", "Номер документа", "Количество", "Товар"],
    ["7701000001", "01.02.2024", "1 234,56", "RUB", "INV-1", "2", "Интернет"],
    ["7701000001", "2024-03-05", "100", "", "INV-2", "1", "Интернет"],
    ["7702000002", "05.03.2024", "99,99", "RUB", "", "1", "Телефония"],
]


@pytest.fixture
def clients(alices_client: Organization, bobs_client: Organization) -> None:
    return None


def test_it_imports_sales_in_exact_money_and_reimport_changes_nothing(
    write_csv, clients: None
) -> None:
    path = write_csv(SALES)
    report = do_import("sales", path)
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    first = Sale.objects.get(external_id="INV-1")
    assert (first.amount_minor, first.amount_base, first.currency) == (123456, 123456, "RUB")
    assert first.date == datetime.date(2024, 2, 1)
    assert first.quantity == 2
    assert first.product_line == "Интернет"
    assert first.version == 1
    assert Sale.objects.get(external_id="INV-2").currency == "RUB"  # the base currency
    again = do_import("sales", path)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert Sale.objects.count() == 3


def test_a_changed_amount_updates_the_sale_with_the_same_external_key(
    write_csv, clients: None
) -> None:
    do_import("sales", write_csv(SALES))
    changed = [SALES[0], ["7701000001", "01.02.2024", "2 000", "RUB", "INV-1", "2", "Интернет"]]
    report = do_import("sales", write_csv(changed, name="changed.csv"))
    assert report.counts["updated"] == 1
    sale = Sale.objects.get(external_id="INV-1")
    assert (sale.amount_minor, sale.version) == (200000, 2)
    assert Sale.objects.count() == 3


def test_every_bad_row_is_reported_and_nothing_is_written(write_csv, clients: None) -> None:
    bad = [
        *SALES,
        ["7701000001", "31.02.2024", "10", "RUB", "INV-3", "1", ""],
        ["7701000001", "01.03.2024", "десять", "RUB", "INV-4", "1", ""],
        ["9999999999", "01.03.2024", "10", "RUB", "INV-5", "1", ""],
        ["7701000001", "01.03.2024", "10", "RUB", "INV-6", "-1", ""],
        ["7701000001", "01.03.2024", "10", "USD", "INV-7", "1", ""],
    ]
    report = do_import("sales", write_csv(bad))
    assert not report.written
    assert report.counts["rejected"] == 5
    found = {(p.row, p.column) for p in report.problems}
    assert found == {(5, "Дата"), (6, "Сумма"), (7, "ИНН"), (8, "Количество"), (9, "Валюта")}
    assert "No exchange rate for USD" in next(p.reason for p in report.problems if p.row == 9)
    assert not Sale.objects.exists()


def test_good_rows_only_writes_exactly_the_good_rows(write_csv, clients: None) -> None:
    bad = [*SALES, ["7701000001", "31.02.2024", "10", "RUB", "INV-3", "1", ""]]
    errors = io.StringIO()
    report = do_import("sales", write_csv(bad), good_rows_only=True, errors_to=errors)
    assert report.written
    assert report.counts["created"] == 3 and report.counts["rejected"] == 1
    assert set(Sale.objects.values_list("external_id", flat=True)) == {"INV-1", "INV-2", ""}
    assert errors.getvalue().splitlines()[1] == "5,Дата,31.02.2024 is not a date."


def test_a_dry_run_counts_exactly_and_writes_nothing(write_csv, clients: None) -> None:
    duplicated = [*SALES, SALES[1]]
    report = do_import("sales", write_csv(duplicated), dry_run=True)
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 1, "rejected": 0}
    assert not report.written
    assert not Sale.objects.exists()


def test_sales_without_an_external_key_are_matched_by_their_natural_key(
    write_csv, clients: None
) -> None:
    rows = [["ИНН", "Дата", "Сумма"], ["7701000001", "01.02.2024", "10"]]
    do_import("sales", write_csv(rows))
    assert do_import("sales", write_csv(rows, name="b.csv")).counts["unchanged"] == 1
    assert Sale.objects.count() == 1


def test_it_imports_rates_then_converts_foreign_sales_at_the_rate_of_their_date(
    write_csv, clients: None
) -> None:
    rates = [["Валюта", "Дата", "Курс"], ["USD", "01.01.2024", "90,5"], ["USD", "01.03.2024", "92"]]
    assert do_import("exchange_rates", write_csv(rates, name="rates.csv")).counts["created"] == 2
    assert ExchangeRate.objects.get(date="2024-01-01").rate_scaled == 9_050_000_000
    assert do_import("exchange_rates", write_csv(rates, name="r2.csv")).counts["unchanged"] == 2
    sales = [["Tax ID", "Date", "Amount", "Currency"], ["7701000001", "2024-02-10", "10.00", "USD"]]
    do_import("sales", write_csv(sales, name="usd.csv", delimiter=","))
    assert Sale.objects.get().amount_base == 90500


def test_importing_a_changed_rate_rebases_the_records_it_governs(write_csv, clients: None) -> None:
    first = [["Валюта", "Дата", "Курс"], ["USD", "01.01.2024", "90"]]
    do_import("exchange_rates", write_csv(first, name="rates.csv"))
    sales = [["ИНН", "Дата", "Сумма", "Валюта"], ["7701000001", "10.02.2024", "10", "USD"]]
    do_import("sales", write_csv(sales, name="usd.csv"))
    assert Sale.objects.get().amount_base == 90000
    changed = [["Валюта", "Дата", "Курс"], ["USD", "01.02.2024", "100"]]
    report = do_import("exchange_rates", write_csv(changed, name="later.csv"))
    assert report.counts["created"] == 1
    assert Sale.objects.get().amount_base == 100000


def test_a_payment_converts_at_the_rate_of_the_day_it_was_paid(write_csv, clients: None) -> None:
    rates = [["Валюта", "Дата", "Курс"], ["USD", "01.01.2024", "90"], ["USD", "01.02.2024", "95"]]
    do_import("exchange_rates", write_csv(rates, name="rates.csv"))
    payments = [
        ["ИНН", "Срок оплаты", "Дата оплаты", "Сумма", "Валюта"],
        ["7701000001", "20.01.2024", "05.02.2024", "10", "USD"],
    ]
    do_import("payments", write_csv(payments, name="p.csv"))
    assert Payment.objects.get().amount_base == 95000


def test_a_run_names_the_clients_whose_value_it_changed(
    write_csv, alices_client: Organization, bobs_client: Organization
) -> None:
    rows = [["ИНН", "Дата", "Сумма", "Номер"], ["7701000001", "01.02.2024", "10", "A-1"]]
    path = write_csv(rows)
    assert do_import("sales", path).touched == {alices_client.pk}
    assert do_import("sales", path).touched == set()  # nothing changed the second time
    assert do_import("sales", path, dry_run=True).touched == set()


def test_a_rate_that_changes_conversions_touches_every_client(
    write_csv, alices_client: Organization
) -> None:
    do_import(
        "exchange_rates", write_csv([["Валюта", "Дата", "Курс"], ["USD", "01.01.2024", "90"]])
    )
    usd = [["ИНН", "Дата", "Сумма", "Валюта"], ["7701000001", "10.02.2024", "10", "USD"]]
    do_import("sales", write_csv(usd, name="usd.csv"))
    later = [["Валюта", "Дата", "Курс"], ["USD", "01.02.2024", "99"]]
    assert do_import("exchange_rates", write_csv(later, name="later.csv")).touched is None


def test_it_imports_payments_claims_costs_and_account_months(write_csv, clients: None) -> None:
    payments = [
        ["ИНН", "Срок оплаты", "Дата оплаты", "Сумма", "Способ оплаты", "Номер"],
        ["7701000001", "10.01.2024", "15.01.2024", "500", "Безнал", "P-1"],
        ["7701000001", "10.02.2024", "", "600", "card", "P-2"],
    ]
    claims = [
        ["ИНН", "Дата", "Претензия", "Дата решения"],
        ["7701000001", "01.02.2024", "Нет связи", "03.02.2024"],
    ]
    costs = [["ИНН", "Дата", "Сумма", "Статья"], ["7701000001", "01.02.2024", "150,5", "Выезд"]]
    months = [
        ["ИНН", "Месяц", "Оборот", "Средний остаток", "Экспорт"],
        ["7701000001", "01.2024", "1 000 000", "200 000", "0"],
    ]
    for kind, rows, model in (
        ("payments", payments, Payment),
        ("claims", claims, Claim),
        ("service_costs", costs, ServiceCost),
        ("account_months", months, AccountMonth),
    ):
        path = write_csv(rows, name=f"{kind}.csv")
        report = do_import(kind, path)
        assert report.counts["created"] == len(rows) - 1, (kind, report.problems)
        assert do_import(kind, path).counts["unchanged"] == len(rows) - 1, kind
        assert model.objects.count() == len(rows) - 1, kind
    assert Payment.objects.get(external_id="P-1").method == "transfer"
    assert Payment.objects.get(external_id="P-2").paid_date is None
    assert Claim.objects.get().resolved_on == datetime.date(2024, 2, 3)
    assert ServiceCost.objects.get().amount_minor == 15050
    month = AccountMonth.objects.get()
    assert (month.month, month.turnover_minor) == (datetime.date(2024, 1, 1), 100_000_000)


def test_an_unreadable_file_writes_nothing(tmp_path: Path, clients: None) -> None:
    path = tmp_path / "bad.csv"
    good = "ИНН;Дата;Сумма\n" + "7701000001;01.02.2024;1\n" * 20000
    path.write_bytes(good.encode() + b"\xff\xfe\n" * 10)
    table, mapping = open_and_map(KINDS["sales"], path, encoding="utf-8")
    report = run_import(KINDS["sales"], table, mapping, user=None, dry_run=False)
    assert report.file_error and not report.written
    assert not Sale.objects.exists()


def test_an_overriding_map_names_columns_by_their_header(write_csv, clients: None) -> None:
    rows = [["Покупатель ИНН", "День", "Итого"], ["7701000001", "01.02.2024", "10"]]
    path = write_csv(rows)
    with pytest.raises(reading.FileRefused):
        open_and_map(KINDS["sales"], path, overrides={"Нет такой": "amount"})
    table, mapping = open_and_map(
        KINDS["sales"],
        path,
        overrides={"Покупатель ИНН": "org_tax_number", "День": "date", "Итого": "amount"},
    )
    assert mapping == {0: "org_tax_number", 1: "date", 2: "amount"}
    assert run_import(KINDS["sales"], table, mapping, user=None, dry_run=False).written
    assert ContactPoint.objects.count() == 0


def test_an_organization_entered_by_hand_is_found_by_its_tax_number_and_keeps_the_key(
    write_csv, head: User, alice: User, alices_client: Organization
) -> None:
    rows = [["Код", "Наименование", "ИНН"], ["C-9", "ООО Ромашка", "7701000001"]]
    report = do_import("organizations", write_csv(rows), head)
    assert report.counts["unchanged"] == 1
    assert ExternalKey.objects.get(key="C-9").object_id == alices_client.pk
    assert Organization.objects.count() == 1


def test_a_tax_number_two_organizations_share_is_refused(
    write_csv, head: User, alices_client: Organization
) -> None:
    Organization.objects.create(name="Двойник", tax_number="7701000001")
    rows = [["ИНН", "Дата", "Сумма"], ["7701000001", "01.02.2024", "10"]]
    report = do_import("sales", write_csv(rows), head)
    assert report.problems[0].reason == "Several organizations have this tax number."
    assert not Sale.objects.exists()


def test_it_imports_sales_from_an_xlsx_file(tmp_path: Path, clients: None) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ИНН", "Дата", "Сумма", "Номер документа"])
    sheet.append([7701000001, datetime.date(2024, 2, 1), 1234.56, "X-1"])
    sheet.append(["7702000002", "05.03.2024", "99,99", "X-2"])
    path = tmp_path / "sales.xlsx"
    book.save(path)
    report = do_import("sales", path)
    assert report.counts["created"] == 2, report.problems
    sale = Sale.objects.get(external_id="X-1")
    assert (sale.amount_minor, sale.date) == (123456, datetime.date(2024, 2, 1))
    assert do_import("sales", path).counts["unchanged"] == 2


def test_imported_sales_keep_the_quarterly_totals_exact_when_a_sale_moves_quarter(
    write_csv, clients: None
) -> None:
    def kept() -> dict[tuple[int, datetime.date], tuple[int, int]]:
        return {
            (t.organization_id, t.quarter): (t.records, t.sales_profit)
            for t in QuarterTotal.objects.all()
        }

    do_import("sales", write_csv(SALES))
    totals.settle()
    org = Organization.objects.get(tax_number="7701000001").pk
    assert kept()[(org, datetime.date(2024, 1, 1))][0] >= 1
    # INV-1 moves from February to August: the old quarter loses it, the new one gains it.
    moved = [SALES[0], ["7701000001", "01.08.2024", "1 234,56", "RUB", "INV-1", "2", "Интернет"]]
    assert do_import("sales", write_csv(moved, name="moved.csv")).counts["updated"] == 1
    totals.settle()
    want: dict[tuple[int, datetime.date], list[int]] = {}
    for sale in Sale.objects.all():
        quarter = datetime.date(sale.date.year, 3 * ((sale.date.month - 1) // 3) + 1, 1)
        row = want.setdefault((sale.organization_id, quarter), [0, 0])
        row[0] += 1
        row[1] += sale.amount_base - sale.cost_base
    assert kept() == {key: tuple(value) for key, value in want.items()}
    assert kept()[(org, datetime.date(2024, 7, 1))] == (1, 123456)
    # A dry run writes nothing, totals included.
    before = kept()
    later = [SALES[0], ["7701000001", "01.12.2025", "5", "RUB", "INV-9", "1", "Интернет"]]
    do_import("sales", write_csv(later, name="later.csv"), dry_run=True)
    assert kept() == before


def test_an_import_lists_its_quarters_and_the_next_read_sums_them(write_csv, clients: None) -> None:
    report = do_import("sales", write_csv(SALES))
    assert report.counts["created"] == 3
    first = Organization.objects.get(tax_number="7701000001").pk
    second = Organization.objects.get(tax_number="7702000002").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT organization_id, quarter FROM value_quarterstale ORDER BY 1")
        stale = [(org, str(quarter)[:10]) for org, quarter in cursor.fetchall()]
    assert stale == sorted([(first, "2024-01-01"), (second, "2024-01-01")])
    assert totals.settle() == 2
    kept = {
        (t.organization_id, t.quarter): (t.records, t.sales_profit, t.last_date)
        for t in QuarterTotal.objects.all()
    }
    assert kept == {
        (first, datetime.date(2024, 1, 1)): (2, 123456 + 10000, datetime.date(2024, 3, 5)),
        (second, datetime.date(2024, 1, 1)): (1, 9999, datetime.date(2024, 3, 5)),
    }
    assert totals.settle() == 0


def test_each_key_of_a_batch_drives_an_index_probe_of_the_stored_rows(
    write_csv, clients: None
) -> None:
    """The lookup of a batch's keys reads the keys table first and probes the records' key
    index for each key. With the records' index as the outer side instead, PostgreSQL once
    scanned the keys table for every stored key: 92 s for one batch of a big import."""
    do_import("sales", write_csv(SALES))
    with CaptureQueriesContext(connection) as captured:
        assert do_import("sales", write_csv(SALES, name="again.csv")).counts["unchanged"] == 3
    lookups = [q["sql"] for q in captured.captured_queries if "FROM kamrad_import_" in q["sql"]]
    assert len(lookups) == 2  # by external key (INV-1, INV-2) and by natural key (the third)
    with connection.cursor() as cursor:
        for sql in lookups:
            if connection.vendor == "postgresql":
                # As if the stored rows were many: the planner avoids scanning them.
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0][0]["Plan"]
                cursor.execute("SET LOCAL enable_seqscan = on")
                assert plan["Node Type"] == "Nested Loop"
                outer, inner = plan["Plans"]
                assert outer.get("Relation Name", "").startswith("kamrad_import_"), outer
                assert "Index" in inner["Node Type"] or "Index" in str(inner), inner
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                steps = [row[-1] for row in cursor.fetchall()]
                assert steps[0].startswith("SCAN t"), steps
                assert "USING INDEX" in steps[1] or "USING COVERING INDEX" in steps[1], steps


def test_a_key_seen_in_an_earlier_batch_finds_the_row_that_batch_wrote(
    write_csv, clients: None, monkeypatch
) -> None:
    """Each batch's rows are written (on PostgreSQL by a COPY behind the next batch's reading)
    before the next batch is looked up."""
    monkeypatch.setattr(engine, "BATCH", 2)
    rows = [
        SALES[0],
        ["7701000001", "01.02.2024", "10", "RUB", "INV-1", "1", ""],
        ["7701000001", "02.02.2024", "20", "RUB", "INV-2", "1", ""],
        ["7702000002", "03.02.2024", "30", "RUB", "INV-3", "1", ""],
        ["7701000001", "01.02.2024", "10", "RUB", "INV-1", "1", ""],  # as in the first batch
        ["7701000001", "02.02.2024", "25", "RUB", "INV-2", "1", ""],  # changed
        ["7702000002", "04.02.2024", "40", "RUB", "INV-4", "1", ""],
    ]
    report = do_import("sales", write_csv(rows))
    assert report.counts == {"created": 4, "updated": 1, "unchanged": 1, "rejected": 0}
    assert sorted(Sale.objects.values_list("external_id", "amount_minor")) == [
        ("INV-1", 1000),
        ("INV-2", 2500),
        ("INV-3", 3000),
        ("INV-4", 4000),
    ]


def test_a_copy_that_fails_behind_the_reading_fails_the_import(
    write_csv, clients: None, monkeypatch
) -> None:
    def broken(self, table: str, columns: list[str], rows: list) -> None:
        raise RuntimeError("the server went away")

    monkeypatch.setattr(engine._Sql, "_copy", broken)
    with pytest.raises(RuntimeError, match="the server went away"):
        do_import("sales", write_csv(SALES))
    assert not Sale.objects.exists()
