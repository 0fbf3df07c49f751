"""The demo's meetings: recorded ones with what they yielded, planned ones ahead."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kamrad.clients.models import Organization
from kamrad.clients.tests.test_demo import demo  # noqa: F401  (the module-scoped demo load)
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.program.selectors import WORKED, work_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_it_records_the_first_meetings_with_the_russian_questionnaire():
    recorded = Meeting.objects.filter(status=Meeting.Status.RECORDED)
    assert recorded.count() >= 5
    assert all(m.questionnaire.template.language == "ru" for m in recorded)
    assert all(work_state(m.program_client) == WORKED for m in recorded)


def test_each_thing_a_meeting_yields_is_in_the_demo():
    kinds = set(MeetingOutcome.objects.values_list("kind", flat=True))
    assert {"person_new", "relationship", "work_item", "opportunity", "referral", "note"} <= kinds
    assert WorkItem.objects.filter(status=WorkItem.Status.CLOSED).exists()
    assert WorkItem.objects.exclude(status=WorkItem.Status.CLOSED).exists()
    assert Opportunity.objects.filter(estimated_minor__gt=0).exists()
    referred = Organization.objects.filter(referred_by__isnull=False)
    assert referred.filter(kind=Organization.Kind.PROSPECT).exists()
    assert referred.filter(kind=Organization.Kind.CLIENT).exists()  # one referral converted


def test_meetings_are_planned_ahead_of_the_real_date():
    ahead = Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gt=timezone.now())
    assert ahead.count() >= 3
    assert all(m.our_people.exists() for m in ahead)
