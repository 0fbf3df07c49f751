"""The access matrix: every route × every role × the methods that matter, built from the URLs.

Nothing here lists routes by hand. The walk in `tests/urlwalk.py` finds every route with the
decision it declares (`@policy(read=..., write=...)` on a page, `access_policy` on an API view);
the expected answer follows from that decision and from whether the URL names an object that
belongs to a client — here always bob's client — or an account manager's own list (bob's
worklist), so alice, another account manager, must get a 404 as if it did not exist.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import resolve
from django.utils import timezone

from kamrad.clients import services
from kamrad.clients.models import (
    ContactPoint,
    DecisionRole,
    Industry,
    Organization,
    Region,
)
from kamrad.imports.models import ImportJob
from kamrad.meetings import services as meeting_services
from kamrad.meetings.models import MeetingOutcome
from kamrad.program import services as program_services
from kamrad.program.models import Program, Reassignment
from kamrad.pyramid.models import ClientValue
from kamrad.pyramid.services import pyramid_recompute
from kamrad.qualification import defaults as qualification_defaults
from kamrad.qualification import services as qualification
from kamrad.qualification.models import AttractionStage, CandidateDecision, Criterion
from kamrad.questionnaires import defaults as questionnaire_defaults
from kamrad.questionnaires.models import QualityCheck, Template
from kamrad.reminders import services as reminder_services
from kamrad.users.access import SAFE_METHODS, allows, rule_for_method
from kamrad.users.models import Role, User
from kamrad.value import services as value_services
from kamrad.value.models import AccountMonth, Claim, Payment, Sale, ServiceCost
from tests.urlwalk import (
    MODEL_KEYS,
    Route,
    UnknownParameter,
    names_anothers_object,
    object_keys,
    undecided_routes,
    walk_routes,
)

ROLES = ("anonymous", "head", "alice", "bob", "viewer", "admin")
ROLE_OF = {
    "head": Role.HEAD,
    "alice": Role.MANAGER,
    "bob": Role.MANAGER,
    "viewer": Role.VIEWER,
    "admin": Role.ADMIN,
}

ROUTES = walk_routes()
# A format-suffixed twin (`/api/organizations/1.json`) runs the same view with the same
# decision as its plain route; testing both would double the time and prove nothing more.
MATRIX_ROUTES = [r for r in ROUTES if r.policy is not None and not r.is_format_suffix]
CASES = [
    pytest.param(route, role, method, id=f"{route.display} {role} {method}")
    for route in MATRIX_ROUTES
    for role in ROLES
    for method in route.methods_to_try()
]


def make_staff(username: str, role: str) -> User:
    # These people never type a password (the matrix signs them in directly), and skipping
    # the argon2 hash keeps the setup fast.
    user = User(username=username, role=role, is_staff=role == Role.ADMIN)
    user.set_unusable_password()
    user.save()
    return user


def build_world(users: dict[str, User]) -> dict[str, object]:
    """Bob's client with one of everything that hangs off it, a product and reference data,
    and a running VIP program with bob's client on its list."""
    bob = users["bob"]
    qualification_defaults.install_current()  # gone if a transactional test ran before
    questionnaire_defaults.install()
    organization = services.organization_create(
        user=bob, data={"name": "Acme Widgets Ltd", "tax_number": "7702000002"}
    )
    contact = services.contact_create(
        user=bob,
        organization=organization,
        data={"full_name": "Ivan Petrov", "position": "Director"},
        roles=[DecisionRole.Role.DECIDES],
        phones=["+7 495 123-45-67"],
    )
    return {
        "organization": organization,
        "contact": contact,
        "decision_role": contact.decision_roles.get(),
        "contact_point": services.contact_point_add(
            user=bob, organization=organization, kind=ContactPoint.Kind.EMAIL, value="a@acme.test"
        ),
        "bank_account": services.bank_account_add(
            user=bob,
            organization=organization,
            data={"bank_name": "Sberbank", "account_number": "40702810000000000001"},
        ),
        "event": services.event_create(
            user=bob,
            organization=organization,
            data={"title": "New director", "date": datetime.date(2024, 5, 1)},
        ),
        "relationship": services.relationship_create(
            user=bob, data={"staff": bob, "contact": contact, "warmth": 4}
        ),
        "dossier_entry": services.dossier_add(
            user=bob,
            data={
                "organization": organization,
                "date": datetime.date(2024, 5, 2),
                "text": "Plans to open two branches.",
            },
        ),
        "product": services.product_create(user=bob, data={"name": "Fibre 1 Gbit/s"}),
        "industry": Industry.objects.create(name="Telecommunications"),
        "region": Region.objects.create(name="Moscow"),
        **work_history(bob, organization),
        "client_value": _pyramid_of(organization),
        "criterion": Criterion.objects.get(code="monopoly"),
        "judged_mark": qualification.judged_mark_set(
            user=bob,
            organization=organization,
            criterion=Criterion.objects.get(code="monopoly"),
            met=True,
            note="The only quarry in the region",
            expected_version=0,
        ),
        "candidate_decision": CandidateDecision.objects.create(
            organization=organization, outcome=CandidateDecision.Outcome.DECLINED
        ),
        "attraction_stage": qualification.attraction_stage_set(
            user=bob,
            organization=organization,
            stage=AttractionStage.Stage.ASSESS,
            done_on=datetime.date(2024, 5, 3),
            expected_version=0,
        ),
        "import_job": ImportJob.objects.create(
            kind="sales", file_name="sales.csv", stored_as="missing.csv", header=["ИНН", "Сумма"]
        ),
        **vip_program(users, organization),
        **meetings_of(bob, organization, contact),
    }


