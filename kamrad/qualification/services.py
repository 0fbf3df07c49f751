"""Every write of VIP qualification. Pages, the API and the CLI call these.

Edited rows carry a `version`: the caller sends the version it read (0 for a row that did not
exist yet — a judgement, a decision or a stage recorded for the first time) and a stale one is
refused with StaleEdit. Saving what is already saved writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients.models import Organization
from kamrad.clients.services import StaleEdit
from kamrad.qualification import selectors
from kamrad.qualification.models import (
    AttractionStage,
    CandidateDecision,
    Criterion,
    JudgedMark,
    Measure,
    QualificationRule,
    StoredVerdict,
)
from kamrad.users import access
from kamrad.users.models import User

__all__ = ["StaleEdit"]


def _stamp(obj: models.Model, user: User | None) -> None:
    # simple-history takes the author from here when there is no request (API, CLI).
    obj._history_user = user  # type: ignore[attr-defined]


def _differs(obj: models.Model, data: Mapping[str, Any]) -> bool:
    for name, value in data.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)
        wanted = getattr(value, "pk", value) if field.is_relation else field.to_python(value)
        if current != wanted:
            return True
    return False


def _save(obj: models.Model, user: User | None, data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        setattr(obj, name, value)
    _stamp(obj, user)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()


def _upsert[V: models.Model](
    model: type[V],
    *,
    user: User | None,
    lookup: Mapping[str, Any],
    data: Mapping[str, Any],
    authored: Mapping[str, Any],
    expected_version: int,
) -> V:
    """Create the row `lookup` names (expected version 0) or change it (its current version).

    `authored` (who, when) is written only with a real change.
    """
    obj = model.objects.select_for_update().filter(**lookup).first()
    if obj is None:
        obj = model(**lookup)
        _save(obj, user, {**data, **authored})
        return obj
    if obj.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit(obj)
    if not _differs(obj, data):
        return obj
    obj.version += 1  # type: ignore[attr-defined]
    _save(obj, user, {**data, **authored})
    return obj


def _require_head(user: User | None) -> None:
    if user is not None and not access.may_assign_managers(user):
        raise access.deny(user, "qualification settings")


def _require_manage(user: User | None, organization: Organization) -> None:
    if user is not None and not access.may_manage_organization(user, organization):
        raise access.deny(user, f"qualification of organization {organization.pk}")


# --- The criteria and the rule ------------------------------------------------------------------


def _set_measures(
    criterion: Criterion, measures: Sequence[Mapping[str, Any]], user: User | None
) -> None:
    """Replace the criterion's measures by these (kept ones are updated in place)."""
    if criterion.is_judged and measures:
        raise ValidationError({"measures": _("A judged criterion has no measures.")})
    if not criterion.is_judged and not measures:
        raise ValidationError({"measures": _("A measured criterion needs at least one measure.")})
    current = list(criterion.measures.all())
    for position, spec in enumerate(measures, start=1):
        row = current.pop(0) if current else Measure(criterion=criterion)
        spec = {
            "amount_minor": None,
            "currency": "USD",
            "count": None,
            "percent": None,
            **spec,
            "position": position * 10,
        }
        if row.pk is None or _differs(row, spec):
            _save(row, user, spec)
    for row in current:
        _stamp(row, user)
        row.delete()


def _measure_specs(criterion: Criterion) -> list[dict[str, Any]]:
    return [
        {
            "metric": m.metric,
            "amount_minor": m.amount_minor,
            "currency": m.currency,
            "count": m.count,
            "percent": m.percent,
        }
        for m in criterion.measures.all()
    ]


@transaction.atomic
def criterion_create(
    *, user: User | None, data: Mapping[str, Any], measures: Sequence[Mapping[str, Any]] = ()
) -> Criterion:
    _require_head(user)
    criterion = Criterion()
    _stamp(criterion, user)
    for name, value in data.items():
        setattr(criterion, name, value)
    criterion.full_clean()
    criterion.save()
    _set_measures(criterion, measures, user)
    _mark_stale()
    return criterion


@transaction.atomic
def criterion_update(
    *,
    user: User | None,
    criterion: Criterion,
    data: Mapping[str, Any],
    expected_version: int,
    measures: Sequence[Mapping[str, Any]] | None = None,
) -> Criterion:
    _require_head(user)
    data = {k: v for k, v in data.items() if k not in {"kind", "code"}}  # fixed once made
    obj = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if obj.version != expected_version:
        raise StaleEdit(obj)
    measures_changed = measures is not None and [
        {"amount_minor": None, "currency": "USD", "count": None, "percent": None, **m}
        for m in measures
    ] != _measure_specs(obj)
    if not _differs(obj, data) and not measures_changed:
        return obj
    obj.version += 1
    _stamp(obj, user)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    if measures_changed:
        _set_measures(obj, measures or [], user)
    _mark_stale()
    return obj


@transaction.atomic
def rule_update(*, user: User | None, min_met: int, expected_version: int) -> QualificationRule:
    _require_head(user)
    enabled = Criterion.objects.filter(enabled=True).count()
    if min_met > enabled:
        raise ValidationError(
            {
                "min_met": _("Only %(count)s criteria are enabled; a client could never qualify.")
                % {"count": enabled}
            }
        )
    current = QualificationRule.objects.select_for_update().first()
    lookup = {"pk": current.pk if current else 1}
    rule = _upsert(
        QualificationRule,
        user=user,
        lookup=lookup,
        data={"min_met": min_met},
        authored={},
        expected_version=expected_version,
    )
    if rule.version != expected_version:
        _mark_stale()
    return rule


