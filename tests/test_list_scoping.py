"""Nothing of another account manager's appears in any list or search an account manager sees.

The access matrix proves that bob's card answers alice with a 404; this file proves the lists
agree. alice and bob each own clients with people, phones and e-mails, decision roles,
who-knows-whom, events, dossier entries and bank accounts. Every page alice can open and every
API collection, with every search, filter, sort and page they accept, must show none of bob's
names, numbers, texts, links or ids — while the program head and the viewer, who see every
client, do find bob's objects in the same lists (so an over-eager filter fails too).

The routes and their parameters come from the URL configuration, the list form and the API
schema, so a list added tomorrow is checked tomorrow (or fails loudly when a parameter is new).
"""

from __future__ import annotations

import datetime
import functools
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, quote_plus

import openpyxl
import pytest
from django import forms as django_forms
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from drf_spectacular.generators import SchemaGenerator
from pypdf import PdfReader

from conftest import make_user
from kamrad.api import services as api_services
from kamrad.clients import forms, services
from kamrad.clients.models import (
    ContactPoint,
    DecisionRole,
    Event,
    Industry,
    Organization,
    Region,
)
from kamrad.meetings import services as meeting_services
from kamrad.meetings.models import MeetingOutcome
from kamrad.program import services as program_services
from kamrad.program.models import Program, ProgramClient, Reassignment
from kamrad.pyramid.services import pyramid_recompute
from kamrad.qualification import defaults as qualification_defaults
from kamrad.qualification import services as qualification
from kamrad.qualification.models import AttractionStage, CandidateDecision, Criterion
from kamrad.questionnaires import defaults as questionnaire_defaults
from kamrad.questionnaires.models import QualityCheck, Template
from kamrad.reminders import services as reminder_services
from kamrad.users.access import allows
from kamrad.users.models import Role, User
from kamrad.value import services as value_services
from kamrad.value.models import AccountMonth, Claim, Payment, Sale, ServiceCost
from tests.urlwalk import (
    _COLLECTIONS,
    MODEL_KEYS,
    ORGANIZATION_SCOPED,
    PERSONAL,
    Route,
    object_keys,
    walk_routes,
)

ROUTES = walk_routes()
PAGE_ROUTES = [
    r for r in ROUTES if r.policy is not None and not r.is_api and not r.is_format_suffix
]
API_LIST_ROUTES = [
    r
    for r in ROUTES
    if r.is_api and not r.params and "list" in (getattr(r.callback, "actions", None) or {}).values()
]

# Pages that may name bob's organizations (never link to them, never show more of them): the
# duplicate check names similar organizations of anyone; a product is everyone's and names
# its maker.
NAME_ONLY_ROUTES = frozenset(
    {"clients:duplicates", "clients:product_list", "clients:product_card", "clients:product_edit"}
)
# API parameters that name a person on our side rather than a client's object.
STAFF_PARAMETERS = frozenset(
    {"staff", "account_manager", "owner", "author", "manager", "assigned_to"}
)
PAGING_PARAMETERS = frozenset({"limit", "offset", "page", "format"})


# --- The world: alice's and bob's clients, built once -------------------------------------


