"""Confirming a split costs the same queries for a few clients changing hands or many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamrad.clients.models import Organization
from kamrad.program import services
from kamrad.program.models import Proposal, Reassignment
from kamrad.program.tests.conftest import make_client

pytestmark = pytest.mark.django_db


def confirm_queries(head, program) -> int:
    draft = services.proposal_create(user=head, program=program)
    draft = Proposal.objects.get(pk=draft.pk)
    with CaptureQueriesContext(connection) as queries:
        services.proposal_confirm(user=head, proposal=draft, expected_version=draft.version)
    return len(queries)


def test_it_confirms_with_the_same_queries_however_many_clients_change_hands(
    head, alice, bob, program, alice_member, bob_member
):
    # Nobody owns these clients, so the balance hands them to alice and bob from no one.
    for i in range(2):
        make_client(head, f"Few {i}")
    services.clients_add_corporate(user=head, program=program)
    few = confirm_queries(head, program)
    assert Reassignment.objects.count() == 2
    for i in range(12):
        make_client(head, f"Many {i}")
    services.clients_add_corporate(user=head, program=program)
    many = confirm_queries(head, program)
    assert Reassignment.objects.count() == 14
    assert many == few
    moved = Organization.objects.filter(name__startswith="Many ")
    assert not moved.filter(account_manager__isnull=True).exists()
    for organization in moved:
        last = organization.history.first()
        assert (last.account_manager_id, last.version) == (
            organization.account_manager_id,
            organization.version,
        )
        assert (last.history_type, last.history_user) == ("~", head)
        assert last.history_change_reason == "VIP program split confirmed"
        assert last.name == organization.name
    move = Reassignment.objects.get(organization=moved[0])
    assert move.at == moved[0].history.first().history_date
