import datetime

import pytest

from kamrad.clients import selectors, services
from kamrad.clients.models import Organization

pytestmark = pytest.mark.django_db


def test_the_count_stops_at_the_limit_but_the_page_still_has_a_next(head, settings):
    settings.KAMRAD_COUNT_LIMIT = 2
    settings.KAMRAD_PAGE_SIZE = 2
    for name in "ABCD":
        services.organization_create(user=head, data={"name": name})
    page = selectors.organization_page(Organization.objects.order_by("name", "id"), page=1)
    assert (page.count, page.count_capped, page.has_next) == (2, True, True)
    assert [o.name for o in page.organizations] == ["A", "B"]


def test_a_page_past_the_end_is_empty_not_an_error(head):
    services.organization_create(user=head, data={"name": "A"})
    page = selectors.organization_page(Organization.objects.all(), page=99)
    assert page.organizations == []
    assert not page.has_next


def test_similar_names_ignore_legal_forms_and_mark_what_the_user_may_open(
    alice, alices_client, bobs_client
):
    services.organization_create(user=bobs_client.account_manager, data={"name": "ЗАО Ромашка"})
    services.organization_create(user=alice, data={"name": "ООО Василёк"})
    similar = selectors.similar_organizations(alice, name="ооо «Ромашка»")
    assert [(o.name, o.visible) for o in similar] == [("ЗАО Ромашка", False), ("ООО Ромашка", True)]


def test_history_diffs_consecutive_records_of_the_card_and_its_people(alice, alices_client):
    contact = services.contact_create(
        user=alice, organization=alices_client, data={"full_name": "Анна"}, roles=["uses"]
    )
    services.contact_update(
        user=alice,
        contact=contact,
        data={"status": "left", "left_on": datetime.date(2026, 1, 31)},
        expected_version=contact.version,
    )
    changes = selectors.history(alices_client)["changes"]
    newest = changes[0]
    assert (newest.what, newest.subject, newest.action) == ("contact person", "Анна", "~")
    assert {(f.field, f.old, f.new) for f in newest.fields} == {
        ("status", "Active", "Left the company"),
        ("left on", "—", "Jan. 31, 2026"),
    }
    assert any(c.what == "decision role" and c.subject == "Анна: Uses the product" for c in changes)


def test_history_names_the_people_a_foreign_key_points_to(head, alice, bob, alices_client):
    services.organization_update(
        user=head,
        organization=alices_client,
        data={"account_manager": bob},
        expected_version=alices_client.version,
    )
    change = selectors.history(alices_client)["changes"][0]
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("account manager", "Alice Adams", "Bob Brown")
    ]


def test_history_pages_without_repeating_a_change(alice, alices_client):
    for i in range(7):
        services.contact_point_add(
            user=alice, organization=alices_client, kind="phone", value=f"+7 {i}"
        )
    first = selectors.history(alices_client, limit=5)
    second = selectors.history(alices_client, offset=5, limit=5)
    assert first["has_more"] and not second["has_more"]
    subjects = [c.subject for c in first["changes"] + second["changes"]]
    assert subjects == [f"+7 {i}" for i in range(6, -1, -1)] + ["ООО Ромашка"]
