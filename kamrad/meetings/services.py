"""Every write about meetings: planning, holding, the questionnaire's answers, and recording
what the meeting yields. Pages, the API and the CLI call these; none re-implements them.

Recording is two steps. `meeting_review()` lists every change the answers would make to the
card, each with a stable key; the person recording confirms them (all, or some), and
`meeting_record()` applies the confirmed ones in one transaction, listing each as a
`MeetingOutcome`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients import services as client_services
from kamrad.clients.models import (
    Contact,
    ContactPoint,
    DecisionRole,
    Organization,
    Product,
    Relationship,
)
from kamrad.clients.services import StaleEdit
from kamrad.lib import money
from kamrad.meetings import answers as answer_rules
from kamrad.meetings.models import Meeting, MeetingOutcome, Opportunity, WorkItem
from kamrad.program.models import Program, ProgramClient
from kamrad.questionnaires.models import QualityCheck, Section
from kamrad.questionnaires.services import version_for_meeting
from kamrad.users import access
from kamrad.users.models import User

Outcome = MeetingOutcome.Kind
Purpose = Section.Purpose
DEFAULT_WARMTH = 3
PLAN_FIELDS = ("starts_at", "duration_minutes", "place", "purpose", "notes")


def today() -> datetime.date:
    return timezone.localdate()


def _stamp(obj: models.Model, user: User | None) -> None:
    obj._history_user = user  # type: ignore[attr-defined]


def _require_writer(user: User | None, organization: Organization) -> None:
    if user is not None and not access.may_manage_organization(user, organization):
        raise access.deny(user, f"meeting write on organization {organization.pk}")


def _locked(meeting: Meeting, expected_version: int) -> Meeting:
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    return current


def _save(obj: models.Model, user: User | None, fields: Iterable[str]) -> None:
    obj.version += 1  # type: ignore[attr-defined]
    _stamp(obj, user)
    obj.save(update_fields=[*fields, "version", "updated_at"])


# --- The VIP program's work marks ------------------------------------------------------


def _program_entry(organization: Organization) -> ProgramClient | None:
    """The client's entry on the running program's list, if it has one."""
    return (
        ProgramClient.objects.filter(
            organization=organization, program__status=Program.Status.RUNNING
        )
        .select_related("program")
        .first()
    )


def _mark(entry: ProgramClient | None, user: User | None, **marks: datetime.date | None) -> None:
    """Move the program's work marks forward (never back), as the meeting goes."""
    if entry is None or entry.program.status == Program.Status.CLOSED:
        return
    entry = ProgramClient.objects.select_for_update().select_related("program").get(pk=entry.pk)
    changed = [name for name, value in marks.items() if getattr(entry, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(entry, name, marks[name])
    _save(entry, user, changed)


def _replan_mark(meeting: Meeting, user: User | None) -> None:
    """The planned-meeting mark follows the next planned meeting of the client, if any."""
    entry = meeting.program_client
    if entry is None or entry.met_on:
        return
    following = (
        Meeting.objects.filter(program_client=entry, status=Meeting.Status.PLANNED)
        .order_by("starts_at")
        .first()
    )
    _mark(
        entry,
        user,
        meeting_planned_on=timezone.localdate(following.starts_at) if following else None,
    )


# --- Planning and holding ----------------------------------------------------------------


def _check_people(organization: Organization, data: Mapping[str, Any]) -> None:
    errors = {}
    theirs = list(data.get("their_people") or [])
    if any(c.organization_id != organization.pk for c in theirs):
        errors["their_people"] = _("Only the client's own people can be invited.")
    ours = list(data.get("our_people") or [])
    if any(not u.is_active for u in ours):
        errors["our_people"] = _("Only active staff can attend.")
    duration = data.get("duration_minutes")
    if duration is not None and not 5 <= int(duration) <= 600:
        errors["duration_minutes"] = _("A meeting lasts from 5 minutes to 10 hours.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_plan(
    *,
    user: User | None,
    organization: Organization,
    data: Mapping[str, Any],
    language: str | None = None,
) -> Meeting:
    """Plan a meeting: `data` holds starts_at, duration_minutes, place, purpose, notes,
    our_people (users) and their_people (the client's contacts)."""
    _require_writer(user, organization)
    if not data.get("starts_at"):
        raise ValidationError({"starts_at": _("When is the meeting?")})
    _check_people(organization, data)
    entry = _program_entry(organization)
    meeting = Meeting(
        organization=organization,
        program_client=entry,
        planned_by=user,
        questionnaire=version_for_meeting(language or settings.LANGUAGE_CODE[:2]),
        **{f: data[f] for f in PLAN_FIELDS if f in data},
    )
    _stamp(meeting, user)
    meeting.full_clean(exclude=["organization", "program_client", "questionnaire", "planned_by"])
    meeting.save()
    meeting.our_people.set(data.get("our_people") or ([user] if user else []))
    meeting.their_people.set(data.get("their_people") or [])
    if entry is not None and not entry.met_on:
        _replan_mark(meeting, user)
    return meeting


@transaction.atomic
def meeting_update(
    *, user: User | None, meeting: Meeting, data: Mapping[str, Any], expected_version: int
) -> Meeting:
    """Reschedule or change a meeting that is not recorded or cancelled yet."""
    _require_writer(user, meeting.organization)
    meeting = _locked(meeting, expected_version)
    if meeting.status in {Meeting.Status.RECORDED, Meeting.Status.CANCELLED}:
        raise ValidationError(_("A recorded or cancelled meeting cannot be changed."))
    _check_people(meeting.organization, data)
    fields = [f for f in PLAN_FIELDS if f in data and getattr(meeting, f) != data[f]]
    for name in fields:
        setattr(meeting, name, data[name])
    meeting.full_clean(exclude=["organization", "program_client", "questionnaire", "planned_by"])
    _save(meeting, user, fields)
    if "our_people" in data:
        meeting.our_people.set(data["our_people"])
    if "their_people" in data:
        meeting.their_people.set(data["their_people"])
    _replan_mark(meeting, user)
    return meeting


@transaction.atomic
def meeting_cancel(*, user: User | None, meeting: Meeting, expected_version: int) -> Meeting:
    _require_writer(user, meeting.organization)
    meeting = _locked(meeting, expected_version)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    _save(meeting, user, ["status"])
    _replan_mark(meeting, user)
    return meeting


def _hold(meeting: Meeting, user: User | None, held_on: datetime.date | None) -> None:
    held_on = held_on or timezone.localdate(meeting.starts_at)
    if held_on > today():
        raise ValidationError({"held_on": _("A meeting is held on a day that has come.")})
    meeting.status = Meeting.Status.HELD
    meeting.held_on = held_on
    _save(meeting, user, ["status", "held_on"])
    entry = meeting.program_client
    if entry is not None and (entry.met_on is None or entry.met_on > held_on):
        _mark(entry, user, met_on=held_on)


@transaction.atomic
def meeting_hold(
    *,
    user: User | None,
    meeting: Meeting,
    expected_version: int,
    held_on: datetime.date | None = None,
) -> Meeting:
    """The meeting took place (on `held_on`, by default the day it was planned for)."""
    _require_writer(user, meeting.organization)
    meeting = _locked(meeting, expected_version)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be marked as held."))
    _hold(meeting, user, held_on)
    return meeting


@transaction.atomic
def meeting_save_answers(
    *, user: User | None, meeting: Meeting, data: Mapping[str, Any], expected_version: int
) -> Meeting:
    """Keep the questionnaire's answers as typed so far (a draft: nothing on the card moves)."""
    _require_writer(user, meeting.organization)
    meeting = _locked(meeting, expected_version)
    if meeting.status in {Meeting.Status.RECORDED, Meeting.Status.CANCELLED}:
        raise ValidationError(_("The answers of a recorded or cancelled meeting are final."))
    if meeting.questionnaire is None:
        raise ValidationError(_("This meeting has no questionnaire."))
    cleaned = answer_rules.clean(meeting.questionnaire.structure, data, meeting.organization)
    if cleaned != meeting.answers:
        meeting.answers = cleaned
        _save(meeting, user, ["answers"])
    return meeting


# --- What the answers would change --------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change the recorded answers make, shown for confirmation first."""

    key: str
    kind: str
    summary: str
    payload: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def kind_label(self) -> str:
        return str(Outcome(self.kind).label)


def _held_on(meeting: Meeting) -> datetime.date:
    return meeting.held_on or timezone.localdate(meeting.starts_at)


def _points_of(contact: Contact) -> set[tuple[str, str]]:
    return {(p.kind, p.value.strip().lower()) for p in contact.contact_points.all()}


def _person_changes(
    meeting: Meeting, key: str, rows: list[dict[str, Any]], contacts: dict[int, Contact]
) -> list[Change]:
    changes = []
    for number, row in enumerate(rows):
        contact = contacts.get(row["contact"]) if row["contact"] else None
        if contact is None:
            bits = [row["full_name"]]
            if row["position"]:
                bits.append(row["position"])
            roles = ", ".join(str(DecisionRole.Role(r).label) for r in row["roles"])
            summary = _("New key person: %(who)s") % {"who": ", ".join(bits)}
            if roles:
                summary += f" ({roles})"
            changes.append(Change(f"person:{key}:{number}:new", Outcome.PERSON_NEW, summary, row))
            continue
        if row["left"]:
            if contact.status != Contact.Status.LEFT:
                changes.append(
                    Change(
                        f"person:{contact.pk}:left",
                        Outcome.PERSON_LEFT,
                        _("%(who)s has left the company") % {"who": contact.full_name},
                        {"contact": contact.pk},
                    )
                )
            continue
        updates = {}
        for name in ("position", "department"):
            if row[name] and row[name] != getattr(contact, name):
                updates[name] = row[name]
        new_roles = sorted(set(row["roles"]) - {r.role for r in contact.decision_roles.all()})
        if updates or new_roles:
            parts = [
                _("%(field)s %(old)s → %(new)s")
                % {
                    "field": Contact._meta.get_field(name).verbose_name,
                    "old": getattr(contact, name) or "—",
                    "new": value,
                }
                for name, value in updates.items()
            ]
            if new_roles:
                parts.append(
                    _("roles added: %(roles)s")
                    % {"roles": ", ".join(str(DecisionRole.Role(r).label) for r in new_roles)}
                )
            changes.append(
                Change(
                    f"person:{contact.pk}:changed",
                    Outcome.PERSON_CHANGED,
                    f"{contact.full_name}: " + "; ".join(parts),
                    {"contact": contact.pk, "updates": updates, "roles": new_roles},
                )
            )
        known = _points_of(contact)
        points = [
            (kind, row[name])
            for kind, name in (
                (ContactPoint.Kind.PHONE, "phone"),
                (ContactPoint.Kind.EMAIL, "email"),
            )
            if row[name] and (kind, row[name].strip().lower()) not in known
        ]
        if points:
            changes.append(
                Change(
                    f"person:{contact.pk}:points",
                    Outcome.CONTACT_DATA,
                    _("%(who)s: new contact data %(values)s")
                    % {"who": contact.full_name, "values": ", ".join(v for _k, v in points)},
                    {"contact": contact.pk, "points": points},
                )
            )
        if row["about"]:
            changes.append(
                Change(
                    f"person:{contact.pk}:about",
                    Outcome.NOTE,
                    _("About %(who)s, to their notes and dossier: %(text)s")
                    % {"who": contact.full_name, "text": _short(row["about"])},
                    {"contact": contact.pk, "text": row["about"]},
                )
            )
    return changes


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _attendee_changes(
    meeting: Meeting, persons: list[dict[str, Any]], contacts: dict[int, Contact]
) -> list[Change]:
    held = _held_on(meeting)
    attendees = {c.pk: c for c in meeting.their_people.all()}
    for row in persons:
        if row["contact"] and row["attended"] and row["contact"] in contacts:
            attendees[row["contact"]] = contacts[row["contact"]]
    ours = list(meeting.our_people.all())
    existing = {
        (r.staff_id, r.contact_id): r
        for r in Relationship.objects.filter(contact__in=attendees.keys(), staff__in=ours)
    }
    changes = []
    for person in sorted(attendees.values(), key=lambda c: c.full_name):
        if person.status == Contact.Status.LEFT:
            continue
        for staff in ours:
            relation = existing.get((staff.pk, person.pk))
            if relation is not None and relation.last_touch and relation.last_touch >= held:
                continue
            summary = (
                _("%(staff)s met %(who)s: last personal touch %(date)s")
                if relation is not None
                else _("%(staff)s knows %(who)s now (last personal touch %(date)s)")
            ) % {"staff": staff, "who": person.full_name, "date": held.isoformat()}
            changes.append(
                Change(
                    f"relationship:{staff.pk}:{person.pk}",
                    Outcome.RELATIONSHIP,
                    summary,
                    {"staff": staff.pk, "contact": person.pk},
                )
            )
    return changes


def _quality_changes(key: str, rows: list[dict[str, Any]]) -> list[Change]:
    check_ids = {item["check"] for row in rows for item in row["checks"]}
    checks = {
        c.pk: c for c in QualityCheck.objects.filter(pk__in=check_ids).select_related("product")
    }
    changes = []
    for row in rows:
        for item in row["checks"]:
            check = checks[item["check"]]
            if answer_rules.check_passes(check, item):
                continue
            if check.is_number:
                failed = _(
                    "%(check)s: measured %(measured)s %(unit)s, promised %(promised)s %(unit)s"
                ) % {
                    "check": check.text,
                    "measured": item["measured"],
                    "promised": item["promised"],
                    "unit": check.unit,
                }
            else:
                failed = _("%(check)s: answered “%(answer)s”") % {
                    "check": check.text,
                    "answer": _("yes") if item["answer"] == "yes" else _("no"),
                }
            changes.append(
                Change(
                    f"work_item:{row['product']}:{check.pk}",
                    Outcome.WORK_ITEM,
                    _("Technical work on %(service)s — %(failed)s")
                    % {"service": check.product.name, "failed": failed},
                    {
                        "product": row["product"],
                        "check": check.pk,
                        "title": failed,
                        "promised": item.get("promised", ""),
                        "measured": item.get("measured", item.get("answer", "")),
                        "unit": check.unit,
                    },
                )
            )
    return changes


def _offer_changes(key: str, purpose: str, rows: list[dict[str, Any]]) -> list[Change]:
    kind = (
        Opportunity.Kind.EXPANSION if purpose == Purpose.EXPANSION else Opportunity.Kind.NEW_PRODUCT
    )
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=[r["product"] for r in rows if r["product"]])
    }
    changes = []
    for number, row in enumerate(rows):
        name = products[row["product"]].name if row["product"] else row["product_name"]
        summary = _("%(kind)s opportunity: %(product)s") % {
            "kind": Opportunity.Kind(kind).label,
            "product": name,
        }
        if row["estimated_value"]:
            summary += f", {row['estimated_value']} {row['currency']}"
        if row["next_step"]:
            summary += " — " + _("next step: %(step)s") % {"step": row["next_step"]}
        changes.append(
            Change(
                f"opportunity:{key}:{number}", Outcome.OPPORTUNITY, summary, {**row, "kind": kind}
            )
        )
    return changes