# --- Judged criteria ----------------------------------------------------------------------------


@transaction.atomic
def judged_mark_set(
    *,
    user: User | None,
    organization: Organization,
    criterion: Criterion,
    met: bool,
    note: str = "",
    expected_version: int,
    now: datetime.datetime | None = None,
) -> JudgedMark:
    """The head or the client's account manager judges a criterion, with a note why."""
    _require_manage(user, organization)
    if not criterion.is_judged:
        raise ValidationError({"criterion": _("Only a judged criterion is set by a person.")})
    mark = _upsert(
        JudgedMark,
        user=user,
        lookup={"organization": organization, "criterion": criterion},
        data={"met": met, "note": note.strip()},
        authored={"set_by": user, "set_at": now or timezone.now()},
        expected_version=expected_version,
    )
    verdict_refresh(organization.pk)
    return mark


# --- The head's decision on a candidate ---------------------------------------------------------


@transaction.atomic
def candidate_decide(
    *,
    user: User | None,
    organization: Organization,
    outcome: str,
    note: str = "",
    expected_version: int,
    now: datetime.datetime | None = None,
) -> CandidateDecision:
    """Admit a client to the VIP program or decline it; only the program head decides."""
    _require_head(user)
    return _upsert(
        CandidateDecision,
        user=user,
        lookup={"organization": organization},
        data={"outcome": outcome, "note": note.strip()},
        authored={"decided_by": user, "decided_at": now or timezone.now()},
        expected_version=expected_version,
    )


# --- The attraction procedure -------------------------------------------------------------------


@transaction.atomic
def attraction_stage_set(
    *,
    user: User | None,
    organization: Organization,
    stage: int,
    done_on: datetime.date | None,
    notes: str = "",
    expected_version: int,
) -> AttractionStage:
    """Record a stage as done on a date (or not done), with notes; who is the user saving it."""
    _require_manage(user, organization)
    if stage not in AttractionStage.Stage.values:
        raise ValidationError({"stage": _("There is no such stage.")})
    return _upsert(
        AttractionStage,
        user=user,
        lookup={"organization": organization, "stage": stage},
        data={"done_on": done_on, "notes": notes.strip()},
        authored={"done_by": user if done_on else None},
        expected_version=expected_version,
    )


# --- Stored verdicts ----------------------------------------------------------------------------

_STORED_FIELDS = ("as_of", "met_count", "needed", "qualifies", "met_codes")


def _stored_values(verdict: Any, setup: Any) -> dict[str, Any]:
    if verdict is None:
        return {
            "as_of": setup.periods.as_of,
            "met_count": 0,
            "needed": setup.needed,
            "qualifies": setup.needed <= 0,
            "met_codes": [],
        }
    return {
        "as_of": verdict.as_of,
        "met_count": verdict.met_count,
        "needed": verdict.needed,
        "qualifies": verdict.qualifies,
        "met_codes": [row.criterion.code for row in verdict.met_criteria],
    }


@transaction.atomic
def verdicts_store(
    first_id: int,
    last_id: int,
    setup: Any,
    *,
    verdicts: Mapping[int, Any] | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Evaluate the clients with ids in [first_id, last_id] and store their verdicts.

    Only the rows that changed are written; the number written is returned. A caller that has
    already evaluated the range passes its `verdicts` so they are not evaluated twice.
    """
    now = now or timezone.now()
    ids = list(
        Organization.objects.filter(id__gte=first_id, id__lte=last_id).values_list("id", flat=True)
    )
    if verdicts is None:
        verdicts = selectors.verdicts_in_range(first_id, last_id, setup)
    stored = {
        row.organization_id: row for row in StoredVerdict.objects.filter(organization_id__in=ids)
    }
    create, update = [], []
    for org_id in ids:
        values = _stored_values(verdicts.get(org_id), setup)
        row = stored.get(org_id)
        if row is None:
            create.append(StoredVerdict(organization_id=org_id, computed_at=now, **values))
        elif row.stale or any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.computed_at, row.stale = now, False
            update.append(row)
    StoredVerdict.objects.bulk_create(create, batch_size=1000)
    StoredVerdict.objects.bulk_update(
        update, [*_STORED_FIELDS, "computed_at", "stale"], batch_size=1000
    )
    return len(create) + len(update)


def _mark_stale() -> None:
    """The criteria or the rule changed: every stored verdict waits for the next evaluation."""
    StoredVerdict.objects.filter(stale=False).update(stale=True)


def verdict_refresh(organization_id: int, *, setup: Any = None) -> int:
    """Re-evaluate one client's stored verdict (after its judged marks changed)."""
    return verdicts_store(organization_id, organization_id, setup or selectors.load_setup())


def verdicts_store_all(*, as_of: datetime.date | None = None, batch: int = 5000) -> int:
    """Evaluate and store every client's verdict in batches of ids; the rows written."""
    setup = selectors.load_setup(as_of)
    bounds = Organization.objects.aggregate(first=models.Min("id"), last=models.Max("id"))
    if bounds["first"] is None:
        return 0
    return sum(
        verdicts_store(first, first + batch - 1, setup)
        for first in range(bounds["first"], bounds["last"] + 1, batch)
    )
