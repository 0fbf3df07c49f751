"""Generated requests against the meetings' endpoints, answers held to the schema (the same
harness as kamrad/api/tests/test_schemathesis.py)."""

import datetime

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kamrad.api.tests.test_schemathesis import _one_connection_per_test, api_schema
from kamrad.meetings import services
from kamrad.meetings.models import MeetingOutcome

__all__ = ["_one_connection_per_test", "api_schema"]

OPERATIONS = [
    ("/api/meetings/", "GET", {200}),
    ("/api/meetings/", "POST", {201, 400}),
    ("/api/meetings/{id}/", "GET", {200}),
    ("/api/meetings/{id}/", "PATCH", {200, 409}),
    ("/api/meetings/{id}/cancel/", "POST", {200, 409}),
    ("/api/meetings/{id}/hold/", "POST", {200, 400, 409}),
    ("/api/meetings/{id}/answers/", "PUT", {200, 400, 409}),
    ("/api/meetings/{id}/review/", "GET", {200}),
    ("/api/meetings/{id}/record/", "POST", {200, 400, 409}),
    ("/api/work-items/", "GET", {200}),
    ("/api/work-items/", "POST", {201, 400}),
    ("/api/work-items/{id}/", "PATCH", {200, 409}),
    ("/api/opportunities/", "GET", {200}),
    ("/api/opportunities/", "POST", {201, 400}),
    ("/api/opportunities/{id}/", "PATCH", {200, 409}),
    ("/api/meeting-outcomes/", "GET", {200}),
    ("/api/meeting-outcomes/{id}/", "GET", {200}),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "expected"), OPERATIONS)
def test_it_answers_generated_requests_as_the_schema_says(
    api_schema,
    head,
    alice,
    alices_client,
    ivanov,
    meeting,
    internet,
    path: str,
    method: str,
    expected: set[int],
) -> None:
    item = services.work_item_create(user=alice, organization=alices_client, data={"title": "X"})
    opportunity = services.opportunity_create(
        user=alice, organization=alices_client, data={"kind": "expansion"}
    )
    outcome = MeetingOutcome.objects.create(meeting=meeting, kind="note", summary="Proud")
    ids = {
        "/api/meetings/": meeting.pk,
        "/api/work-items/": item.pk,
        "/api/opportunities/": opportunity.pk,
        "/api/meeting-outcomes/": outcome.pk,
    }
    real = {
        "organization": alices_client.pk,
        "product": internet.pk,
        "their_people": [ivanov.pk],
        "our_people": [alice.pk],
        "assigned_to": alice.pk,
        "owner": alice.pk,
    }
    headers = {"Authorization": f"Token {Token.objects.create(user=head).key}"}
    operation = api_schema[path][method]
    seen: set[int] = set()

    @given(case=operation.as_strategy(), anchor=st.booleans())
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case, anchor: bool) -> None:
        if anchor:
            if case.path_parameters and "id" in case.path_parameters:
                case.path_parameters["id"] = next(
                    pk for prefix, pk in ids.items() if path.startswith(prefix)
                )
            if isinstance(case.body, dict):
                for key in real.keys() & case.body.keys():
                    case.body[key] = real[key]
                if (
                    "version" in case.body
                    or method in {"PATCH", "PUT"}
                    or path.endswith(("/cancel/", "/hold/", "/record/"))
                ):
                    case.body["version"] = 1
                if path.endswith("/hold/"):
                    case.body["held_on"] = "2026-11-20"
                if path.endswith("/record/"):
                    case.body["accepted"] = []
                    case.body.pop("held_on", None)
                if path.endswith("/answers/"):
                    case.body["answers"] = {"meeting_goal": "Renewal"}
                if "estimated_value" in case.body:
                    case.body["estimated_value"] = "1000"
                    case.body["currency"] = "RUB"
                if "starts_at" in case.body:
                    case.body["starts_at"] = "2026-12-01T10:00:00Z"
        response = case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance]
        )
        seen.add(response.status_code)

    check()
    assert seen & expected, f"{method} {path} never succeeded: {sorted(seen)}"