def _referral_changes(meeting: Meeting, key: str, rows: list[dict[str, Any]]) -> list[Change]:
    changes = []
    for number, row in enumerate(rows):
        name = row["organization"] or row["person"]
        known = Organization.objects.filter(name__iexact=name).first()
        if known is not None:
            if known.referred_by_id or known.pk == meeting.organization_id:
                continue
            summary = _("%(name)s is already known: marked as referred by %(client)s") % {
                "name": known.name,
                "client": meeting.organization.name,
            }
        else:
            summary = _("New prospect %(name)s, referred by %(client)s") % {
                "name": name,
                "client": meeting.organization.name,
            }
            if row["organization"] and row["person"]:
                summary += f" ({row['person']})"
        changes.append(
            Change(
                f"referral:{key}:{number}",
                Outcome.REFERRAL,
                summary,
                {**row, "known": known.pk if known else None},
            )
        )
    return changes


def meeting_review(meeting: Meeting) -> list[Change]:
    """Every change the meeting's saved answers would make to the card, in questionnaire order."""
    structure = meeting.questionnaire.structure if meeting.questionnaire else {}
    saved = meeting.answers or {}
    contacts = {
        c.pk: c
        for c in meeting.organization.contacts.prefetch_related("contact_points", "decision_roles")
    }
    changes: list[Change] = []
    persons: list[dict[str, Any]] = []
    notes: list[tuple[str, str]] = []
    for section, question in answer_rules.questions(structure):
        key, kind, value = question["key"], question["kind"], saved.get(question["key"])
        if not value:
            continue
        purpose = section.get("purpose")
        if kind == answer_rules.Kind.PERSONS:
            persons.extend(value)
            changes += _person_changes(meeting, key, value, contacts)
        elif kind == answer_rules.Kind.QUALITY:
            changes += _quality_changes(key, value)
        elif kind == answer_rules.Kind.PRODUCT_OFFER:
            changes += _offer_changes(key, purpose, value)
        elif kind == answer_rules.Kind.REFERRALS:
            changes += _referral_changes(meeting, key, value)
        elif purpose in {Purpose.CARNEGIE, Purpose.COOPERATION} and kind in {
            answer_rules.Kind.TEXT,
            answer_rules.Kind.LONG_TEXT,
        }:
            notes.append((question["text"], value))
            if purpose == Purpose.CARNEGIE:
                changes.append(
                    Change(
                        f"note:{key}",
                        Outcome.NOTE,
                        _("To the company's dossier: %(question)s — %(answer)s")
                        % {"question": question["text"], "answer": _short(value)},
                        {"question": question["text"], "text": value},
                    )
                )
    cooperation = [
        (section, question)
        for section, question in answer_rules.questions(structure)
        if section.get("purpose") == Purpose.COOPERATION and saved.get(question["key"])
    ]
    if cooperation:
        changes.append(
            Change(
                "note:cooperation",
                Outcome.NOTE,
                _("The answers on our cooperation, to the company's dossier (%(n)d)")
                % {"n": len(cooperation)},
                {"lines": [(q["text"], _display(q, saved[q["key"]])) for _s, q in cooperation]},
            )
        )
    changes += _attendee_changes(meeting, persons, contacts)
    return changes


