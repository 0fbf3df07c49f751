"""`kamrad qualify`: every client evaluated in batches, a summary printed."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from kamrad.clients import services as clients
from kamrad.qualification import services
from kamrad.qualification.models import StoredVerdict
from kamrad.qualification.tests.conftest import MILLION_RUB, sale

pytestmark = pytest.mark.django_db


def qualify(org) -> None:
    sale(org, datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    for line in ("Loans", "Deposits", "Cards"):
        sale(org, datetime.date(2026, 6, 1), 200 * MILLION_RUB, line)


def test_it_summarises_every_client_across_batches(head, usd_rate):
    orgs = [clients.organization_create(user=head, data={"name": f"C{n}"}) for n in range(5)]
    for org in orgs[:3]:
        qualify(org)
    sale(orgs[3], datetime.date(2026, 6, 1), 600 * MILLION_RUB)
    services.candidate_decide(
        user=head, organization=orgs[0], outcome="admitted", expected_version=0
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("qualify", "--as-of", "2026-11-23", "--batch", "2", stdout=out, stderr=err)
    text = out.getvalue()
    assert "As of 2026-11-23, 5 clients; a client qualifies meeting at least 3 of 5" in text
    assert "        4  meet: Volume above the thresholds" in text
    assert "        3  meet: Uses a wide range of our products" in text
    assert "Qualify: 3" in text
    assert "candidates (not decided yet): 2" in text
    assert "admitted: 1, declined: 0" in text
    assert "Evaluated: 5 rows" in err.getvalue()
    assert "Stored verdicts written: 5" in text
    assert StoredVerdict.objects.filter(qualifies=True).count() == 3
    again = io.StringIO()
    call_command("qualify", "--as-of", "2026-11-23", stdout=again, stderr=io.StringIO())
    assert "Stored verdicts written: 0" in again.getvalue()


def test_it_refuses_a_batch_of_nothing(db):
    with pytest.raises(CommandError):
        call_command("qualify", "--batch", "0", stdout=io.StringIO(), stderr=io.StringIO())
