import contextlib
import datetime
import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from kamrad.clients import generate as generate_module
from kamrad.clients import search, services
from kamrad.clients.generate import Progress
from kamrad.clients.generate import generate as make
from kamrad.clients.models import (
    Contact,
    ContactPoint,
    DecisionRole,
    Event,
    Organization,
    SearchDocument,
)

pytestmark = pytest.mark.django_db


def generate(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_creates_the_organizations_their_people_and_search_documents(alice):
    out, _err = generate("--clients", "200")
    assert Organization.objects.count() == 200
    assert Contact.objects.count() == 600
    assert ContactPoint.objects.filter(kind="email").count() == 600
    assert ContactPoint.objects.filter(kind="phone").count() == 800
    assert SearchDocument.objects.count() == 200
    assert "Added 200 organizations, 600 contact persons" in out
    # Generated clients go to the account managers there are.
    assert Organization.objects.filter(account_manager=alice).count() > 150


def test_every_generated_organization_has_a_decider_and_a_signer():
    generate("--clients", "50", "--contacts-per-client", "2")
    for role in ("decides", "signs"):
        assert DecisionRole.objects.filter(role=role).count() == 50


def test_search_finds_a_generated_organization_by_name_and_by_a_contacts_phone():
    generate("--clients", "200", "--seed", "7")
    org = Organization.objects.order_by("id")[17]
    phone = ContactPoint.objects.filter(organization=org, contact__isnull=False, kind="phone")[0]
    by_name = Organization.objects.filter(search.matching(org.name))
    by_phone = Organization.objects.filter(search.matching(phone.value))
    assert org in by_name
    assert list(by_phone) == [org]


def test_the_same_seed_gives_the_same_names():
    generate("--clients", "20", "--seed", "3")
    first = list(Organization.objects.order_by("id").values_list("name", flat=True))
    Organization.objects.all().delete()
    generate("--clients", "20", "--seed", "3")
    assert list(Organization.objects.order_by("id").values_list("name", flat=True)) == first


def test_new_organizations_still_get_fresh_ids_afterwards(head):
    generate("--clients", "30")
    org = services.organization_create(user=head, data={"name": "После генерации"})
    assert org.pk > 30
    assert list(Organization.objects.filter(search.matching("после генерации"))) == [org]


def test_progress_is_quiet_off_a_terminal_except_a_final_line():
    _out, err = generate("--clients", "20")
    assert err.count("\n") == 1
    assert err.startswith("Generated 20 organizations: ")
    assert "rows/s" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_redraws_one_line_and_ends_with_the_final_one():
    ticks = iter(range(100))
    stream = Terminal()
    progress = Progress(1000, label="generate", stream=stream, clock=lambda: next(ticks))
    progress.advance(250)
    progress.advance(250)
    progress.finish("Done")
    text = stream.getvalue()
    assert text.count("\r") == 3
    assert " 25%" in text and " 50%" in text
    assert "ETA" in text
    assert text.endswith("Done: 500 rows in 3.0 s (167 rows/s)\n")


def test_it_refuses_nonsense_sizes():
    with pytest.raises(CommandError):
        generate("--clients", "0")
    with pytest.raises(CommandError):
        generate("--clients", "5", "--contacts-per-client", "0")


def test_a_common_word_finds_the_same_organizations_as_a_rare_one_would(monkeypatch):
    # With many matches SQLite's search takes another query shape; both must agree.
    generate("--clients", "60")
    names = list(
        Organization.objects.filter(search.matching("сервис"))
        .order_by("name", "id")
        .values_list("id", flat=True)
    )
    monkeypatch.setattr(search, "COMMON_MATCHES", 5)
    common = list(
        Organization.objects.filter(search.matching("сервис"))
        .order_by("name", "id")
        .values_list("id", flat=True)
    )
    assert len(names) >= 5
    assert common == names


class _RollBack(Exception):
    pass


def _generated_rows(*, parallel: bool) -> dict[str, list[tuple]]:
    """Generate 2,100 organizations (two batches) and read every row back, then roll back."""
    rows: dict[str, list[tuple]] = {}
    with contextlib.suppress(_RollBack), transaction.atomic():
        result = make(clients=2100, seed=5, stream=io.StringIO(), parallel=parallel)
        assert result.organizations == 2100
        rows["organizations"] = list(
            Organization.objects.order_by("id").values_list(
                "id",
                "kind",
                "name",
                "legal_name",
                "tax_number",
                "registration_number",
                "legal_address",
                "website",
                "account_manager_id",
                "industry__name",
                "region__name",
            )
        )
        rows["contacts"] = list(
            Contact.objects.order_by("id").values_list(
                "id", "full_name", "position", "department", "birthday", "organization_id"
            )
        )
        rows["points"] = list(
            ContactPoint.objects.order_by("organization_id", "kind", "value").values_list(
                "kind", "value", "contact_id", "organization_id"
            )
        )
        rows["roles"] = list(
            DecisionRole.objects.order_by("contact_id", "role").values_list("role", "contact_id")
        )
        rows["events"] = list(
            Event.objects.order_by("organization_id", "title").values_list(
                "kind", "title", "date", "recurs_yearly", "contact_id", "organization_id"
            )
        )
        rows["documents"] = list(
            SearchDocument.objects.order_by("organization_id").values_list(
                "organization_id", "sort_key", "text"
            )
        )
        raise _RollBack
    return rows


def test_rows_made_in_a_second_process_are_the_rows_made_here():
    elsewhere = _generated_rows(parallel=True)
    here = _generated_rows(parallel=False)
    assert len(elsewhere["organizations"]) == 2100
    assert len(elsewhere["contacts"]) == 6300
    assert elsewhere["events"]
    for table, rows in here.items():
        assert elsewhere[table] == rows, table


def test_a_failing_row_maker_process_fails_the_run_with_its_error():
    plan = generate_module._Plan(
        seed=1,
        clients=10,
        contacts_per_client=1,
        first_org=1,
        first_contact=1,
        managers=(),  # nothing to choose from: the child fails on its first organization
        industries=(1,),
        regions=tuple(range(len(generate_module.demo.CITIES))),
        now=timezone.now(),
        vendor=connection.vendor,
    )
    with pytest.raises(RuntimeError, match="IndexError"):
        list(generate_module._made_elsewhere(plan))


def test_raw_dates_and_moments_are_what_django_writes():
    moment_of, date_of = generate_module._moment_and_date(connection.vendor)
    moment = datetime.datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=datetime.UTC)
    moscow = moment.astimezone(zoneinfo.ZoneInfo("Europe/Moscow"))
    day = datetime.date(1980, 2, 29)
    ops = connection.ops
    assert moment_of(moment) == ops.adapt_datetimefield_value(moment)
    assert moment_of(moscow) == ops.adapt_datetimefield_value(moscow)
    assert date_of(day) == ops.adapt_datefield_value(day)
