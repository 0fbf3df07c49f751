"""The qualification services: who may write, versions, the audit history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kamrad.clients.services import StaleEdit
from kamrad.qualification import services
from kamrad.qualification.models import (
    AttractionStage,
    CandidateDecision,
    Criterion,
    JudgedMark,
    Measure,
    QualificationRule,
)

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


def monopoly() -> Criterion:
    return Criterion.objects.get(code="monopoly")


def judge(user, org, *, met=True, note="Only one in the region", version=0, now=WHEN):
    return services.judged_mark_set(
        user=user,
        organization=org,
        criterion=monopoly(),
        met=met,
        note=note,
        expected_version=version,
        now=now,
    )


# --- Judged criteria ---------------------------------------------------------------------------


def test_it_keeps_who_judged_and_when_and_the_history_of_judgements(alice, head, alices_client):
    mark = judge(alice, alices_client)
    assert (mark.met, mark.set_by, mark.set_at, mark.version) == (True, alice, WHEN, 1)
    later = WHEN + datetime.timedelta(days=1)
    mark = judge(head, alices_client, met=False, note="A rival opened", version=1, now=later)
    assert (mark.met, mark.set_by, mark.set_at, mark.version) == (False, head, later, 2)
    history = list(mark.history.order_by("history_date"))
    assert [(h.met, h.note, h.history_user) for h in history] == [
        (True, "Only one in the region", alice),
        (False, "A rival opened", head),
    ]


def test_it_refuses_a_judgement_made_on_a_stale_version(alice, head, alices_client):
    judge(alice, alices_client)
    judge(head, alices_client, met=False, note="Changed by the head", version=1)
    with pytest.raises(StaleEdit) as refused:
        judge(alice, alices_client, met=True, note="Mine", version=1)
    assert refused.value.current.note == "Changed by the head"
    assert JudgedMark.objects.get().note == "Changed by the head"


def test_it_refuses_a_first_judgement_when_someone_judged_meanwhile(alice, head, alices_client):
    judge(head, alices_client)
    with pytest.raises(StaleEdit):
        judge(alice, alices_client, met=False, version=0)


def test_an_unchanged_judgement_writes_nothing(alice, head, alices_client):
    judge(alice, alices_client)
    mark = judge(head, alices_client, version=1, now=WHEN + datetime.timedelta(days=3))
    assert (mark.version, mark.set_by, mark.set_at) == (1, alice, WHEN)
    assert mark.history.count() == 1


def test_another_managers_client_and_a_viewer_may_not_be_judged(
    alice, viewer, bobs_client, alices_client
):
    with pytest.raises(PermissionDenied):
        judge(alice, bobs_client)
    with pytest.raises(PermissionDenied):
        judge(viewer, alices_client)
    assert not JudgedMark.objects.exists()


def test_a_measured_criterion_is_not_judged_by_hand(alice, alices_client):
    with pytest.raises(ValidationError):
        services.judged_mark_set(
            user=alice,
            organization=alices_client,
            criterion=Criterion.objects.get(code="volume"),
            met=True,
            expected_version=0,
        )


# --- Decisions on candidates -------------------------------------------------------------------


def test_only_the_program_head_decides_on_a_candidate(head, alice, alices_client):
    with pytest.raises(PermissionDenied):
        services.candidate_decide(
            user=alice, organization=alices_client, outcome="admitted", expected_version=0
        )
    decision = services.candidate_decide(
        user=head,
        organization=alices_client,
        outcome="declined",
        note="Not now",
        expected_version=0,
        now=WHEN,
    )
    assert (decision.outcome, decision.decided_by, decision.decided_at) == ("declined", head, WHEN)
    decision = services.candidate_decide(
        user=head, organization=alices_client, outcome="admitted", expected_version=1
    )
    assert (decision.outcome, decision.version) == ("admitted", 2)
    with pytest.raises(StaleEdit):
        services.candidate_decide(
            user=head, organization=alices_client, outcome="declined", expected_version=1
        )
    assert CandidateDecision.objects.get().outcome == "admitted"


# --- The attraction procedure ------------------------------------------------------------------


def test_a_stage_records_its_date_who_and_notes_and_refuses_a_stale_edit(
    alice, head, alices_client
):
    stage = services.attraction_stage_set(
        user=alice,
        organization=alices_client,
        stage=AttractionStage.Stage.ASSESS,
        done_on=datetime.date(2026, 11, 2),
        notes="Fits three criteria",
        expected_version=0,
    )
    assert (stage.done_by, stage.version) == (alice, 1)
    services.attraction_stage_set(
        user=head,
        organization=alices_client,
        stage=AttractionStage.Stage.ASSESS,
        done_on=datetime.date(2026, 11, 3),
        notes="Checked again",
        expected_version=1,
    )
    with pytest.raises(StaleEdit):
        services.attraction_stage_set(
            user=alice,
            organization=alices_client,
            stage=AttractionStage.Stage.ASSESS,
            done_on=None,
            notes="Undo",
            expected_version=1,
        )
    saved = AttractionStage.objects.get()
    assert (saved.notes, saved.done_by, saved.version) == ("Checked again", head, 2)
    assert saved.history.count() == 2


def test_a_stage_not_done_has_nobody_who_did_it(alice, alices_client):
    stage = services.attraction_stage_set(
        user=alice,
        organization=alices_client,
        stage=AttractionStage.Stage.TOP_MEETING,
        done_on=None,
        notes="Planned for December",
        expected_version=0,
    )
    assert stage.done_by is None


# --- Criteria and the rule ---------------------------------------------------------------------


def test_the_head_changes_a_threshold_and_the_measures_are_replaced(head):
    volume = Criterion.objects.get(code="volume")
    updated = services.criterion_update(
        user=head,
        criterion=volume,
        data={"name_en": "Big volume"},
        measures=[{"metric": "sales_year", "amount_minor": 300_000_000, "currency": "EUR"}],
        expected_version=volume.version,
    )
    assert updated.name_en == "Big volume"
    assert [(m.metric, m.amount_minor, m.currency) for m in updated.measures.all()] == [
        ("sales_year", 300_000_000, "EUR")
    ]
    with pytest.raises(StaleEdit):
        services.criterion_update(
            user=head, criterion=volume, data={"name_en": "Old"}, expected_version=volume.version
        )


def test_a_money_measure_without_an_amount_is_refused(head):
    with pytest.raises(ValidationError):
        services.criterion_create(
            user=head,
            data={"code": "deposits", "kind": "measured", "name_en": "D", "name_ru": "Д"},
            measures=[{"metric": Measure.Metric.BALANCE_MONTH}],
        )
    assert not Criterion.objects.filter(code="deposits").exists()


def test_an_account_manager_does_not_change_the_criteria(alice):
    volume = Criterion.objects.get(code="volume")
    with pytest.raises(PermissionDenied):
        services.criterion_update(
            user=alice, criterion=volume, data={"enabled": False}, expected_version=volume.version
        )


def test_the_rule_may_not_need_more_criteria_than_are_enabled(head):
    rule = QualificationRule.objects.get()
    with pytest.raises(ValidationError):
        services.rule_update(user=head, min_met=6, expected_version=rule.version)
    services.rule_update(user=head, min_met=5, expected_version=rule.version)
    assert QualificationRule.objects.get().min_met == 5
