"""Stored verdicts: what `kamrad qualify` keeps for the candidates list, equal to the live ones."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db.models import Max, Min
from django.utils import timezone

from kamrad.clients import services as clients
from kamrad.clients.models import Organization
from kamrad.qualification import selectors, services
from kamrad.qualification.models import Criterion, StoredVerdict
from kamrad.qualification.tests.conftest import AS_OF, MILLION_RUB, account, sale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today_is_as_of():
    # A judged mark re-evaluates its client as of today; these tests compare with AS_OF.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC), tick=False):
        yield


def store_all(now: datetime.datetime | None = None) -> int:
    setup = selectors.load_setup(AS_OF)
    bounds = Organization.objects.aggregate(first=Min("id"), last=Max("id"))
    return services.verdicts_store(bounds["first"], bounds["last"], setup, now=now)


@pytest.fixture
def world(head, usd_rate):
    """A client for each criterion met, one meeting three, and one with nothing at all."""
    orgs = {
        name: clients.organization_create(user=head, data={"name": name})
        for name in ("lines", "volume", "monopoly", "strategic", "growth", "three", "nothing")
    }
    for line in ("Loans", "Deposits", "Cards"):
        sale(orgs["lines"], datetime.date(2026, 6, 1), MILLION_RUB, line)
    account(orgs["volume"], datetime.date(2026, 6, 1), turnover=60 * MILLION_RUB)
    for code in ("monopoly", "strategic"):
        services.judged_mark_set(
            user=head,
            organization=orgs[code],
            criterion=Criterion.objects.get(code=code),
            met=True,
            expected_version=0,
        )
    sale(orgs["growth"], datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    sale(orgs["growth"], datetime.date(2026, 6, 1), 130 * MILLION_RUB)
    sale(orgs["three"], datetime.date(2025, 6, 1), 100 * MILLION_RUB)
    for line in ("Loans", "Deposits", "Cards"):
        sale(orgs["three"], datetime.date(2026, 6, 1), 200 * MILLION_RUB, line)
    return orgs


def test_it_stores_the_same_verdict_as_the_live_evaluation_for_every_criterion(world):
    store_all()
    live = selectors.verdicts_for([o.pk for o in world.values()], as_of=AS_OF)
    for name, org in world.items():
        stored = StoredVerdict.objects.get(organization=org)
        verdict = live[org.pk]
        assert stored.met_count == verdict.met_count, name
        assert stored.qualifies == verdict.qualifies, name
        assert stored.needed == verdict.needed
        assert stored.as_of == AS_OF
        assert stored.met_codes == [row.criterion.code for row in verdict.met_criteria], name
    assert StoredVerdict.objects.get(organization=world["lines"]).met_codes == ["product_breadth"]
    assert StoredVerdict.objects.get(organization=world["nothing"]).met_count == 0
    assert StoredVerdict.objects.get(organization=world["three"]).qualifies


def test_a_second_run_writes_only_the_rows_that_changed(world):
    first = timezone.now() + datetime.timedelta(days=1)
    store_all(first)
    sale(world["lines"], datetime.date(2026, 7, 1), 500 * MILLION_RUB)
    assert store_all(first + datetime.timedelta(hours=1)) == 1
    changed = StoredVerdict.objects.filter(computed_at__gt=first)
    assert list(changed.values_list("organization", flat=True)) == [world["lines"].pk]
    assert store_all(first + datetime.timedelta(hours=2)) == 0


def test_a_judged_mark_refreshes_that_clients_stored_verdict_at_once(world, head):
    store_all()
    org = world["nothing"]
    services.judged_mark_set(
        user=head,
        organization=org,
        criterion=Criterion.objects.get(code="monopoly"),
        met=True,
        expected_version=0,
    )
    stored = StoredVerdict.objects.get(organization=org)
    assert stored.met_codes == ["monopoly"]
    assert stored.met_count == 1


def test_storing_every_client_in_batches_covers_them_all(world):
    # The two judged clients were stored when judged; the other five are written now.
    assert services.verdicts_store_all(as_of=AS_OF, batch=2) == len(world) - 2
    assert StoredVerdict.objects.count() == len(world)
    assert services.verdicts_store_all(as_of=AS_OF, batch=3) == 0


def test_a_change_of_the_criteria_or_the_rule_marks_every_stored_verdict_stale(world, head):
    store_all()
    growth = Criterion.objects.get(code="growth")
    services.criterion_update(
        user=head, criterion=growth, data={"enabled": False}, expected_version=growth.version
    )
    assert not StoredVerdict.objects.filter(stale=False).exists()
    assert store_all() == len(world)  # the next evaluation rewrites every stale row
    assert not StoredVerdict.objects.filter(stale=True).exists()
    assert "growth" not in StoredVerdict.objects.get(organization=world["growth"]).met_codes
    rule = selectors.rule()
    services.rule_update(user=head, min_met=rule.min_met, expected_version=rule.version)
    assert not StoredVerdict.objects.filter(stale=True).exists()  # nothing changed
    services.rule_update(user=head, min_met=2, expected_version=rule.version)
    assert StoredVerdict.objects.filter(stale=True).count() == len(world)