def _client_world(
    owner: User, *, prefix: str, tax: str, phone: str, region: Region, industry: Industry
) -> dict[str, list[Model]]:
    """One manager's two clients with one of everything that hangs off a client."""
    qualification_defaults.install_current()  # gone if a transactional test ran before
    questionnaire_defaults.install()
    main = services.organization_create(
        user=owner,
        data={
            "name": f"{prefix} Quarry Works",
            "legal_name": f"{prefix} Quarry Works Limited Partnership",
            "tax_number": tax,
            "registration_number": f"10277{tax}",
            "legal_address": f"7 {prefix} Lane, Tver",
            "region": region,
            "industry": industry,
        },
    )
    private = services.organization_create(
        user=owner,
        data={
            "name": f"{prefix} Private Kettles",
            "tax_number": tax[::-1],
            "is_private": True,
            "kind": Organization.Kind.PROSPECT,
        },
    )
    person = services.contact_create(
        user=owner,
        organization=main,
        data={"full_name": f"Ignatius {prefix}son", "position": f"{prefix} chief buyer"},
        roles=[DecisionRole.Role.DECIDES],
        phones=[phone],
        emails=[f"ignatius@{prefix.lower()}.test"],
    )
    other_person = services.contact_create(
        user=owner,
        organization=private,
        data={"full_name": f"Philomena {prefix}dottir"},
        phones=[f"+7 812 {tax[-3:]}-50-60"],
    )
    role = services.decision_role_add(
        user=owner,
        contact=person,
        role=DecisionRole.Role.APPROVES_BUDGET,
        note=f"{prefix} budget sign-off",
    )
    office_phone = services.contact_point_add(
        user=owner, organization=main, kind=ContactPoint.Kind.PHONE, value=f"+7 812 9{tax[-6:]}"
    )
    office_mail = services.contact_point_add(
        user=owner,
        organization=main,
        kind=ContactPoint.Kind.EMAIL,
        value=f"office@{prefix.lower()}.test",
    )
    account = services.bank_account_add(
        user=owner,
        organization=main,
        data={"bank_name": f"{prefix} Savings", "account_number": f"4070281090000{tax[-7:]}"},
    )
    events = [
        services.event_create(
            user=owner,
            organization=main,
            data={"title": f"{prefix} moves to Tver", "date": datetime.date(2024, 5, 1)},
        ),
        services.event_create(
            user=owner,
            organization=main,
            data={
                "title": f"{prefix} buyer's birthday",
                "kind": Event.Kind.BIRTHDAY,
                "date": datetime.date(1980, 3, 4),
                "recurs_yearly": True,
                "contact": person,
            },
        ),
    ]
    relationship = services.relationship_create(
        user=owner,
        data={"staff": owner, "contact": person, "warmth": 4, "note": f"Met at the {prefix} gala"},
    )
    dossier = [
        services.dossier_add(
            user=owner,
            data={
                "organization": main,
                "date": datetime.date(2024, 5, 2),
                "text": f"{prefix} plans two branches",
            },
        ),
        services.dossier_add(
            user=owner,
            data={
                "contact": person,
                "date": datetime.date(2024, 5, 3),
                "text": f"{prefix} buyer collects stamps",
            },
        ),
    ]
    day = datetime.date(2024, 5, 4)
    create = value_services.record_create
    history = {
        "sale": [
            create(
                Sale,
                user=owner,
                organization=main,
                data={
                    "date": day,
                    "currency": "RUB",
                    "amount": "100",
                    "description": f"{prefix} gravel",
                },
            )
        ],
        "payment": [
            create(
                Payment,
                user=owner,
                organization=main,
                data={
                    "due_date": day,
                    "currency": "RUB",
                    "amount": "90",
                    "description": f"{prefix} invoice",
                },
            )
        ],
        "claim": [
            create(
                Claim,
                user=owner,
                organization=main,
                data={"date": day, "subject": f"{prefix} dust"},
            )
        ],
        "service_cost": [
            create(
                ServiceCost,
                user=owner,
                organization=main,
                data={
                    "date": day,
                    "currency": "RUB",
                    "amount": "10",
                    "description": f"{prefix} visit",
                },
            )
        ],
        "account_month": [
            create(
                AccountMonth,
                user=owner,
                organization=main,
                data={"month": day, "currency": "RUB", "turnover": "1000"},
            )
        ],
    }
    mark = qualification.judged_mark_set(
        user=owner,
        organization=main,
        criterion=Criterion.objects.get(code="monopoly"),
        met=True,
        note=f"{prefix} owns the only quarry",
        expected_version=0,
    )
    decision = CandidateDecision.objects.create(
        organization=main, outcome=CandidateDecision.Outcome.DECLINED, note=f"{prefix} not yet"
    )
    stage = qualification.attraction_stage_set(
        user=owner,
        organization=private,
        stage=AttractionStage.Stage.ASSESS,
        done_on=datetime.date(2024, 5, 4),
        notes=f"{prefix} looks promising",
        expected_version=0,
    )
    return {
        **history,
        "organization": [main, private],
        "contact": [person, other_person],
        "judged_mark": [mark],
        "candidate_decision": [decision],
        "attraction_stage": [stage],
        "decision_role": [*person.decision_roles.all()],
        "contact_point": [*ContactPoint.objects.filter(organization__in=[main, private])],
        "bank_account": [account],
        "event": events,
        "relationship": [relationship],
        "dossier_entry": dossier,
        # Kept for the parameters of pages that name one: the org's own phone, not a person's.
        "_office_point": [office_phone, office_mail],
        "_role": [role],
        **_meetings_world(owner, main, person, prefix),
    }


def _meetings_world(
    owner: User, main: Organization, person: Model, prefix: str
) -> dict[str, list[Model]]:
    """A meeting with the main client, what it yielded, a work item and an opportunity."""
    meeting = meeting_services.meeting_plan(
        user=owner,
        organization=main,
        data={
            # Soon, so the upcoming list and this month's calendar show it.
            "starts_at": timezone.now() + datetime.timedelta(days=2),
            "place": f"{prefix} head office",
            "their_people": [person],
        },
    )
    outcome = MeetingOutcome.objects.create(
        meeting=meeting,
        kind=MeetingOutcome.Kind.NOTE,
        summary=f"{prefix} is proud of its new crusher",
        contact=person,
    )
    item = meeting_services.work_item_create(
        user=owner,
        organization=main,
        data={
            "title": f"{prefix} link at 60 of 100 Mbit/s",
            "assigned_to": owner,
            "due_on": timezone.localdate() + datetime.timedelta(days=3),
        },
    )
    opportunity = meeting_services.opportunity_create(
        user=owner,
        organization=main,
        data={
            "kind": "new_product",
            "product_name": f"{prefix} backup",
            "owner": owner,
            "next_step_on": timezone.localdate() + datetime.timedelta(days=4),
        },
    )
    for found in (item, opportunity):  # as a recorded meeting would have made them
        found.meeting = meeting
        found.save(update_fields=["meeting"])
    return {
        "meeting": [meeting],
        "meeting_outcome": [outcome],
        "work_item": [item],
        "opportunity": [opportunity],
    }


