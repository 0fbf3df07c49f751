"""`kamrad recompute`: the whole pyramid, or the touched clients, with a summary line."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kamrad.pyramid.models import ClientValue, RecomputeRun
from kamrad.pyramid.tests.helpers import client, sale, steady
from kamrad.value.models import QuarterTotal

pytestmark = pytest.mark.django_db


def test_it_recomputes_and_says_what_it_did() -> None:
    steady(client("Alpha"), 100)
    out, err = StringIO(), StringIO()
    call_command("recompute", "--on", "2026-07-15", stdout=out, stderr=err)
    assert "1 clients as of 2026-07-15: 1 rows written, 1 tier moves." in out.getvalue()
    assert "Recomputed" in err.getvalue()
    assert ClientValue.objects.count() == 1


def test_it_refuses_while_another_runs() -> None:
    RecomputeRun.objects.create(started_at="2030-01-01T00:00Z", on="2030-01-01")
    with pytest.raises(CommandError, match="is running"):
        call_command("recompute", stdout=StringIO(), stderr=StringIO())


def test_it_refuses_bad_ids() -> None:
    with pytest.raises(CommandError):
        call_command("recompute", "--clients", "1,x", stdout=StringIO(), stderr=StringIO())


def test_it_sums_the_quarterly_totals_again_when_asked() -> None:
    org = client("Ромашка")
    sale(org, date(2025, 2, 1), 500)
    QuarterTotal.objects.update(sales_profit=1)  # as if written with the triggers off
    err = StringIO()
    call_command("recompute", "--on", "2026-07-15", "--resum-totals", stdout=StringIO(), stderr=err)
    assert "Quarterly totals summed again" in err.getvalue()
    assert QuarterTotal.objects.get().sales_profit == 500
    assert ClientValue.objects.get(organization=org).ltv == 500
    with pytest.raises(CommandError, match="leave out --clients"):
        call_command("recompute", "--resum-totals", "--clients", "1", stdout=StringIO())