def _display(question: Mapping[str, Any], value: Any) -> str:
    if question["kind"] == answer_rules.Kind.YES_NO:
        return _("yes") if value == "yes" else _("no")
    if question["kind"] == answer_rules.Kind.NUMBER and question.get("unit"):
        return f"{value} {question['unit']}"
    return str(value)


# --- Recording ---------------------------------------------------------------------------


def _responsible(meeting: Meeting, user: User | None) -> User | None:
    return meeting.organization.account_manager or user


def _apply(meeting: Meeting, change: Change, user: User | None) -> MeetingOutcome:
    held = _held_on(meeting)
    org = meeting.organization
    data = change.payload
    outcome = MeetingOutcome(meeting=meeting, kind=change.kind, summary=change.summary[:500])
    if change.kind == Outcome.PERSON_NEW:
        contact = client_services.contact_create(
            user=user,
            organization=org,
            data={
                "full_name": data["full_name"],
                "position": data["position"],
                "department": data["department"],
                "personal_notes": data["about"],
            },
            roles=data["roles"],
            phones=[data["phone"]] if data["phone"] else None,
            emails=[data["email"]] if data["email"] else None,
        )
        if data["about"]:
            client_services.dossier_add(
                user=user,
                data={"contact": contact, "date": held, "title": "", "text": data["about"]},
            )
        if data["attended"]:
            for staff in meeting.our_people.all():
                client_services.relationship_create(
                    user=user,
                    data={
                        "staff": staff,
                        "contact": contact,
                        "warmth": DEFAULT_WARMTH,
                        "last_touch": held,
                    },
                )
            meeting.their_people.add(contact)
        outcome.contact = contact
    elif change.kind == Outcome.PERSON_LEFT:
        contact = Contact.objects.get(pk=data["contact"])
        client_services.contact_update(
            user=user,
            contact=contact,
            data={"status": Contact.Status.LEFT, "left_on": held},
            expected_version=contact.version,
        )
        outcome.contact = contact
    elif change.kind == Outcome.PERSON_CHANGED:
        contact = Contact.objects.get(pk=data["contact"])
        if data["updates"]:
            contact = client_services.contact_update(
                user=user, contact=contact, data=data["updates"], expected_version=contact.version
            )
        for role in data["roles"]:
            client_services.decision_role_add(user=user, contact=contact, role=role)
        outcome.contact = contact
    elif change.kind == Outcome.CONTACT_DATA:
        contact = Contact.objects.get(pk=data["contact"])
        for kind, value in data["points"]:
            client_services.contact_point_add(
                user=user, organization=org, contact=contact, kind=kind, value=value
            )
        outcome.contact = contact
    elif change.kind == Outcome.RELATIONSHIP:
        contact = Contact.objects.get(pk=data["contact"])
        relation = Relationship.objects.filter(staff_id=data["staff"], contact=contact).first()
        if relation is None:
            # object_id names the link the meeting made; a refreshed touch made none.
            outcome.object_id = client_services.relationship_create(
                user=user,
                data={
                    "staff": User.objects.get(pk=data["staff"]),
                    "contact": contact,
                    "warmth": DEFAULT_WARMTH,
                    "last_touch": held,
                },
            ).pk
        else:
            client_services.relationship_update(
                user=user,
                relationship=relation,
                data={"last_touch": held},
                expected_version=relation.version,
            )
        outcome.contact = contact
    elif change.kind == Outcome.WORK_ITEM:
        item = WorkItem(
            organization=org,
            meeting=meeting,
            product_id=data["product"],
            quality_check_id=data["check"],
            title=data["title"][:300],
            promised=data["promised"],
            measured=data["measured"],
            unit=data["unit"],
            assigned_to=_responsible(meeting, user),
            due_on=held + datetime.timedelta(days=settings.KAMRAD_WORK_ITEM_DAYS),
            created_by=user,
        )
        _stamp(item, user)
        item.save()
        outcome.object_id = item.pk
    elif change.kind == Outcome.OPPORTUNITY:
        currency = data["currency"]
        opportunity = Opportunity(
            organization=org,
            meeting=meeting,
            kind=data["kind"],
            product_id=data["product"],
            product_name=data["product_name"],
            estimated_minor=money.to_minor(data["estimated_value"], currency)
            if data["estimated_value"]
            else None,
            currency=currency,
            next_step=data["next_step"],
            next_step_on=datetime.date.fromisoformat(data["next_step_on"])
            if data["next_step_on"]
            else None,
            owner=_responsible(meeting, user),
        )
        _stamp(opportunity, user)
        opportunity.save()
        outcome.object_id = opportunity.pk
    elif change.kind == Outcome.REFERRAL:
        referrer = Contact.objects.filter(pk=data["referrer"], organization=org).first()
        if referrer is None:
            referrer = meeting.their_people.order_by("full_name").first()
        if data["known"]:
            prospect = Organization.objects.get(pk=data["known"])
            client_services.organization_update(
                user=user,
                organization=prospect,
                data={"referred_by": org, "referred_by_contact": referrer},
                expected_version=prospect.version,
            )
        else:
            prospect = client_services.organization_create(
                user=user,
                data={
                    "kind": Organization.Kind.PROSPECT,
                    "name": (data["organization"] or data["person"])[:200],
                    "is_private": not data["organization"],
                    "notes": data["note"],
                    "referred_by": org,
                    "referred_by_contact": referrer,
                    "account_manager": org.account_manager,
                    "region": org.region,
                },
            )
            if data["person"] or data["phone"] or data["email"]:
                client_services.contact_create(
                    user=user,
                    organization=prospect,
                    data={
                        "full_name": data["person"] or prospect.name,
                        "position": data["position"],
                    },
                    phones=[data["phone"]] if data["phone"] else None,
                    emails=[data["email"]] if data["email"] else None,
                )
        outcome.target_organization = prospect
        outcome.contact = referrer
    elif change.kind == Outcome.NOTE:
        if "lines" in data:
            text = "\n".join(f"{q}\n— {a}" for q, a in data["lines"])
            client_services.dossier_add(
                user=user,
                data={
                    "organization": org,
                    "date": held,
                    "title": _("Meeting of %(date)s: our cooperation") % {"date": held.isoformat()},
                    "text": text,
                },
            )
        elif "contact" in data:
            contact = Contact.objects.get(pk=data["contact"])
            stamp = f"{held.isoformat()}: {data['text']}"
            notes = f"{contact.personal_notes}\n{stamp}".strip()
            client_services.contact_update(
                user=user,
                contact=contact,
                data={"personal_notes": notes},
                expected_version=contact.version,
            )
            client_services.dossier_add(
                user=user,
                data={"contact": contact, "date": held, "title": "", "text": data["text"]},
            )
            outcome.contact = contact
        else:
            client_services.dossier_add(
                user=user,
                data={
                    "organization": org,
                    "date": held,
                    "title": data["question"][:300],
                    "text": data["text"],
                },
            )
    outcome.save()
    return outcome


