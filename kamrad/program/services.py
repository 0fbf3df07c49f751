"""Every write of the VIP program. Pages, the API and the `kamrad program` command call these.

Edited rows carry a `version`: the caller sends the version it read and a stale one is refused
with StaleEdit (409 in the API, a clear message on the page). A proposal's version grows with
every move or lock, so two people reviewing one draft never overwrite each other's choice.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kamrad.clients.models import Organization
from kamrad.clients.services import StaleEdit
from kamrad.program import assignment
from kamrad.program.models import (
    Goal,
    Member,
    Program,
    ProgramClient,
    Proposal,
    ProposalLine,
    Reassignment,
    Rule,
)
from kamrad.users import access
from kamrad.users.models import Role, User

__all__ = ["StaleEdit"]

Progress = Callable[[int, int], None]

CHUNK = 2_000


def _stamp(obj: models.Model, user: User | None) -> None:
    # simple-history takes the author from here when there is no request (API, CLI).
    obj._history_user = user  # type: ignore[attr-defined]


def _require_head(user: User | None) -> None:
    if user is not None and not access.may_assign_managers(user):
        raise access.deny(user, "the VIP program's settings")


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
    obj.validate_constraints()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise ValidationError(_("This conflicts with a record saved meanwhile.")) from error


def _update[V: models.Model](
    obj: V, *, user: User | None, data: Mapping[str, Any], expected_version: int
) -> V:
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if locked.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit(locked)
    if not _differs(locked, data):
        return locked
    locked.version += 1  # type: ignore[attr-defined]
    _save(locked, user, data)
    return locked


# --- The program --------------------------------------------------------------------------------


def _require_open(program: Program) -> None:
    """A closed program is history: its list and its split no longer change."""
    if program.status == Program.Status.CLOSED:
        raise ValidationError(
            _("The program is closed: its client list and its split can no longer change.")
        )


def _check_running(program: Program) -> None:
    if program.status != Program.Status.RUNNING:
        return
    others = Program.objects.filter(status=Program.Status.RUNNING).exclude(pk=program.pk)
    other = others.first()
    if other is not None:
        raise ValidationError(
            {
                "status": _(
                    "Only one program runs at a time: close “%(name)s” before starting this one."
                )
                % {"name": other.name}
            }
        )


@transaction.atomic
def program_create(*, user: User | None, data: Mapping[str, Any]) -> Program:
    """A new program; its goals get a row each, with no target yet."""
    _require_head(user)
    program = Program()
    for name, value in data.items():
        setattr(program, name, value)
    _check_running(program)
    _save(program, user, {})
    Goal.objects.bulk_create(Goal(program=program, code=code) for code in Goal.Code.values)
    return program


@transaction.atomic
def program_update(
    *, user: User | None, program: Program, data: Mapping[str, Any], expected_version: int
) -> Program:
    _require_head(user)
    if "status" in data:
        probe = Program(pk=program.pk, status=data["status"])
        _check_running(probe)
    return _update(program, user=user, data=data, expected_version=expected_version)


# --- Staff --------------------------------------------------------------------------------------


def _default_share(program: Program, capacity: str) -> int:
    return 100 if capacity == Member.Capacity.DEDICATED else program.part_time_percent


@transaction.atomic
def member_add(*, user: User | None, program: Program, data: Mapping[str, Any]) -> Member:
    _require_head(user)
    data = dict(data)
    staff = data.get("user")
    if staff is not None and staff.role not in {Role.MANAGER, Role.HEAD}:
        raise ValidationError({"user": _("Only account managers and program heads join staff.")})
    if staff is not None and Member.objects.filter(program=program, user=staff).exists():
        raise ValidationError({"user": _("%(name)s is on this program already.") % {"name": staff}})
    capacity = data.get("capacity") or Member.Capacity.DEDICATED
    if not data.get("share_percent"):
        data["share_percent"] = _default_share(program, capacity)
    member = Member(program=program)
    _save(member, user, {**data, "capacity": capacity})
    return member


@transaction.atomic
def member_update(
    *, user: User | None, member: Member, data: Mapping[str, Any], expected_version: int
) -> Member:
    _require_head(user)
    data = dict(data)
    data.pop("user", None)  # a membership belongs to one person; add another member instead
    if "capacity" in data and not data.get("share_percent"):
        data["share_percent"] = _default_share(member.program, data["capacity"])
    return _update(member, user=user, data=data, expected_version=expected_version)


# --- The client list ----------------------------------------------------------------------------


def _add_clients(
    *, user: User | None, program: Program, organization_ids: Iterable[int], source: str
) -> int:
    """Put these organizations on the program's list (those not on it yet), each with its audit
    history row. Plain SQL: 100,000 clients in seconds, where model instances took a minute."""
    program = Program.objects.select_for_update().get(pk=program.pk)  # one adder at a time
    _require_open(program)
    present = set(
        ProgramClient.objects.filter(program=program).values_list("organization_id", flat=True)
    )
    new = [oid for oid in dict.fromkeys(organization_ids) if oid not in present]
    if not new:
        return 0
    table = ProgramClient._meta.db_table
    now = timezone.now()
    columns = (
        "created_at",
        "updated_at",
        "version",
        "program_id",
        "organization_id",
        "source",
        "added_by_id",
        "owner_relation",
        "owner_doubted",
        "owner_guards",
        "assessment_note",
    )
    user_id = user.pk if user is not None else None
    relation = ProgramClient.Relation.UNKNOWN
    rows = [
        (now, now, 1, program.pk, oid, source, user_id, relation, False, False, "") for oid in new
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        last_id = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    # The new rows are this program's above the highest id before: the program row is locked.
    _history_rows(
        ProgramClient,
        "program_id = %s AND id > %s",
        [program.pk, last_id],
        user=user,
        reason="",
        at=now,
        kind="+",
    )
    return len(rows)


@transaction.atomic
def clients_add_corporate(*, user: User | None, program: Program) -> int:
    """Every corporate client (kind "client", not a private person) not on the list yet."""
    _require_head(user)
    ids = Organization.objects.filter(kind=Organization.Kind.CLIENT, is_private=False).values_list(
        "pk", flat=True
    )
    return _add_clients(user=user, program=program, organization_ids=ids, source="corporate")


@transaction.atomic
def clients_add_candidates(*, user: User | None, program: Program) -> int:
    """The VIP candidates the head admitted, and qualifying clients nobody declined yet."""
    from kamrad.qualification.models import CandidateDecision, StoredVerdict

    _require_head(user)
    admitted = CandidateDecision.objects.filter(
        outcome=CandidateDecision.Outcome.ADMITTED
    ).values_list("organization_id", flat=True)
    declined = CandidateDecision.objects.filter(outcome=CandidateDecision.Outcome.DECLINED)
    qualifying = (
        StoredVerdict.objects.filter(qualifies=True)
        .exclude(organization_id__in=declined.values("organization_id"))
        .values_list("organization_id", flat=True)
    )
    ids = sorted({*admitted, *qualifying})
    return _add_clients(user=user, program=program, organization_ids=ids, source="candidate")


@transaction.atomic
def clients_add(
    *, user: User | None, program: Program, organizations: Iterable[Organization]
) -> int:
    """Clients the head picks by hand: the most important private clients, or any other."""
    _require_head(user)
    chosen = list(organizations)
    for organization in chosen:
        if organization.kind not in {Organization.Kind.CLIENT, Organization.Kind.PROSPECT}:
            raise ValidationError(
                {
                    "organizations": _("%(name)s is not a client or a prospect.")
                    % {"name": organization.name}
                }
            )
    private = [o.pk for o in chosen if o.is_private]
    other = [o.pk for o in chosen if not o.is_private]
    added = _add_clients(user=user, program=program, organization_ids=private, source="private")
    return added + _add_clients(user=user, program=program, organization_ids=other, source="added")


ASSESSMENT_FIELDS = ("owner_relation", "owner_doubted", "owner_guards", "assessment_note")
WORK_FIELDS = ("meeting_planned_on", "met_on", "questionnaire_on", "followups_on")


@transaction.atomic
def client_assess(
    *, user: User | None, client: ProgramClient, data: Mapping[str, Any], expected_version: int
) -> ProgramClient:
    """The head's judgement of the salesperson who brought the client (rules 1–3)."""
    _require_head(user)
    data = {k: v for k, v in data.items() if k in ASSESSMENT_FIELDS}
    return _update(client, user=user, data=data, expected_version=expected_version)


