"""The criteria editor: the program head edits, everyone else reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kamrad.qualification.models import Criterion, Measure, QualificationRule

pytestmark = pytest.mark.django_db

LIST = reverse("qualification:criteria")


def edit_url(code: str) -> str:
    return reverse("qualification:criterion_edit", args=[Criterion.objects.get(code=code).pk])


def test_everyone_reads_the_criteria_and_only_the_head_gets_the_editor(client, alice, head):
    client.force_login(alice)
    page = client.get(LIST).text
    assert "Volume above the thresholds" in page
    assert "Sales in the last 12 months ≥ 5 000 000.00 USD" in page
    assert "A client qualifies when it meets at least 3 of the enabled criteria." in page
    assert edit_url("volume") not in page
    assert client.get(edit_url("volume")).status_code == 403
    assert client.post(LIST, {"min_met": 1, "version": 1}).status_code == 403
    client.force_login(head)
    assert edit_url("volume") in client.get(LIST).text


def test_the_head_changes_the_rule_and_a_stale_rule_is_refused(client, head):
    client.force_login(head)
    response = client.post(LIST, {"min_met": 2, "version": 1})
    assert response.status_code == 302
    assert QualificationRule.objects.get().min_met == 2
    stale = client.post(LIST, {"min_met": 4, "version": 1})
    assert stale.status_code == 409
    assert "Someone else saved this" in stale.text
    assert QualificationRule.objects.get().min_met == 2
    too_many = client.post(LIST, {"min_met": 9, "version": 2})
    assert "Only 5 criteria are enabled" in too_many.text


def test_the_head_changes_a_threshold_and_adds_an_alternative(client, head):
    client.force_login(head)
    form = client.get(edit_url("volume"))
    assert form.status_code == 200
    assert 'value="5 000 000.00"' in form.text
    criterion = Criterion.objects.get(code="volume")
    data = {
        "name_en": "Big volume",
        "name_ru": "Большие объёмы",
        "help_en": "",
        "help_ru": "",
        "enabled": "on",
        "position": 20,
        "version": criterion.version,
        "measures-TOTAL_FORMS": 2,
        "measures-INITIAL_FORMS": 1,
        "measures-MIN_NUM_FORMS": 0,
        "measures-MAX_NUM_FORMS": 10,
        "measures-0-metric": "sales_year",
        "measures-0-amount": "4 000 000",
        "measures-0-currency": "EUR",
        "measures-1-metric": "product_lines",
        "measures-1-count": "5",
        "measures-1-currency": "USD",
    }
    response = client.post(edit_url("volume"), data)
    assert response.status_code == 302, response.content
    criterion.refresh_from_db()
    assert criterion.name_en == "Big volume"
    assert [(m.metric, m.amount_minor, m.currency, m.count) for m in criterion.measures.all()] == [
        ("sales_year", 400_000_000, "EUR", None),
        ("product_lines", None, "USD", 5),
    ]


def test_a_bad_threshold_shows_a_field_error(client, head):
    client.force_login(head)
    criterion = Criterion.objects.get(code="volume")
    data = {
        "name_en": "Volume",
        "name_ru": "Объёмы",
        "enabled": "on",
        "position": 20,
        "version": criterion.version,
        "measures-TOTAL_FORMS": 1,
        "measures-INITIAL_FORMS": 1,
        "measures-MIN_NUM_FORMS": 0,
        "measures-MAX_NUM_FORMS": 10,
        "measures-0-metric": "sales_year",
        "measures-0-amount": "a lot",
        "measures-0-currency": "USD",
    }
    response = client.post(edit_url("volume"), data)
    assert response.status_code == 200
    assert "Enter an amount, like 5 000 000." in response.text
    assert criterion.measures.count() == 4


def test_the_head_adds_a_judged_criterion(client, head):
    client.force_login(head)
    response = client.post(
        reverse("qualification:criterion_create"),
        {
            "code": "reputation",
            "kind": "judged",
            "name_en": "Good reputation",
            "name_ru": "Хорошая репутация",
            "enabled": "on",
            "position": 60,
            "version": 0,
            "measures-TOTAL_FORMS": 1,
            "measures-INITIAL_FORMS": 0,
            "measures-MIN_NUM_FORMS": 0,
            "measures-MAX_NUM_FORMS": 10,
            "measures-0-metric": "",
            "measures-0-currency": "USD",
        },
    )
    assert response.status_code == 302, response.content
    created = Criterion.objects.get(code="reputation")
    assert (created.kind, created.enabled) == ("judged", True)
    assert not Measure.objects.filter(criterion=created).exists()
