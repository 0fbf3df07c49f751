"""The program's goals measured from the data, and the monopolisation signal."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kamrad.clients import services as client_services
from kamrad.clients.models import Relationship
from kamrad.program import selectors, services
from kamrad.program.models import Goal
from kamrad.program.tests.conftest import START, make_client
from kamrad.value import services as value_services

DURING = START + datetime.timedelta(days=10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _roubles(settings):
    settings.KAMRAD_BASE_CURRENCY = "RUB"


def sale(user, org, on: datetime.date, amount: str, line: str) -> None:
    value_services.sale_create(
        user=user,
        organization=org,
        data={"date": on, "currency": "RUB", "amount": amount, "product_line": line},
    )


def test_it_measures_extra_volume_and_new_products_over_the_program_so_far(head, alice, program):
    org = make_client(head, "Client", owner=alice)
    services.clients_add_corporate(user=head, program=program)
    # The program has run 21 days (12 Jan – 1 Feb); the 21 days before it are 22 Dec – 11 Jan.
    sale(head, org, datetime.date(2025, 12, 20), "999", "Internet")  # before both periods
    sale(head, org, datetime.date(2025, 12, 22), "100", "Internet")
    sale(head, org, START, "250", "Internet")
    sale(head, org, DURING, "50", "Telephony")
    figures = {f.code: f for f in selectors.goal_figures(program, head, datetime.date(2026, 2, 1))}
    assert figures[Goal.Code.EXTRA_VOLUME].achieved == (250 + 50 - 100) * 100
    assert figures[Goal.Code.NEW_PRODUCTS].achieved == 1  # telephony; internet was sold before


def test_it_counts_key_people_newly_met_and_contacts_updated(head, alice, bob, program):
    org = make_client(head, "Client", owner=alice)
    make_client(head, "Not on the program", owner=alice, kind="competitor")
    services.clients_add_corporate(user=head, program=program)
    ivan = client_services.contact_create(
        user=head, organization=org, data={"full_name": "Ivan Petrov"}
    )
    client_services.contact_create(user=head, organization=org, data={"full_name": "Olga"})
    client_services.relationship_create(
        user=head, data={"staff": alice, "contact": ivan, "warmth": 4}
    )
    client_services.relationship_create(
        user=head, data={"staff": bob, "contact": ivan, "warmth": 3}
    )
    figures = {f.code: f for f in selectors.goal_figures(program, head, datetime.date(2026, 2, 1))}
    assert figures[Goal.Code.KEY_PEOPLE_MET].achieved == 2
    assert figures[Goal.Code.CONTACTS_UPDATED].achieved == 2


def test_targets_and_entered_figures_are_kept(head, program):
    services.goal_set(user=head, program=program, code=Goal.Code.REFERRALS, target=10, achieved=3)
    figure = next(
        f for f in selectors.goal_figures(program, head, START) if f.code == Goal.Code.REFERRALS
    )
    assert (figure.target, figure.achieved, figure.percent, figure.measured) == (10, 3, 30, False)
    with pytest.raises(ValidationError):
        services.goal_set(
            user=head, program=program, code=Goal.Code.EXTRA_VOLUME, target=1, achieved=5
        )
    with pytest.raises(ValidationError):
        services.goal_set(user=head, program=program, code=Goal.Code.REFERRALS, target=-1)


def test_it_suspects_a_client_whose_every_relation_runs_through_its_owner(
    head, alice, bob, program
):
    guarded = make_client(head, "Guarded", owner=alice)
    shared = make_client(head, "Shared", owner=alice)
    barely = make_client(head, "Barely known", owner=alice)
    services.clients_add_corporate(user=head, program=program)
    for org, staff in ((guarded, [alice, alice]), (shared, [alice, bob]), (barely, [alice])):
        for n, person in enumerate(staff):
            contact = client_services.contact_create(
                user=head, organization=org, data={"full_name": f"Person {n}"}
            )
            Relationship.objects.create(staff=person, contact=contact, warmth=5)
    suspects = selectors.monopoly_suspects(program, head)
    assert set(suspects) == {guarded.pk}
    assert (suspects[guarded.pk].user_id, suspects[guarded.pk].records) == (alice.pk, 2)