@transaction.atomic
def client_record_work(
    *, user: User | None, client: ProgramClient, data: Mapping[str, Any], expected_version: int
) -> ProgramClient:
    """How far the client has been worked through: meeting planned, held, questionnaire,
    follow-ups. Its account manager or the head records it."""
    if user is not None and not access.may_manage_organization(user, client.organization):
        raise access.deny(user, f"program work on organization {client.organization_id}")
    data = {k: v for k, v in data.items() if k in WORK_FIELDS}
    merged = {f: data.get(f, getattr(client, f)) for f in WORK_FIELDS}
    errors = {}
    held = merged["met_on"]
    if merged["questionnaire_on"] and not held:
        errors["questionnaire_on"] = _("A questionnaire comes from a meeting: record it first.")
    if merged["followups_on"] and not merged["questionnaire_on"]:
        errors["followups_on"] = _("Follow-ups come after the questionnaire: record it first.")
    for name in ("questionnaire_on", "followups_on"):
        if merged[name] and held and merged[name] < held and name not in errors:
            errors[name] = _("This cannot be before the meeting was held.")
    today = timezone.localdate()
    for name in ("met_on", "questionnaire_on", "followups_on"):
        if merged[name] and merged[name] > today and name not in errors:
            errors[name] = _("This is in the future: record it when it has happened.")
    if errors:
        raise ValidationError(errors)
    return _update(client, user=user, data=data, expected_version=expected_version)