def questionnaire_parts(bob: User) -> dict[str, object]:
    """The default questionnaire, one of its sections, questions and versions, and a quality
    check of a service: everyone's, edited by the head."""
    template = Template.objects.filter(is_default=True).first()
    section = template.sections.first()
    service = services.product_create(user=bob, data={"name": "Internet 100", "is_ours": True})
    return {
        "questionnaire": template,
        "questionnaire_section": section,
        "question": section.questions.first(),
        "questionnaire_version": template.versions.first(),
        "quality_check": QualityCheck.objects.create(
            product=service, text="Speed", kind=QualityCheck.Kind.AT_LEAST, promised="100"
        ),
    }


def meetings_of(bob: User, organization: Organization, contact: object) -> dict[str, object]:
    """A meeting with bob's client, and the work item and opportunity it left."""
    meeting = meeting_services.meeting_plan(
        user=bob,
        organization=organization,
        data={
            "starts_at": datetime.datetime(2024, 5, 6, 10, tzinfo=datetime.UTC),
            "their_people": [contact],
        },
    )
    return {
        **questionnaire_parts(bob),
        "meeting": meeting,
        "meeting_outcome": MeetingOutcome.objects.create(
            meeting=meeting, kind=MeetingOutcome.Kind.NOTE, summary="Proud of the new plant"
        ),
        "work_item": meeting_services.work_item_create(
            user=bob, organization=organization, data={"title": "Speed 40 of 100 Mbit/s"}
        ),
        "opportunity": meeting_services.opportunity_create(
            user=bob,
            organization=organization,
            data={"kind": "new_product", "product_name": "Cloud PBX"},
        ),
    }