def _vip_program(
    users: dict[str, User], alice: dict[str, list[Model]], bob: dict[str, list[Model]]
) -> tuple[Program, Model]:
    """A running program with alice and bob on its staff and all their clients on its list,
    each assigned to its manager and marked a little (bob's worked further than alice's), a
    draft proposal over them all, and a recorded reassignment of each one's main client."""
    head = users["head"]
    program = program_services.program_create(
        user=head,
        data={
            "name": "VIP 2024",
            "starts_on": datetime.date(2024, 1, 8),
            "ends_on": datetime.date(2024, 12, 29),
            "head": head,
            "status": Program.Status.RUNNING,
        },
    )
    members = {
        name: program_services.member_add(user=head, program=program, data={"user": users[name]})
        for name in ("alice", "bob")
    }
    for name, objects in (("alice", alice), ("bob", bob)):
        program_services.clients_add(
            user=head, program=program, organizations=objects["organization"]
        )
        entries = []
        for organization in objects["organization"]:
            entry = ProgramClient.objects.get(program=program, organization=organization)
            entry = program_services.client_reassign(
                user=head,
                client=entry,
                to_user=users[name],
                reason=f"{name}'s own client",
                expected_version=entry.version,
            )
            entries.append(entry)
        marks = {"meeting_planned_on": datetime.date(2024, 2, 1)}
        if name == "bob":
            marks["met_on"] = datetime.date(2024, 1, 20)
        program_services.client_record_work(
            user=users[name], client=entries[0], data=marks, expected_version=entries[0].version
        )
        objects["program_client"] = entries
        objects["reassignment"] = [
            Reassignment.objects.create(
                organization=objects["organization"][0],
                program=program,
                to_user=users[name],
                reason=f"Brought by {name}",
                by=head,
                at=timezone.now(),
            )
        ]
    proposal = program_services.proposal_create(user=head, program=program)
    for objects in (alice, bob):
        objects["proposal_line"] = list(
            proposal.lines.filter(organization__in=objects["organization"])
        )
    return program, members["alice"]


def _sentinels(objects: dict[str, list[Model]]) -> dict[str, str]:
    """Every identifying string of one manager's clients, labelled for a failure message."""
    main, private = objects["organization"]
    person, other_person = objects["contact"]
    found: dict[str, str] = {}
    for org in (main, private):
        found[f"name of {org}"] = org.name
        found[f"tax number of {org}"] = org.tax_number
    found["legal name"] = main.legal_name
    found["registration number"] = main.registration_number
    found["legal address"] = main.legal_address
    for contact in (person, other_person):
        found[f"contact {contact.pk}"] = contact.full_name
    found["position"] = person.position
    for point in objects["contact_point"]:
        found[f"{point.kind} {point.pk}"] = point.value
        if point.kind == ContactPoint.Kind.PHONE:
            found[f"digits of {point.kind} {point.pk}"] = "".join(filter(str.isdigit, point.value))
    found["role note"] = objects["_role"][0].note  # type: ignore[attr-defined]
    found["bank account"] = objects["bank_account"][0].account_number  # type: ignore[attr-defined]
    found["bank name"] = objects["bank_account"][0].bank_name  # type: ignore[attr-defined]
    for event in objects["event"]:
        found[f"event {event.pk}"] = event.title  # type: ignore[attr-defined]
    for entry in objects["dossier_entry"]:
        found[f"dossier entry {entry.pk}"] = entry.text  # type: ignore[attr-defined]
    found["relationship note"] = objects["relationship"][0].note  # type: ignore[attr-defined]
    for key, attribute in (
        ("sale", "description"),
        ("payment", "description"),
        ("claim", "subject"),
        ("service_cost", "description"),
    ):
        found[f"{key} text"] = getattr(objects[key][0], attribute)
    found["judgement note"] = objects["judged_mark"][0].note  # type: ignore[attr-defined]
    found["decision note"] = objects["candidate_decision"][0].note  # type: ignore[attr-defined]
    found["stage notes"] = objects["attraction_stage"][0].notes  # type: ignore[attr-defined]
    found["meeting place"] = objects["meeting"][0].place  # type: ignore[attr-defined]
    found["meeting outcome"] = objects["meeting_outcome"][0].summary  # type: ignore[attr-defined]
    found["work item"] = objects["work_item"][0].title  # type: ignore[attr-defined]
    found["opportunity"] = objects["opportunity"][0].product_name  # type: ignore[attr-defined]
    return found


def _card_links(objects: dict[str, list[Model]]) -> dict[str, str]:
    """The page addresses of one manager's records: no page of another may link to them."""
    links = {f"card of {org}": f"/clients/{org.pk}/" for org in objects["organization"]}
    links |= {f"contact {c.pk}": f"/clients/contacts/{c.pk}/" for c in objects["contact"]}
    links |= {f"event {e.pk}": f"/clients/events/{e.pk}/" for e in objects["event"]}
    links |= {
        f"relationship {r.pk}": f"/clients/relationships/{r.pk}/" for r in objects["relationship"]
    }
    return links


@dataclass(frozen=True)
class World:
    users: dict[str, User]
    alice: dict[str, list[Model]]
    bob: dict[str, list[Model]]
    bob_strings: dict[str, str]  # label → text of bob's that alice must never be shown
    bob_links: dict[str, str]
    bob_ids: dict[str, set[int]]  # object key → ids of bob's objects of that kind
    alice_ids: dict[str, set[int]]
    shared: dict[str, Model]
    clients: dict[str, Client]  # "alice-session", "alice-token", "head-session", …

    def bob_names(self) -> set[str]:
        return {org.name for org in self.bob["organization"]}  # type: ignore[attr-defined]