# --- Proposals ----------------------------------------------------------------------------------


def _member_inputs(program: Program) -> list[assignment.MemberIn]:
    full = program.full_time_minutes()
    return [
        assignment.MemberIn(id=mid, user_id=uid, capacity=full * share // 100 if active else 0)
        for mid, uid, share, active in Member.objects.filter(program=program)
        .order_by("id")
        .values_list("id", "user_id", "share_percent", "is_active")
    ]


def _client_inputs(program: Program, locks: Mapping[int, int]) -> list[assignment.ClientIn]:
    """Every client of the program, read as plain tuples (100,000 rows in a fraction of a
    second; model instances would cost seconds)."""
    minutes = program.client_minutes
    pc, org = ProgramClient._meta.db_table, Organization._meta.db_table
    sql = (
        f"SELECT pc.id, pc.organization_id, o.owner_id, pc.owner_relation, pc.owner_doubted,"
        f" pc.owner_guards, o.industry_id, o.region_id"
        f" FROM {pc} pc JOIN {org} o ON o.id = pc.organization_id"
        f" WHERE pc.program_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [program.pk])
        rows = cursor.fetchall()
    client_in = assignment.ClientIn
    return [
        client_in(
            pid,
            oid,
            owner,
            relation,
            bool(doubted),
            bool(guards),
            ind,
            reg,
            minutes,
            locks.get(pid),
        )
        for pid, oid, owner, relation, doubted, guards, ind, reg in rows
    ]


LINE_COLUMNS = (
    "proposal_id",
    "client_id",
    "organization_id",
    "member_id",
    "rule",
    "proposed_rule",
    "grouped",
    "over_capacity",
    "locked",
    "reason",
)


def _insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Write many rows the fastest way each database has: COPY on PostgreSQL, executemany on
    SQLite — no model instance, no INSERT compiled per batch."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _insert_lines(proposal: Proposal, rows: list[tuple[Any, ...]]) -> None:
    _insert_rows(ProposalLine._meta.db_table, LINE_COLUMNS, rows)


@transaction.atomic
def proposal_create(
    *, user: User | None, program: Program, progress: Progress | None = None
) -> Proposal:
    """Propose a split of the program's clients among its members.

    A draft proposed before is superseded; the lines the head locked in it carry over, so
    proposing again keeps their choices. Deterministic: the same data gives the same split.
    """
    _require_head(user)
    started = time.perf_counter()
    program = Program.objects.select_for_update().get(pk=program.pk)
    _require_open(program)
    previous = Proposal.objects.filter(program=program, status=Proposal.Status.DRAFT).first()
    locks: dict[int, int] = {}
    overrides: dict[int, str] = {}  # a locked override keeps its rule and reason
    if previous is not None:
        for client_id, member_id, rule, reason in previous.lines.filter(
            locked=True, member__isnull=False
        ).values_list("client_id", "member_id", "rule", "reason"):
            locks[client_id] = member_id
            if rule == Rule.OVERRIDE:
                overrides[client_id] = reason
        previous.status = Proposal.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    members = _member_inputs(program)
    clients = _client_inputs(program, locks)
    if progress:
        progress(0, len(clients))
    placements = assignment.propose(members, clients)
    organization_of = {c.id: c.organization_id for c in clients}
    proposal = Proposal.objects.create(
        program=program,
        created_by=user,
        created_at=timezone.now(),
        client_count=len(clients),
    )
    rows = [
        (
            proposal.pk,
            p.client_id,
            organization_of[p.client_id],
            p.member_id,
            Rule.OVERRIDE if p.client_id in overrides else p.rule,
            p.rule,
            p.grouped,
            p.over_capacity,
            p.client_id in locks,
            overrides.get(p.client_id, ""),
        )
        for p in placements
    ]
    for start in range(0, len(rows), 20_000):
        _insert_lines(proposal, rows[start : start + 20_000])
        if progress:
            progress(min(start + 20_000, len(rows)), len(rows))
    proposal.seconds = round(time.perf_counter() - started, 3)
    proposal.save(update_fields=["seconds"])
    return proposal


def _bump(proposal: Proposal, expected_version: int) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("program").get(pk=proposal.pk)
    _require_open(locked.program)
    if locked.status != Proposal.Status.DRAFT:
        raise ValidationError(_("This proposal is no longer a draft: it cannot change."))
    if locked.version != expected_version:
        raise StaleEdit(locked)
    Proposal.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.version += 1
    return locked


def _owner_guards(line: ProposalLine, member: Member | None) -> bool:
    client = line.client
    return bool(
        member is not None
        and client.owner_guards
        and client.organization.owner_id is not None
        and member.user_id == client.organization.owner_id
    )


@transaction.atomic
def proposal_move(
    *,
    user: User | None,
    line: ProposalLine,
    member: Member,
    expected_version: int,
    lock: bool = True,
    override_reason: str = "",
) -> ProposalLine:
    """The head moves one client to another member (locked there by default).

    Giving a client back to an owner flagged as guarding it needs an explicit override with a
    reason (rule 3); the override is recorded on the line and, at confirmation, in the
    reassignment.
    """
    _require_head(user)
    if member.program_id != line.proposal.program_id:
        raise ValidationError({"member": _("This member is not on the program.")})
    if not member.is_active:
        raise ValidationError({"member": _("This member takes no clients any more.")})
    override_reason = override_reason.strip()
    guarded = _owner_guards(line, member)
    if guarded and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(name)s guards this client from colleagues and must hand it over; "
                    "giving it back needs an override with a reason."
                )
                % {"name": member.user}
            }
        )
    _bump(line.proposal, expected_version)
    line.member = member
    line.rule = Rule.OVERRIDE if guarded else Rule.MOVED
    line.reason = override_reason if guarded else ""
    line.locked = lock
    line.grouped = False
    line.over_capacity = False
    line.changed_by = user
    line.changed_at = timezone.now()
    line.save(
        update_fields=[
            "member",
            "rule",
            "reason",
            "locked",
            "grouped",
            "over_capacity",
            "changed_by",
            "changed_at",
        ]
    )
    return line


