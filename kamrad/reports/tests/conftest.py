"""Recorded meetings of alice's client and of bob's, built through the meetings' services, so
every figure of the report is known by hand.

alice's meeting (held 2026-11-20, recorded 2026-11-25): a failed speed check on Internet 100
(closed four days later), an expansion of Internet 100 worth 120 000 RUB, a new product
"Cloud backup" worth 1 000 EUR (100 RUB a euro: 100 000 RUB) and "Telephony" worth 500 USD
(no USD rate), a referral that became a client and one that did not, and a new key person;
alice now knows Ivan Ivanov and the new person. bob's meeting: a remembered outage on
Internet 100, still open, and one referral.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from kamrad.clients import services as client_services
from kamrad.clients.models import Organization
from kamrad.meetings import services
from kamrad.meetings.models import Meeting, WorkItem
from kamrad.meetings.tests import conftest as meeting_fixtures
from kamrad.value import services as value_services

# The meetings' own fixtures: a questionnaire, a service with two checks, alice's client's
# key person and a meeting planned with him.
HELD = meeting_fixtures.HELD
questionnaire = meeting_fixtures.questionnaire
internet = meeting_fixtures.internet
ivanov = meeting_fixtures.ivanov
meeting = meeting_fixtures.meeting

NOW = datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC)
PERIOD_START, PERIOD_END = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def quality(product, speed: str, outage: str) -> list[dict]:
    speed_check, outage_check = product.quality_checks.order_by("position")
    return [
        {
            "product": product.pk,
            "checks": [
                {"check": speed_check.pk, "promised": "100", "measured": speed},
                {"check": outage_check.pk, "answer": outage},
            ],
        }
    ]


def record(planned: Meeting, user, answers: dict) -> Meeting:
    """Save the answers and record the meeting with every change it proposes accepted."""
    saved = services.meeting_save_answers(
        user=user, meeting=planned, data=answers, expected_version=planned.version
    )
    keys = [c.key for c in services.meeting_review(saved)]
    services.meeting_record(user=user, meeting=saved, accepted=keys, expected_version=saved.version)
    return Meeting.objects.get(pk=saved.pk)


@pytest.fixture
def alices_meeting(meeting, alice, internet, ivanov, _now):
    value_services.rate_set(user=None, currency="EUR", date=datetime.date(2026, 1, 1), rate="100")
    recorded = record(
        meeting,
        alice,
        {
            "quality": quality(internet, "60", "no"),
            "key_people": [{"full_name": "Пётр Петров", "position": "CFO", "attended": True}],
            "expansion": [
                {"product": internet.pk, "estimated_value": "120 000", "currency": "RUB"}
            ],
            "new_products": [
                {"product_name": "Cloud backup", "estimated_value": "1000", "currency": "EUR"},
                {"product_name": "Telephony", "estimated_value": "500", "currency": "USD"},
            ],
            "referrals": [
                {"organization": "ООО Лютик", "person": "Сергей Сергеев"},
                {"organization": '=HYPERLINK("http://x")', "person": "Анна"},
            ],
        },
    )
    Organization.objects.filter(name="ООО Лютик").update(kind=Organization.Kind.CLIENT)
    item = WorkItem.objects.get(meeting=recorded)
    _now.move_to(NOW + datetime.timedelta(days=4))
    services.work_item_update(
        user=alice, item=item, data={"status": "closed"}, expected_version=item.version
    )
    _now.move_to(NOW)
    return recorded


@pytest.fixture
def bobs_meeting(bob, bobs_client, internet, questionnaire):
    planned = services.meeting_plan(
        user=bob,
        organization=bobs_client,
        data={"starts_at": timezone.make_aware(datetime.datetime.combine(HELD, datetime.time(15)))},
        language="en",
    )
    person = client_services.contact_create(
        user=bob, organization=bobs_client, data={"full_name": "Zoe Zebra"}
    )
    return record(
        planned,
        bob,
        {
            "quality": quality(internet, "120", "yes"),
            "referrals": [{"organization": "Zebra Friends", "person": person.full_name}],
        },
    )