def _ids(objects: dict[str, list[Model]]) -> dict[str, set[int]]:
    return {
        key: {o.pk for o in found} for key, found in objects.items() if key in ORGANIZATION_SCOPED
    }


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module in a transaction rolled back at its end (as the access matrix
    does); every test is a `django_db` test whose own transaction nests inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = {
            "head": make_user("helen", Role.HEAD, first_name="Helen", last_name="Head"),
            "alice": make_user("alice", Role.MANAGER, first_name="Alice", last_name="Adams"),
            "bob": make_user("bob", Role.MANAGER, first_name="Bob", last_name="Brown"),
            "viewer": make_user("victor", Role.VIEWER, first_name="Victor", last_name="Viewer"),
        }
        region = Region.objects.create(name="Tver region")
        industry = Industry.objects.create(name="Quarrying")
        # The same region, industry and a shared word ("Quarry") and phone prefix (+7 495) on
        # both sides, so every filter and search has something of each manager to find.
        alice = _client_world(
            users["alice"],
            prefix="Amberly",
            tax="7701555001",
            phone="+7 495 111-22-33",
            region=region,
            industry=industry,
        )
        bob = _client_world(
            users["bob"],
            prefix="Zebulon",
            tax="7702987654",
            phone="+7 495 318-27-46",
            region=region,
            industry=industry,
        )
        bobs_product = services.product_create(
            user=users["bob"],
            data={"name": "Gravel Crusher 9000", "is_ours": False, "maker": bob["organization"][0]},
        )
        alices_product = services.product_create(
            user=users["alice"], data={"name": "Amber Beacon", "maker": alice["organization"][0]}
        )
        usd, _changed = value_services.rate_set(
            user=None, currency="USD", date=datetime.date(2024, 1, 1), rate="90"
        )
        product_note = services.dossier_add(
            user=users["bob"],
            data={"product": bobs_product, "date": datetime.date(2024, 6, 1), "text": "Loud"},
        )
        program, alices_member = _vip_program(users, alice, bob)
        # Every client in the pyramid, so its lists have alice's and bob's rows to show.
        pyramid_recompute(user=None)
        clients = {}
        for role in ("alice", "head", "viewer"):
            session = Client()
            session.force_login(users[role])
            clients[f"{role}-session"] = session
            token = api_services.token_issue(user=users[role]).key
            clients[f"{role}-token"] = Client(headers={"Authorization": f"Token {token}"})
        yield World(
            users=users,
            alice=alice,
            bob=bob,
            bob_strings=_sentinels(bob),
            bob_links=_card_links(bob),
            bob_ids=_ids(bob),
            alice_ids=_ids(alice),
            shared={
                "product": bobs_product,
                "alices_product": alices_product,
                "product_note": product_note,
                "region": region,
                "industry": industry,
                "exchange_rate": usd,
                "program": program,
                "member": alices_member,
                "proposal": program.proposals.get(),
                "questionnaire": (template := Template.objects.filter(is_default=True).first()),
                "questionnaire_section": template.sections.first(),
                "question": template.sections.first().questions.first(),
                "questionnaire_version": template.versions.first(),
                "quality_check": QualityCheck.objects.create(
                    product=alices_product, text="Speed", kind="at_least", promised="100"
                ),
                "feed_token": SimpleNamespace(
                    pk=reminder_services.feed_create(user=users["alice"])
                ),
            },
            clients=clients,
        )
        transaction.set_rollback(True)


# --- What alice must not see ---------------------------------------------------------------


def _without_echo(body: str, params: dict[str, Any]) -> str:
    """The page without the search words alice typed herself (the search box shows them back,
    the pager links carry them); anything else of bob's left in it is a leak."""
    for value in params.values():
        text = str(value)
        body = body.replace(f'value="{escape(text)}"', 'value=""')
        for encoded in {quote_plus(text), quote(text, safe="/"), quote(text, safe="")}:
            body = body.replace(f"={encoded}", "=")
    return body


def leaks_in_page(world: World, body: str, *, names_allowed: bool = False) -> list[str]:
    """Bob's strings and links found in a page alice was shown."""
    allowed = world.bob_names() if names_allowed else set()
    found = [
        f"{label}: {text!r}"
        for label, text in world.bob_strings.items()
        if text not in allowed and text in body
    ]
    found += [f"link to {label}: {link}" for label, link in world.bob_links.items() if link in body]
    return found


def leaks_in_items(world: World, key: str, items: list[dict[str, Any]]) -> list[str]:
    """Bob's objects (by id, or by a reference to bob's client or person) and strings in API
    results of the collection of `key` objects."""
    found = []
    for item in items:
        if item.get("id") in world.bob_ids.get(key, set()):
            found.append(f"bob's {key} {item['id']}")
        # A product is everyone's and refers to its maker by id only (opening it is a 404);
        # every other reference to a client or a person must be to one of alice's.
        for field, ref in (("organization", "organization"), ("contact", "contact")):
            if item.get(field) in world.bob_ids[ref]:
                found.append(f"{key} {item.get('id')} refers to bob's {ref} {item[field]}")
    text = json.dumps(items, ensure_ascii=False)
    found += [f"{label}: {s!r}" for label, s in world.bob_strings.items() if s in text]
    return found