@transaction.atomic
def proposal_lock(
    *, user: User | None, line: ProposalLine, locked: bool, expected_version: int
) -> ProposalLine:
    """Lock a client's place so that proposing again keeps it (or unlock it)."""
    _require_head(user)
    if locked and line.member_id is None:
        raise ValidationError(_("Move the client to a member before locking it."))
    _bump(line.proposal, expected_version)
    line.locked = locked
    line.changed_by = user
    line.changed_at = timezone.now()
    line.save(update_fields=["locked", "changed_by", "changed_at"])
    return line


def confirm_problems(proposal: Proposal) -> list[str]:
    """What stops the head from confirming: clients nobody holds, and guarded clients given
    back to their owner without an override."""
    problems = []
    unplaced = proposal.lines.filter(member__isnull=True).select_related("organization")
    for line in unplaced[:20]:
        problems.append(
            _("%(name)s has no member: add staff or move it to someone.")
            % {"name": line.organization.name}
        )
    guarded = (
        proposal.lines.filter(
            client__owner_guards=True,
            member__user_id=F("organization__owner_id"),
        )
        .exclude(rule=Rule.OVERRIDE, reason__gt="")
        .select_related("organization")
    )
    for line in guarded[:20]:
        problems.append(
            _(
                "%(name)s stays with the salesperson who guards it: move it, or override "
                "with a reason."
            )
            % {"name": line.organization.name}
        )
    return problems