def vip_program(users: dict[str, User], organization: Organization) -> dict[str, object]:
    """A running program headed by the head, alice and bob on its staff, bob's client on its
    list with a draft proposal's line and a recorded reassignment; bob himself (his worklist)."""
    head, bob = users["head"], users["bob"]
    program = program_services.program_create(
        user=head,
        data={
            "name": "VIP 2024",
            "starts_on": datetime.date(2024, 1, 8),
            "ends_on": datetime.date(2024, 6, 30),
            "head": head,
            "status": Program.Status.RUNNING,
        },
    )
    program_services.member_add(user=head, program=program, data={"user": users["alice"]})
    member = program_services.member_add(user=head, program=program, data={"user": bob})
    program_services.clients_add(user=head, program=program, organizations=[organization])
    proposal = program_services.proposal_create(user=head, program=program)
    reassignment = Reassignment.objects.create(
        organization=organization,
        program=program,
        to_user=bob,
        reason="Brought the client",
        by=head,
        at=timezone.now(),
    )
    return {
        "program": program,
        "member": member,
        "program_client": program.clients.get(organization=organization),
        "proposal": proposal,
        "proposal_line": proposal.lines.get(organization=organization),
        "reassignment": reassignment,
        "staff_user": bob,
        # A personal calendar feed (public by its secret): its URL names the token.
        "feed_token": SimpleNamespace(pk=reminder_services.feed_create(user=bob)),
    }


def work_history(user: User, organization: object) -> dict[str, object]:
    """One record of every work-history kind for the organization, and an exchange rate."""
    day = datetime.date(2024, 5, 3)
    rate, _changed = value_services.rate_set(user=None, currency="USD", date=day, rate="90")
    create = value_services.record_create
    return {
        "exchange_rate": rate,
        "sale": create(
            Sale,
            user=user,
            organization=organization,
            data={"date": day, "currency": "USD", "amount": "100", "product_line": "Internet"},
        ),
        "payment": create(
            Payment,
            user=user,
            organization=organization,
            data={"due_date": day, "currency": "RUB", "amount": "9000"},
        ),
        "claim": create(
            Claim, user=user, organization=organization, data={"date": day, "subject": "Outage"}
        ),
        "service_cost": create(
            ServiceCost,
            user=user,
            organization=organization,
            data={"date": day, "currency": "RUB", "amount": "500", "description": "Visit"},
        ),
        "account_month": create(
            AccountMonth,
            user=user,
            organization=organization,
            data={"month": day, "currency": "RUB", "turnover": "1000000"},
        ),
    }


def _pyramid_of(organization: Organization) -> ClientValue:
    """Bob's client in the pyramid: its value row (and a tier move), by a recompute."""
    pyramid_recompute(user=None)
    return ClientValue.objects.get(organization=organization)


@dataclass(frozen=True)
class World:
    users: dict[str, User]
    sessions: dict[str, str]  # role → session key, signed in once for all cases
    objects: dict[str, object]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the whole matrix inside a transaction that is rolled back at the end.

    Building it for each of several hundred cases took most of the suite's time. Each case is
    a `django_db` test whose own transaction nests inside this one as a savepoint and is
    rolled back, so no case sees another's writes (pytest-django keeps the connection open
    between tests for exactly this use).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        users = {role: make_staff(role, ROLE_OF[role]) for role in ROLE_OF}
        sessions = {}
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield World(users=users, sessions=sessions, objects=build_world(users))
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def one_client() -> Client:
    # A new Client loads the middleware again, and WhiteNoise then re-scans every static file
    # (~0.1 s); one handler for all cases, with its cookies cleared before each.
    return Client()


def url_for(route: Route, world: dict[str, object]) -> str:
    values = {param: world[key].pk for param, key in object_keys(route, MODEL_KEYS).items()}
    if "format" in route.params:
        values["format"] = "json"
    return route.template % values


@dataclass(frozen=True)
class Expected:
    """What a response must be: one of `statuses`, or — when None — served (not refused)."""

    statuses: frozenset[int] | None = None
    to_login: bool = False

    def describe(self) -> str:
        if self.to_login:
            return "a redirect to the sign-in page"
        if self.statuses is None:
            return "served (not 401/403/404, no sign-in redirect, no 500)"
        return " or ".join(str(s) for s in sorted(self.statuses))

    def met_by(self, status: int, location: str) -> bool:
        # A refusal sends to the sign-in page with `next`; signing out goes there without it.
        login = f"{resolve_url(settings.LOGIN_URL)}?next="
        if self.to_login:
            return status == 302 and location.startswith(login)
        if self.statuses is not None:
            return status in self.statuses
        redirected_to_login = 300 <= status < 400 and location.startswith(login)
        return status < 500 and status not in {401, 403, 404} and not redirected_to_login