def _bob_queries(world: World) -> list[tuple[str, Organization]]:
    """Search words that find one of bob's clients: names, numbers, people, phones, e-mails."""
    main, private = world.bob["organization"]
    person, other_person = world.bob["contact"]
    phone = next(
        p
        for p in world.bob["contact_point"]
        if p.contact_id == person.pk and p.kind == ContactPoint.Kind.PHONE  # type: ignore[attr-defined]
    )
    email = next(p for p in world.bob["contact_point"] if p.kind == ContactPoint.Kind.EMAIL)
    digits = "".join(filter(str.isdigit, phone.value))  # type: ignore[attr-defined]
    return [
        (main.name, main),  # type: ignore[list-item]
        ("Zebulon", main),  # type: ignore[list-item]
        (main.legal_name, main),  # type: ignore[attr-defined, list-item]
        (main.tax_number, main),  # type: ignore[attr-defined, list-item]
        (main.registration_number, main),  # type: ignore[attr-defined, list-item]
        (person.full_name, main),  # type: ignore[attr-defined, list-item]
        (phone.value, main),  # type: ignore[attr-defined, list-item]
        (digits[-7:], main),  # type: ignore[list-item]
        (email.value, main),  # type: ignore[attr-defined, list-item]
        (private.name, private),  # type: ignore[attr-defined, list-item]
        (private.tax_number, private),  # type: ignore[attr-defined, list-item]
        (other_person.full_name, private),  # type: ignore[attr-defined, list-item]
    ]


def _fill(route: Route, world: World) -> str:
    """The route's URL with alice's own objects (and the shared product) as its parameters."""
    values = {}
    for param, key in object_keys(route, MODEL_KEYS).items():
        if key in ORGANIZATION_SCOPED:
            values[param] = world.alice[key][0].pk
        elif key in PERSONAL:
            values[param] = world.users["alice"].pk
        elif key == "product":
            values[param] = world.shared["product"].pk
        else:
            values[param] = world.shared[key].pk
    return route.template % values


def _text_of(response: Any) -> str:
    """A response's text; a spreadsheet export's is its cells' text."""
    if response.headers.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    if response.headers.get("Content-Type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return response.content.decode()


# --- Every page alice can open ------------------------------------------------------------

MANAGER_PAGES = [
    r
    for r in PAGE_ROUTES
    if allows(r.policy[0], User(role=Role.MANAGER))  # type: ignore[index]
]


@pytest.mark.django_db
@pytest.mark.parametrize("route", MANAGER_PAGES, ids=lambda r: r.display)
def test_no_page_alice_opens_shows_bobs_clients_whatever_she_asks(
    world: World, route: Route
) -> None:
    """Every page a manager may read, filled with alice's own objects, asked for bob's things
    by every search and reference parameter a page could take."""
    client = world.clients["alice-session"]
    url = _fill(route, world)
    bob_main = world.bob["organization"][0]
    bags: list[dict[str, Any]] = [{}]
    bags += [{"q": q, "name": q, "tax_number": q} for q, _org in _bob_queries(world)]
    bags.append(
        {
            "organization": bob_main.pk,
            "contact": world.bob["contact"][0].pk,
            "maker": bob_main.pk,
            "manager": world.users["bob"].pk,
            "offset": 0,
            "page": 1,
        }
    )
    names_allowed = route.name in NAME_ONLY_ROUTES
    for params in bags:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, params, headers=headers)
            assert response.status_code < 500, f"{url} {params}: {response.status_code}"
            body = _without_echo(_text_of(response), params)
            assert leaks_in_page(world, body, names_allowed=names_allowed) == [], (
                f"GET {url} {params} {headers} as alice shows bob's data"
            )


# --- The organization list: every filter, sort and page -------------------------------------


def _filter_variants(world: World) -> list[dict[str, str]]:
    """One request per value of every filter the list form offers (the head's form: all of
    them), so a filter added to the form is tried without changing this test."""
    form = forms.OrganizationFilterForm(user=world.users["head"])
    variants: list[dict[str, str]] = [{}]
    for name, field in form.fields.items():
        if name == "q":
            continue  # searched in its own test
        if isinstance(field, django_forms.ModelChoiceField):
            values = [str(obj.pk) for obj in field.queryset]
        elif isinstance(field, django_forms.ChoiceField):
            values = [str(value) for value, _label in field.choices if value != ""]
        else:
            raise AssertionError(f"list filter {name!r} ({type(field).__name__}): teach me it")
        assert values, f"list filter {name!r} offers nothing to try"
        variants += [{name: value} for value in values]
    return variants


def _list_all_pages(
    client: Client, params: dict[str, str], *, htmx: bool = False
) -> tuple[set[int], list[str], list[int]]:
    """Walk the list page by page: the organizations shown, the bodies, the counts shown."""
    shown: set[int] = set()
    bodies, counts = [], []
    headers = {"HX-Request": "true"} if htmx else {}
    for number in range(1, 20):
        response = client.get("/clients/", {**params, "page": number}, headers=headers)
        assert response.status_code == 200, (params, number, response.status_code)
        page = response.context["page"]
        shown |= {org.pk for org in page.organizations}
        bodies.append(_without_echo(response.content.decode(), params))
        counts.append(page.count)
        if not page.has_next:
            # One past the end must be empty, not someone else's rows.
            after = client.get("/clients/", {**params, "page": number + 1}, headers=headers)
            assert [o.pk for o in after.context["page"].organizations] == []
            return shown, bodies, counts
    raise AssertionError(f"the list never ends: {params}")


