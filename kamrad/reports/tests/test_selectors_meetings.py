"""The questionnaire results across the program, counted on meetings whose answer is known."""

from __future__ import annotations

import pytest

from kamrad.clients.models import Relationship
from kamrad.reports import selectors
from kamrad.reports.tests.conftest import PERIOD_END, PERIOD_START, record

pytestmark = pytest.mark.django_db
PERIOD = selectors.Period(PERIOD_START, PERIOD_END)


def test_it_counts_quality_failures_by_service_with_their_closing_time(
    head, alices_meeting, bobs_meeting
):
    (row,) = selectors.quality_failures(PERIOD, head)
    assert (row.label, row.failed, row.closed, row.open) == ("Internet 100", 2, 1, 1)
    assert (row.median_days, row.average_days) == (4.0, 4.0)


def test_it_sums_opportunities_in_the_base_currency_and_keeps_a_rateless_one_apart(
    head, alices_meeting
):
    block = selectors.opportunities(PERIOD, head)
    rows = {r.label: r for r in block.rows}
    assert block.currency == "RUB"
    assert rows["Internet 100"].value_base == 120_000_00
    assert rows["Cloud backup"].value_base == 100_000_00  # 1 000 EUR at 100
    assert rows["Telephony"].value_base == 0 and rows["Telephony"].unconverted == {"USD": 500_00}
    total = block.total
    assert (total.count, total.open, total.won, total.lost) == (3, 3, 0, 0)
    assert total.value_base == 220_000_00 and total.unconverted == {"USD": 500_00}


def test_it_counts_referrals_and_how_many_became_clients(head, alices_meeting, bobs_meeting):
    rows, total = selectors.referrals(PERIOD, head)
    by_client = {r.label: (r.gained, r.converted, r.percent) for r in rows}
    assert by_client == {"ООО Ромашка": (2, 1, 50), "Acme Widgets Ltd": (1, 0, 0)}
    assert (total.gained, total.converted, total.percent) == (3, 1, 33)


def test_it_counts_new_key_people_and_first_links_by_member_and_month(
    head, alice, alices_meeting, bobs_meeting
):
    rows = selectors.people_met(PERIOD, head)
    alices = [r for r in rows if r.member_id == alice.pk]
    # The new person (her link comes with her) and alice's first link to Ivan Ivanov.
    assert [(r.month.isoformat(), r.new_people, r.first_met) for r in alices] == [
        ("2026-11-01", 1, 1)
    ]


def test_a_refreshed_touch_is_not_a_first_meeting(head, alice, ivanov, meeting):
    Relationship.objects.create(staff=alice, contact=ivanov, warmth=4)
    record(meeting, alice, {"meeting_goal": "Renewal"})
    rows = selectors.people_met(PERIOD, head)
    assert [(r.new_people, r.first_met) for r in rows] == []


def test_an_account_manager_counts_only_her_own_clients(alice, bob, alices_meeting, bobs_meeting):
    report = selectors.meetings_report(PERIOD, alice)
    assert report.quality_total.failed == 1
    assert report.referrals_total.gained == 2
    assert {r.member_id for r in report.people} == {alice.pk}
    bobs = selectors.meetings_report(PERIOD, bob)
    assert bobs.quality_total.failed == 1 and bobs.opportunities.rows == []
    assert bobs.referrals_total.gained == 1


def test_the_member_filter_and_the_period_narrow_the_figures(
    head, bob, alices_meeting, bobs_meeting
):
    only_bob = selectors.meetings_report(PERIOD, head, member=bob)
    assert only_bob.quality_total.failed == 1 and only_bob.referrals_total.gained == 1
    earlier = selectors.meetings_report(
        selectors.Period(PERIOD_START.replace(month=1), PERIOD_START.replace(month=10)), head
    )
    assert earlier.quality == [] and earlier.referrals == [] and earlier.people == []


def test_the_default_period_is_the_running_programs(head):
    from kamrad.program import services as program_services
    from kamrad.program.models import Program

    program = program_services.program_create(
        user=head,
        data={
            "name": "VIP",
            "starts_on": PERIOD_START,
            "ends_on": PERIOD_END.replace(month=12),
            "head": head,
            "status": Program.Status.RUNNING,
        },
    )
    assert selectors.default_period() == selectors.Period(program.starts_on, program.ends_on)


def test_the_report_takes_a_fixed_number_of_queries(
    head, alices_meeting, bobs_meeting, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        selectors.meetings_report(PERIOD, head)