def _history_copy(
    model: type[models.Model], ids: list[int], *, user: User | None, reason: str, at: Any
) -> None:
    """An audit history row ("changed") for each of these rows as they are now, written by the
    database from the rows themselves — what simple-history's bulk_update_with_history writes,
    without a model instance per row."""
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    where = f"{connection.ops.quote_name(model._meta.pk.column)} IN ({marks})"
    _history_rows(model, where, ids, user=user, reason=reason, at=at, kind="~")


def _history_rows(
    model: type[models.Model],
    where: str,
    params: list[Any],
    *,
    user: User | None,
    reason: str,
    at: Any,
    kind: str,
) -> None:
    """Audit history rows (`kind`: "+" created, "~" changed) for the rows `where` selects, as
    they are now, copied by the database itself."""
    if not getattr(django_settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in history.tracked_fields)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date,"
        f" history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, %s, %s, %s, %s FROM {quote(model._meta.db_table)}"
        f" WHERE {where}"
    )
    when = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [when, reason, kind, user.pk if user else None, *params])


@transaction.atomic
def proposal_confirm(
    *,
    user: User | None,
    proposal: Proposal,
    expected_version: int,
    progress: Progress | None = None,
) -> int:
    """Make the proposal the program's split: every client's account manager follows it, and
    every change of account manager is recorded (from whom, to whom, why, by whom, when).

    Returns how many clients changed hands.
    """
    _require_head(user)
    locked = _bump(proposal, expected_version)
    problems = confirm_problems(locked)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    lines = list(
        locked.lines.values_list(
            "client_id", "organization_id", "member__user_id", "rule", "reason"
        ).order_by("id")
    )
    # The program's own record first: who holds each client now.
    holders: dict[int, list[int]] = {}
    for client_id, _org, user_id, _rule, _reason in lines:
        holders.setdefault(user_id, []).append(client_id)
    for user_id, client_ids in holders.items():
        for start in range(0, len(client_ids), 900):
            ProgramClient.objects.filter(pk__in=client_ids[start : start + 900]).exclude(
                assigned_to_id=user_id
            ).update(assigned_to_id=user_id, version=F("version") + 1)
    # Then the cards: only the organizations whose account manager changes. Plain updates by
    # new account manager and one INSERT … SELECT for their history rows: model instances
    # would cost seconds per ten thousand cards.
    target = {org: (uid, rule, reason) for _c, org, uid, rule, reason in lines}
    org_ids = list(target)
    current: dict[int, int | None] = {}
    for start in range(0, len(org_ids), CHUNK):
        current.update(
            Organization.objects.filter(pk__in=org_ids[start : start + CHUNK]).values_list(
                "pk", "account_manager_id"
            )
        )
    changing = [oid for oid in org_ids if oid in current and current[oid] != target[oid][0]]
    by_user: dict[int, list[int]] = {}
    for oid in changing:
        by_user.setdefault(target[oid][0], []).append(oid)
    for to_user, ids in by_user.items():
        for start in range(0, len(ids), CHUNK):
            Organization.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                account_manager_id=to_user, version=F("version") + 1
            )
    change_reason = str(_("VIP program split confirmed"))
    labels = {rule.value: str(rule.label) for rule in Rule}  # once, in the user's language
    user_id = user.pk if user is not None else None
    when = connection.ops.adapt_datetimefield_value(now)
    columns = (
        "organization_id",
        "program_id",
        "proposal_id",
        "from_user_id",
        "to_user_id",
        "rule",
        "reason",
        "by_id",
        "at",
    )
    for start in range(0, len(changing), CHUNK):
        chunk = changing[start : start + CHUNK]
        _history_copy(Organization, chunk, user=user, reason=change_reason, at=now)
        moves = []
        for oid in chunk:
            to_user, rule, reason = target[oid]
            words = (
                _("Override: %(reason)s") % {"reason": reason}
                if rule == Rule.OVERRIDE
                else labels.get(rule, rule)
            )
            moves.append(
                (
                    oid,
                    locked.program_id,
                    locked.pk,
                    current[oid],
                    to_user,
                    rule,
                    words,
                    user_id,
                    when,
                )
            )
        _insert_rows(Reassignment._meta.db_table, columns, moves)
        if progress:
            progress(start + len(chunk), len(changing))
    changed = len(changing)
    Proposal.objects.filter(pk=locked.pk).update(
        status=Proposal.Status.CONFIRMED, confirmed_by=user, confirmed_at=now
    )
    # The drafts this one replaced were never in force: each keeps who proposed it and when,
    # but not its lines (a re-proposal of 100,000 clients would otherwise leave 100,000 rows).
    ProposalLine.objects.filter(
        proposal__program_id=locked.program_id, proposal__status=Proposal.Status.SUPERSEDED
    ).delete()  # one DELETE: the lines have no dependents and no signals
    return changed