@pytest.mark.django_db
def test_the_organization_list_shows_alice_only_hers_under_every_filter_sort_and_page(
    world: World, settings: Any
) -> None:
    settings.KAMRAD_PAGE_SIZE = 1  # every organization on a page of its own
    alices = world.alice_ids["organization"]
    bobs = world.bob_ids["organization"]
    seen_by = {"head": set(), "viewer": set()}
    for params in _filter_variants(world):
        mine, bodies, counts = _list_all_pages(world.clients["alice-session"], params)
        everyone, _bodies, _counts = _list_all_pages(world.clients["head-session"], params)
        viewed, _bodies, _counts = _list_all_pages(world.clients["viewer-session"], params)
        seen_by["head"] |= everyone
        seen_by["viewer"] |= viewed
        assert not mine & bobs, f"alice's list {params} shows bob's organizations"
        assert set(counts) == {len(mine)}, f"alice's count {params} counts others: {counts}"
        for body in bodies:
            assert leaks_in_page(world, body) == [], f"alice's list {params}"
        if "manager" not in params:  # alice has no manager filter: it is ignored for her
            assert mine == everyone & alices, f"alice's list {params} lacks her own"
        assert viewed == everyone, f"the viewer's list {params} differs from the head's"
    assert seen_by["head"] >= alices | bobs
    assert seen_by["viewer"] >= alices | bobs


@pytest.mark.django_db
def test_searching_the_list_for_bobs_client_finds_nothing_for_alice_and_it_for_the_head(
    world: World,
) -> None:
    for query, org in _bob_queries(world):
        assert query, "an empty search finds everything: not a search for bob's client"
        for htmx in (False, True):
            params = {"q": query}
            mine, bodies, _counts = _list_all_pages(
                world.clients["alice-session"], params, htmx=htmx
            )
            assert mine == set(), f"alice searching {query!r} finds {mine}"
            for body in bodies:
                assert leaks_in_page(world, body) == [], f"alice searching {query!r}"
        for role in ("head", "viewer"):
            found, _bodies, _counts = _list_all_pages(world.clients[f"{role}-session"], params)
            assert org.pk in found, f"the {role} searching {query!r} does not find {org}"
    # A word and a phone prefix both managers' clients share: alice finds only hers.
    for query in ("Quarry", "+7 495"):
        mine, _bodies, _counts = _list_all_pages(world.clients["alice-session"], {"q": query})
        everyone, _bodies, _counts = _list_all_pages(world.clients["head-session"], {"q": query})
        assert mine and mine <= world.alice_ids["organization"], query
        assert everyone & world.bob_ids["organization"], query


# --- The duplicate check, the history, the products ----------------------------------------


@pytest.mark.django_db
def test_the_duplicate_check_names_bobs_client_without_a_link_or_any_detail(world: World) -> None:
    main = world.bob["organization"][0]
    card = f"/clients/{main.pk}/"
    for params in ({"name": main.name}, {"name": "", "tax_number": main.tax_number}):
        mine = world.clients["alice-session"].get("/clients/similar/", params)
        body = mine.content.decode()
        assert main.name in body, params  # the point of the check: it is already there
        assert leaks_in_page(world, body, names_allowed=True) == [], params
        heads = world.clients["head-session"].get("/clients/similar/", params)
        assert card in heads.content.decode(), params


@pytest.mark.django_db
def test_the_duplicate_check_tells_alice_nothing_about_bobs_clients_people_or_phones(
    world: World,
) -> None:
    """Typed into the name box, a person's name, a phone, an e-mail or the registration number
    of bob's client must not answer with that client's name: that would tell alice who works
    there or whose phone it is. Only its own name or tax number finds it."""
    person = world.bob["contact"][0]
    points = [p.value for p in world.bob["contact_point"]]  # type: ignore[attr-defined]
    registration = world.bob["organization"][0].registration_number  # type: ignore[attr-defined]
    for typed in (person.full_name, registration, *points):  # type: ignore[attr-defined]
        body = world.clients["alice-session"].get("/clients/similar/", {"name": typed})
        shown = [name for name in world.bob_names() if name in body.content.decode()]
        assert shown == [], f"typing {typed!r} names bob's {shown}"


@pytest.mark.django_db
def test_alices_history_shows_only_her_client_and_bobs_shows_his_to_the_head(
    world: World,
) -> None:
    mine, bobs = world.alice["organization"][0], world.bob["organization"][0]
    alice = world.clients["alice-session"]
    for headers, params in (
        ({}, {}),
        ({"HX-Request": "true"}, {}),
        ({"HX-Request": "true"}, {"offset": 0}),
    ):
        response = alice.get(f"/clients/{mine.pk}/history/", params, headers=headers)
        body = response.content.decode()
        assert world.alice["contact"][0].full_name in body  # her own changes are there
        assert leaks_in_page(world, body) == [], (headers, params)
    assert alice.get(f"/clients/{bobs.pk}/history/").status_code == 404
    for role in ("head", "viewer"):
        body = world.clients[f"{role}-session"].get(f"/clients/{bobs.pk}/history/")
        assert world.bob["contact"][0].full_name in body.content.decode(), role