def expected(route: Route, role: str, method: str, user: User | None) -> Expected:
    """Derive the answer from the route's declared policy and what its URL names."""
    assert route.policy is not None
    read, write = route.policy
    rule = rule_for_method(read, write, method)
    supported = route.supported_methods()
    # A method the view does not handle at all may be refused with 405 instead: it changes
    # nothing and reveals nothing about the object.
    unsupported = {405} if supported is not None and method not in supported else set()
    if user is None:
        if allows(rule, None):
            return Expected()
        if route.sends_strangers_to_sign_in:
            return Expected(to_login=True)
        return Expected(frozenset({401, 403}))
    if not allows(rule, user):
        return Expected(frozenset({403} | unsupported))
    if role == "alice" and names_anothers_object(route, MODEL_KEYS):
        # A function view cannot tell which methods it handles; 405 leaks nothing either.
        maybe_405 = unsupported if supported is not None else {405}
        return Expected(frozenset({404} | maybe_405))
    return Expected()


def send(client: Client, route: Route, method: str, url: str) -> tuple[int, str]:
    if method in SAFE_METHODS:
        response = client.generic(method, url)
    elif route.is_api:
        response = client.generic(method, url, json.dumps({}), content_type="application/json")
    else:
        response = client.post(url, {}) if method == "POST" else client.generic(method, url)
    return response.status_code, response.headers.get("Location", "")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role", "method"), CASES)
def test_each_role_gets_the_answer_the_route_policy_declares(
    world: World, one_client: Client, route: Route, role: str, method: str
) -> None:
    client = one_client
    client.cookies.clear()
    user = world.users.get(role)
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]

    url = url_for(route, world.objects)
    status, location = send(client, route, method, url)

    want = expected(route, role, method, user)
    assert want.met_by(status, location), (
        f"{method} {url} as {role}: got {status} {location}, expected {want.describe()}"
    )


# --- The walk itself --------------------------------------------------------------------


def test_every_route_declares_who_may_use_it() -> None:
    assert undecided_routes() == [], "routes without @policy / access_policy"


def test_the_walk_reports_a_route_added_without_a_decision() -> None:
    with override_settings(ROOT_URLCONF="tests.undecided_urls"):
        undecided = undecided_routes()
    assert any("/undecided-page/" in entry for entry in undecided), undecided
    assert any("/undecided-api/" in entry for entry in undecided), undecided
    # The real routes the fake configuration includes still carry their decisions.
    assert not any(entry.startswith("/clients/") for entry in undecided), undecided


def test_the_walk_sees_pages_and_api_and_skips_the_admin() -> None:
    names = {route.name for route in ROUTES}
    assert {"login", "clients:list", "clients:card", "api-schema"} <= names
    assert not any(route.template.startswith("/admin/") for route in ROUTES)
    assert any(route.is_api for route in ROUTES)
    assert any(not route.is_api for route in ROUTES)


def test_it_knows_what_every_url_parameter_names() -> None:
    unknown = []
    for route in ROUTES:
        try:
            object_keys(route, MODEL_KEYS)
        except UnknownParameter as error:
            unknown.append(str(error))
    assert unknown == []


def test_every_built_url_leads_back_to_its_own_view() -> None:
    world = {key: _Fake(pk=7) for key in set(MODEL_KEYS.values())}
    for route in ROUTES:
        match = resolve(url_for(route, world))
        assert match.func is route.callback, route.display


@dataclass(frozen=True)
class _Fake:
    pk: int
