"""What the page tests share: a program with alice's and bob's clients on its list."""

from __future__ import annotations

import datetime

from django.urls import reverse

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import Program, ProgramClient
from kamrad.program.tests.conftest import make_client
from kamrad.users.models import User

HTMX = {"HX-Request": "true"}
TODAY = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def url(name: str, *args: object) -> str:
    return reverse(f"program:{name}", args=[getattr(a, "pk", a) for a in args])


def on_list(head: User, program: Program, *organizations: Organization) -> list[ProgramClient]:
    services.clients_add(user=head, program=program, organizations=organizations)
    return list(
        ProgramClient.objects.filter(program=program, organization__in=organizations).order_by("id")
    )


def client_of(program: Program, organization: Organization) -> ProgramClient:
    return ProgramClient.objects.get(program=program, organization=organization)


def two_clients(head: User, alice: User, bob: User, program: Program) -> tuple:
    """alice's client and bob's client, both on the program's list and assigned to them."""
    mine = make_client(head, "Alpha Telecom", owner=alice, region="Moscow", industry="Telecom")
    theirs = make_client(head, "Beta Steel", owner=bob, region="Kazan", industry="Metals")
    on_list(head, program, mine, theirs)
    ProgramClient.objects.filter(organization=mine).update(assigned_to=alice)
    ProgramClient.objects.filter(organization=theirs).update(assigned_to=bob)
    return mine, theirs
