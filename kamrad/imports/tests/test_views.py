"""The import pages: who may use them, upload → mapping → dry run → run → result."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kamrad.clients.models import Organization
from kamrad.imports.models import ImportJob
from kamrad.pyramid.models import ClientValue
from kamrad.users.models import User
from kamrad.value.models import Sale

pytestmark = pytest.mark.django_db

CSV = (
    "ИНН;Дата;Сумма;Номер документа\r\n"
    "7701000001;01.02.2024;1 234,56;A-1\r\n"
    "7701000001;31.02.2024;10;A-2\r\n"
    "7701000001;03.02.2024;=1+2;A-3\r\n"
    "7701000001;04.02.2024;20;A-4\r\n"
).encode("cp1251")


def upload(client: Client, content: bytes = CSV, name: str = "sales.csv", **extra: str):
    return client.post(
        reverse("imports:list"),
        {"kind": "sales", "file": SimpleUploadedFile(name, content), **extra},
    )


@pytest.fixture
def heads_client(client: Client, head: User) -> Client:
    client.force_login(head)
    return client


@pytest.mark.parametrize("persona", ["viewer", "alice"])
def test_viewers_and_account_managers_get_403_on_every_import_page(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    job = ImportJob.objects.create(kind="sales", file_name="a.csv", stored_as="a.csv")
    for url in (
        reverse("imports:list"),
        reverse("imports:job", args=[job.pk]),
        reverse("imports:errors", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert upload(client).status_code == 403
    assert client.post(reverse("imports:run", args=[job.pk])).status_code == 403
    assert not ImportJob.objects.exclude(pk=job.pk).exists()


def test_administrators_may_import(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    assert client.get(reverse("imports:list")).status_code == 200


def test_the_whole_flow_from_upload_to_result(
    heads_client: Client, alices_client: Organization
) -> None:
    response = upload(heads_client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.encoding == "cp1251" and job.delimiter == ";"

    page = heads_client.get(response["Location"]).content.decode()
    assert '<option value="org_tax_number" selected>' in page  # ИНН guessed
    assert '<option value="external_id" selected>' in page  # Номер документа guessed
    assert "1 234,56" in page  # an example of the column's values

    response = heads_client.post(
        reverse("imports:job", args=[job.pk]),
        {"col_0": "org_tax_number", "col_1": "date", "col_2": "amount", "col_3": "external_id"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.report["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    page = heads_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Dry run: what the import would do" in page
    assert "31.02.2024 is not a date." in page
    assert "Import the good rows only" in page
    assert not Sale.objects.exists()

    heads_client.post(reverse("imports:run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert not Sale.objects.exists()
    assert "Nothing was imported." in heads_client.get(f"/imports/{job.pk}/").content.decode()

    heads_client.post(reverse("imports:run", args=[job.pk]), {"good_rows_only": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert set(Sale.objects.values_list("external_id", flat=True)) == {"A-1", "A-4"}
    # The pyramid follows what was imported, without anyone pressing "recompute".
    value = ClientValue.objects.get(organization=alices_client)
    assert value.ltv == sum(Sale.objects.values_list("amount_base", flat=True)) > 0
    page = heads_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Imported." in page and "2 bad rows were left out." in page

    problems = heads_client.get(reverse("imports:errors", args=[job.pk]))
    text = b"".join(problems.streaming_content).decode("utf-8-sig")
    assert "3,Дата,31.02.2024 is not a date." in text
    assert "4,Сумма,'=1+2 is not an amount." in text  # never a formula in a spreadsheet

    history = heads_client.get(reverse("imports:list")).content.decode()
    assert "sales.csv" in history and "Imported" in history and "Helen" in history


def test_a_mapping_without_required_fields_is_refused_with_a_message(
    heads_client: Client,
) -> None:
    upload(heads_client)
    job = ImportJob.objects.get()
    response = heads_client.post(reverse("imports:job", args=[job.pk]), {"col_0": "date"})
    assert response.status_code == 400
    assert "No column is mapped to “Amount”." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING


def test_progress_is_polled_as_a_partial(heads_client: Client) -> None:
    upload(heads_client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, rows_total=4)
    response = heads_client.get(
        reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="status"')
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    assert "<html" not in html


def test_polling_reloads_the_page_once_the_run_is_over(heads_client: Client) -> None:
    upload(heads_client)
    job = ImportJob.objects.get()
    response = heads_client.get(
        reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_the_upload_limit_is_enforced(heads_client: Client, settings) -> None:
    settings.KAMRAD_IMPORT_MAX_BYTES = 50
    response = upload(heads_client)
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 broken", "not an XLSX file"),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
    heads_client: Client, content: bytes, message: str
) -> None:
    response = upload(heads_client, content, name="sales.xlsx")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_pages_speak_russian(heads_client: Client) -> None:
    upload(heads_client)
    job = ImportJob.objects.get()
    heads_client.cookies["django_language"] = "ru"
    page = heads_client.get(reverse("imports:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    assert "Пробный прогон" in html and "Столбцы" in html
    listing = heads_client.get(reverse("imports:list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Импорт" in listing


def test_the_history_lists_who_imported_what_in_a_fixed_number_of_queries(
    heads_client: Client, head: User, django_assert_max_num_queries
) -> None:
    for n in range(30):
        ImportJob.objects.create(
            created_by=head, kind="payments", file_name=f"f{n}.csv", stored_as=f"f{n}.csv"
        )
    with django_assert_max_num_queries(8):
        page = heads_client.get(reverse("imports:list")).content.decode()
    assert "f29.csv" in page and "Payments" in page