@pytest.mark.django_db
def test_a_shared_product_names_bobs_client_as_its_maker_without_a_link(world: World) -> None:
    product, maker = world.shared["product"], world.bob["organization"][0]
    card = f'href="/clients/{maker.pk}/"'
    for url, params in (
        ("/clients/products/", {}),
        ("/clients/products/", {"q": "Gravel"}),
        (f"/clients/products/{product.pk}/", {}),
    ):
        mine = world.clients["alice-session"].get(url, params).content.decode()
        assert product.name in mine and maker.name in mine, url  # shared: alice sees it
        assert leaks_in_page(world, _without_echo(mine, params), names_allowed=True) == [], url
        for role in ("head", "viewer"):
            theirs = world.clients[f"{role}-session"].get(url, params).content.decode()
            assert card in theirs, (role, url)


# --- The API: every collection, every filter, every page -----------------------------------


API_PAGE = 2  # items per API page: every collection here spans several


@functools.cache
def api_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def list_parameters(route: Route) -> dict[str, dict[str, Any]]:
    """The query parameters of a collection: those its schema documents and those the view
    set filters on (documented or not), each with its schema."""
    operation = api_schema()["paths"][route.template]["get"]
    found = {
        p["name"]: p.get("schema", {})
        for p in operation.get("parameters", [])
        if p["in"] == "query"
    }
    for name in getattr(route.api_class, "list_filters", {}):
        found.setdefault(name, {"type": "integer"})
    return found


def bob_values(world: World, name: str, schema: dict[str, Any]) -> list[tuple[str, bool]]:
    """Values to try for one parameter, each with whether it names something of bob's (then
    alice must get nothing back, and the head something)."""
    if name in PAGING_PARAMETERS:
        return []
    if schema.get("format") in {"date", "date-time"}:
        return [("2000-01-01", False)]  # a day long past: every record is after it
    if "enum" in schema:
        return [(str(v).lower(), False) for v in schema["enum"] if v not in (None, "")]
    kind = schema.get("type")
    if kind == "boolean":
        return [("true", False), ("false", False)]
    if kind == "string":
        return [(query, True) for query, _org in _bob_queries(world)]
    if kind == "integer":
        if name in STAFF_PARAMETERS:
            return [(str(world.users["bob"].pk), True)]
        key = _COLLECTIONS.get(name)
        if key in ORGANIZATION_SCOPED:
            return [(str(pk), True) for pk in sorted(world.bob_ids[key])]
        if key in {"product", "region", "industry", "program", "member", "proposal"}:
            return [(str(world.shared[key].pk), False)]
    raise AssertionError(f"API parameter {name!r} ({schema}): teach this test what it names")


def api_collect(client: Client, url: str, params: dict[str, str]) -> tuple[int, list, set[int]]:
    """Every item of a collection, by limit and offset; the status of the first refusal."""
    items: list[dict[str, Any]] = []
    counts: set[int] = set()
    for offset in range(0, 1000, API_PAGE):
        response = client.get(url, {**params, "limit": API_PAGE, "offset": offset})
        if response.status_code != 200:
            assert offset == 0, f"{url} {params}: page at {offset} answers {response.status_code}"
            return response.status_code, [], set()
        data = response.json()
        items += data["results"]
        counts.add(data["count"])
        if not data["next"]:
            return 200, items, counts
    raise AssertionError(f"{url} {params} never ends")


def _key_of(route: Route) -> str:
    model = route.api_class.queryset.model  # type: ignore[union-attr]
    assert model in MODEL_KEYS, f"{route.display}: a collection of {model.__name__}, teach me it"
    return MODEL_KEYS[model]


@pytest.mark.django_db
@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("route", API_LIST_ROUTES, ids=lambda r: r.display)
def test_no_api_collection_gives_alice_anything_of_bobs(
    world: World, route: Route, auth: str
) -> None:
    client = world.clients[f"alice-{auth}"]
    key = _key_of(route)
    url = route.template
    if not allows(route.policy[0], world.users["alice"]):  # type: ignore[index]
        # Not for account managers at all (a proposal's lines, the reassignments): refused
        # whatever it is asked.
        assert client.get(url).status_code == 403, url
        for name, schema in list_parameters(route).items():
            for value, _names_bobs in bob_values(world, name, schema):
                assert client.get(url, {name: value}).status_code == 403, (url, name, value)
        return

    # Unfiltered: all of hers (nothing over-filtered), none of his; the default page too.
    status, items, counts = api_collect(client, url, {})
    assert status == 200
    assert leaks_in_items(world, key, items) == [], url
    assert counts == {len(items)}, f"{url} counts what alice cannot see: {counts}"
    assert {i["id"] for i in items} >= world.alice_ids.get(key, set()), url
    default = client.get(url)
    assert leaks_in_items(world, key, default.json()["results"]) == [], url
    beyond = client.get(url, {"limit": API_PAGE, "offset": len(items) + 5})
    assert beyond.json()["results"] == [], url

    for name, schema in list_parameters(route).items():
        for value, names_bobs in bob_values(world, name, schema):
            params = {name: value}
            status, items, counts = api_collect(client, url, params)
            if names_bobs:
                assert status in {200, 400, 404}, f"{url} {params}: {status}"
                assert items == [], f"{url} {params} gives alice bob's {items}"
            else:
                assert status == 200, f"{url} {params}: {status}"
            assert leaks_in_items(world, key, items) == [], f"{url} {params}"
            assert counts <= {len(items)}, f"{url} {params} counts others: {counts}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["head", "viewer"])
