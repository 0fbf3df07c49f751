"""The reminders over the API: only the user's own, Done and Snooze by key, the feed, settings."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from kamrad.meetings.models import WorkItem
from kamrad.reminders.models import FeedToken, ReminderMark, ReminderSettings

TODAY = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC), tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_only_the_users_own_reminders_and_marks_them(
    alice, bob, alices_client, bobs_client
):
    mine = WorkItem.objects.create(
        organization=alices_client, title="Mine", assigned_to=alice, due_on=TODAY
    )
    theirs = WorkItem.objects.create(
        organization=bobs_client, title="Bob's", assigned_to=bob, due_on=TODAY
    )
    listed = api(alice).get("/api/reminders/").json()
    assert [r["key"] for r in listed] == [f"work_item:{mine.pk}"]
    assert listed[0]["kind"] == "work_item" and listed[0]["due"] == "2026-12-02"
    refused = api(alice).post(
        "/api/reminders/done/", {"key": f"work_item:{theirs.pk}"}, format="json"
    )
    assert refused.status_code == 404
    bad = api(alice).post("/api/reminders/snooze/", {"key": f"work_item:{mine.pk}"}, format="json")
    assert bad.status_code == 400
    ok = api(alice).post(
        "/api/reminders/snooze/", {"key": f"work_item:{mine.pk}", "days": 3}, format="json"
    )
    assert ok.json()["snoozed_until"] == "2026-12-05"
    assert api(alice).get("/api/reminders/").json() == []
    assert ReminderMark.objects.count() == 1


def test_it_creates_and_revokes_the_feed(alice):
    created = api(alice).post("/api/reminders/feed/")
    assert created.status_code == 201 and ".ics" in created.json()["url"]
    assert api(alice).delete("/api/reminders/feed/").status_code == 204
    assert not FeedToken.objects.filter(revoked_at__isnull=True).exists()


def test_it_lets_only_the_head_change_the_settings(head, alice):
    data = {
        "meetings_ahead_days": 5,
        "dates_ahead_days": 7,
        "unmet_after_days": 14,
        "untouched_after_days": 30,
    }
    assert api(alice).put("/api/reminders/settings/", data, format="json").status_code == 403
    assert api(head).put("/api/reminders/settings/", data, format="json").status_code == 200
    assert ReminderSettings.load().untouched_after_days == 30
    bad = api(head).put("/api/reminders/settings/", {"meetings_ahead_days": -1}, format="json")
    assert bad.status_code == 400