@transaction.atomic
def meeting_record(
    *,
    user: User | None,
    meeting: Meeting,
    accepted: Iterable[str],
    expected_version: int,
    held_on: datetime.date | None = None,
) -> list[MeetingOutcome]:
    """Record the meeting: apply the confirmed changes (keys from `meeting_review`) to the card,
    create the work items, opportunities and prospects, and mark the program's work.

    A planned meeting is held first (on `held_on`, by default its planned day). The keys the
    recorder did not confirm change nothing. After this, the answers are final.
    """
    _require_writer(user, meeting.organization)
    meeting = _locked(meeting, expected_version)
    if meeting.status == Meeting.Status.RECORDED:
        raise ValidationError(_("This meeting is recorded already."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be recorded."))
    if meeting.questionnaire is None:
        raise ValidationError(_("This meeting has no questionnaire."))
    missing = answer_rules.missing_required(meeting.questionnaire.structure, meeting.answers)
    if missing:
        raise ValidationError({key: _("This question needs an answer.") for key in missing})
    if meeting.status == Meeting.Status.PLANNED:
        _hold(meeting, user, held_on)
    wanted = set(accepted)
    changes = meeting_review(meeting)
    unknown = wanted - {c.key for c in changes}
    if unknown:
        raise ValidationError(_("The answers changed since the review: review the changes again."))
    outcomes = [_apply(meeting, c, user) for c in changes if c.key in wanted]
    meeting.status = Meeting.Status.RECORDED
    meeting.recorded_at = timezone.now()
    meeting.recorded_by = user
    _save(meeting, user, ["status", "recorded_at", "recorded_by"])
    entry = meeting.program_client
    if entry is not None:
        day = max(today(), meeting.held_on or today())
        entry.refresh_from_db()
        marks: dict[str, datetime.date | None] = {}
        if entry.met_on is None or entry.met_on > meeting.held_on:
            marks["met_on"] = meeting.held_on
        if entry.questionnaire_on is None:
            marks["questionnaire_on"] = day
        if entry.followups_on is None:
            marks["followups_on"] = day
        _mark(entry, user, **marks)
    return outcomes


# --- Work items and opportunities ---------------------------------------------------------

WORK_ITEM_FIELDS = (
    "title",
    "promised",
    "measured",
    "unit",
    "assigned_to",
    "due_on",
    "status",
    "notes",
)
OPPORTUNITY_FIELDS = (
    "kind",
    "product",
    "product_name",
    "estimated_minor",
    "currency",
    "next_step",
    "next_step_on",
    "status",
    "owner",
    "notes",
)


def _update_row[V: models.Model](
    obj: V,
    *,
    user: User | None,
    data: Mapping[str, Any],
    allowed: Iterable[str],
    expected_version: int,
) -> V:
    _require_writer(user, obj.organization)  # type: ignore[attr-defined]
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if current.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit(current)
    allowed = set(allowed)
    fields = []
    for name, value in data.items():
        if name not in allowed:
            continue
        attname = current._meta.get_field(name).attname
        if getattr(current, attname) != getattr(value, "pk", value):
            setattr(current, name, value)
            fields.append(name)
    if not fields:
        return current
    if "status" in fields:
        closed = current.status in {"closed", "won", "lost"}  # type: ignore[attr-defined]
        current.closed_on = today() if closed else None  # type: ignore[attr-defined]
        fields.append("closed_on")
    current.full_clean(validate_unique=False, validate_constraints=False)
    _save(current, user, fields)
    return current


@transaction.atomic
def work_item_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> WorkItem:
    """Technical work ordered by hand (a recorded meeting creates its own)."""
    _require_writer(user, organization)
    item = WorkItem(organization=organization, created_by=user)
    for name in WORK_ITEM_FIELDS + ("product", "quality_check"):
        if name in data:
            setattr(item, name, data[name])
    if item.status == WorkItem.Status.CLOSED:
        item.closed_on = today()
    item.full_clean(exclude=["organization"])
    _stamp(item, user)
    item.save()
    return item


@transaction.atomic
def work_item_update(
    *, user: User | None, item: WorkItem, data: Mapping[str, Any], expected_version: int
) -> WorkItem:
    return _update_row(
        item, user=user, data=data, allowed=WORK_ITEM_FIELDS, expected_version=expected_version
    )


@transaction.atomic
def opportunity_create(
    *, user: User | None, organization: Organization, data: Mapping[str, Any]
) -> Opportunity:
    _require_writer(user, organization)
    opportunity = Opportunity(organization=organization)
    for name in OPPORTUNITY_FIELDS:
        if name in data:
            setattr(opportunity, name, data[name])
    if opportunity.estimated_minor is not None and not opportunity.currency:
        opportunity.currency = settings.KAMRAD_BASE_CURRENCY
    if opportunity.status != Opportunity.Status.OPEN:
        opportunity.closed_on = today()
    opportunity.full_clean(exclude=["organization"])
    _stamp(opportunity, user)
    opportunity.save()
    return opportunity


@transaction.atomic
def opportunity_update(
    *, user: User | None, opportunity: Opportunity, data: Mapping[str, Any], expected_version: int
) -> Opportunity:
    return _update_row(
        opportunity,
        user=user,
        data=data,
        allowed=OPPORTUNITY_FIELDS,
        expected_version=expected_version,
    )