@transaction.atomic
def client_reassign(
    *,
    user: User | None,
    client: ProgramClient,
    to_user: User,
    reason: str,
    expected_version: int,
    override: bool = False,
) -> ProgramClient:
    """The head gives one program client to another member outside a proposal (a member left,
    the client asked for it). A reason is always recorded; handing a guarded client back to
    its owner needs `override` as well."""
    _require_head(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the client changes hands.")})
    _require_open(Program.objects.get(pk=client.program_id))
    member = Member.objects.filter(program=client.program_id, user=to_user, is_active=True).first()
    if member is None:
        raise ValidationError({"to_user": _("Choose a member of the program who takes clients.")})
    organization = Organization.objects.select_for_update().get(pk=client.organization_id)
    if client.owner_guards and organization.owner_id == to_user.pk and not override:
        raise ValidationError(
            {
                "override": _(
                    "%(name)s guards this client from colleagues; giving it back needs an "
                    "explicit override."
                )
                % {"name": to_user}
            }
        )
    updated = _update(
        client, user=user, data={"assigned_to": to_user}, expected_version=expected_version
    )
    if organization.account_manager_id != to_user.pk:
        Reassignment.objects.create(
            organization=organization,
            program_id=client.program_id,
            from_user_id=organization.account_manager_id,
            to_user=to_user,
            rule=Rule.OVERRIDE if override else Rule.MOVED,
            reason=reason,
            by=user,
            at=timezone.now(),
        )
        organization.account_manager = to_user
        organization.version += 1
        _stamp(organization, user)
        organization.save(update_fields=["account_manager", "version", "updated_at"])
    return updated


# --- Goals --------------------------------------------------------------------------------------


@transaction.atomic
def goal_set(
    *,
    user: User | None,
    program: Program,
    code: str,
    target: int | None,
    achieved: int | None = None,
) -> Goal:
    """The target of a goal, and the achieved figure of a goal nothing measures yet."""
    from kamrad.program import selectors

    _require_head(user)
    if code not in Goal.Code.values:
        raise ValidationError({"code": _("Unknown goal.")})
    if target is not None and target < 0:
        raise ValidationError({"target": _("A target cannot be negative.")})
    if achieved is not None and achieved < 0:
        raise ValidationError({"achieved": _("An achieved figure cannot be negative.")})
    goal, _created = Goal.objects.select_for_update().get_or_create(program=program, code=code)
    goal.target = target
    if code in selectors.ENTERED_GOALS:
        goal.achieved = achieved
    elif achieved is not None:
        raise ValidationError({"achieved": _("This figure is measured from the data.")})
    _stamp(goal, user)
    goal.save()
    return goal


def today() -> datetime.date:
    return timezone.localdate()