@pytest.mark.parametrize("route", API_LIST_ROUTES, ids=lambda r: r.display)
def test_every_api_collection_gives_the_head_and_the_viewer_bobs_objects_too(
    world: World, route: Route, role: str
) -> None:
    client = world.clients[f"{role}-token"]
    key = _key_of(route)
    url = route.template
    status, items, _counts = api_collect(client, url, {})
    assert status == 200
    ids = {i["id"] for i in items}
    assert ids >= world.bob_ids.get(key, set()) | world.alice_ids.get(key, set()), url
    # Each parameter naming bob's things finds some of them (not every one of bob's clients
    # has a bank account): alice's empty answers above mean scoping, not a dead filter.
    for name, schema in list_parameters(route).items():
        values = [value for value, names_bobs in bob_values(world, name, schema) if names_bobs]
        found = []
        for value in values:
            status, items, _counts = api_collect(client, url, {name: value})
            assert status == 200, f"{url} {name}={value}: {status} for the {role}"
            found += items
        assert found or not values, f"{url} {name}={values} finds nothing for the {role}"


# --- The walk finds what this file means to check ------------------------------------------


def test_the_walk_finds_the_lists_this_file_checks() -> None:
    pages = {r.name for r in MANAGER_PAGES}
    assert {
        "clients:list",
        "clients:duplicates",
        "clients:history",
        "clients:product_list",
    } <= pages
    assert pages >= NAME_ONLY_ROUTES, "a page allowed to name bob's clients is gone: update it"
    assert {"program:clients", "program:coverage", "program:worklist", "program:staff"} <= pages
    collections = {r.template for r in API_LIST_ROUTES}
    assert {"/api/organizations/", "/api/contacts/", "/api/bank-accounts/"} <= collections
    assert {
        "/api/programs/",
        "/api/program-members/",
        "/api/program-clients/",
        "/api/proposals/",
        "/api/proposal-lines/",
        "/api/reassignments/",
    } <= collections


# --- The VIP program: worklists and coverage, pages and API ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("auth", ["session", "token"])
def test_the_programs_worklist_and_coverage_give_alice_only_hers_over_the_api(
    world: World, auth: str
) -> None:
    program = world.shared["program"]
    alice = world.clients[f"alice-{auth}"]
    mine = world.alice_ids["program_client"]
    worklist = alice.get(f"/api/programs/{program.pk}/worklist/", {"limit": 100}).json()
    assert {row["id"] for row in worklist["results"]} == mine
    assert leaks_in_items(world, "program_client", worklist["results"]) == []
    bob = world.users["bob"].pk
    assert alice.get(f"/api/programs/{program.pk}/worklist/", {"user": bob}).status_code == 404
    coverage = alice.get(f"/api/programs/{program.pk}/coverage/").json()
    assert (coverage["total"]["total"], coverage["not_reached"]) == (len(mine), 1)
    assert [row["key"] for row in coverage["by_member"]] == [str(world.users["alice"].pk)]
    assert leaks_in_items(world, "program_client", [coverage]) == []
    goals = alice.get(f"/api/programs/{program.pk}/goals/")
    assert leaks_in_items(world, "program_client", goals.json()) == []

    head = world.clients[f"head-{auth}"]
    theirs = head.get(f"/api/programs/{program.pk}/worklist/", {"user": bob}).json()
    assert {row["id"] for row in theirs["results"]} == world.bob_ids["program_client"]
    everyone = head.get(f"/api/programs/{program.pk}/coverage/").json()
    assert everyone["total"]["total"] == len(mine | world.bob_ids["program_client"])


@pytest.mark.django_db
def test_the_programs_page_lists_show_alice_hers_and_the_head_bobs_too(world: World) -> None:
    program = world.shared["program"]
    alice_main = world.alice["organization"][0].name  # type: ignore[attr-defined]
    bob_names = world.bob_names()
    pages = {
        "clients": f"/program/{program.pk}/clients/",
        "coverage": f"/program/{program.pk}/coverage/",
        "worklist": f"/program/{program.pk}/worklist/{{user}}/",
    }
    for label, url in pages.items():
        mine = world.clients["alice-session"].get(url.format(user=world.users["alice"].pk))
        assert mine.status_code == 200, label
        body = mine.content.decode()
        assert leaks_in_page(world, body) == [], label
        if label != "coverage":  # alice's main client is under way: not in "not reached"
            assert alice_main in body, f"alice's {label} page lacks her own client"
        for role in ("head", "viewer"):
            theirs = world.clients[f"{role}-session"].get(url.format(user=world.users["bob"].pk))
            assert theirs.status_code == 200, (role, label)
            shown = [name for name in bob_names if name in theirs.content.decode()]
            assert shown, f"the {role}'s {label} page shows none of bob's clients"
    bobs_list = f"/program/{program.pk}/worklist/{world.users['bob'].pk}/"
    assert world.clients["alice-session"].get(bobs_list).status_code == 404
