"""A running program headed by helen, with alice and bob on its staff.

alice brought three clients; bob brought one; one client has no owner among the staff.
"""

from __future__ import annotations

import datetime

import pytest

from kamrad.clients import services as client_services
from kamrad.clients.models import Industry, Organization, Region
from kamrad.program import services
from kamrad.program.models import Member, Program
from kamrad.users.models import User

START = datetime.date(2026, 1, 12)
END = datetime.date(2026, 6, 28)


@pytest.fixture
def program(head: User) -> Program:
    return services.program_create(
        user=head,
        data={
            "name": "VIP 2026",
            "starts_on": START,
            "ends_on": END,
            "head": head,
            "status": Program.Status.RUNNING,
            "goals": "Meet every key client before summer.",
        },
    )


@pytest.fixture
def alice_member(program: Program, head: User, alice: User) -> Member:
    return services.member_add(
        user=head, program=program, data={"user": alice, "capacity": Member.Capacity.DEDICATED}
    )


@pytest.fixture
def bob_member(program: Program, head: User, bob: User) -> Member:
    return services.member_add(
        user=head, program=program, data={"user": bob, "capacity": Member.Capacity.DEDICATED}
    )


def make_client(
    head: User,
    name: str,
    *,
    owner: User | None = None,
    manager: User | None = None,
    industry: str | None = None,
    region: str | None = None,
    private: bool = False,
    kind: str = Organization.Kind.CLIENT,
) -> Organization:
    data: dict[str, object] = {
        "name": name,
        "owner": owner,
        "account_manager": manager or owner,
        "is_private": private,
        "kind": kind,
    }
    if industry:
        data["industry"] = Industry.objects.get_or_create(name=industry)[0]
    if region:
        data["region"] = Region.objects.get_or_create(name=region)[0]
    return client_services.organization_create(user=head, data=data)
