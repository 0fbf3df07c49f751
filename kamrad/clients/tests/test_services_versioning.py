import pytest

from kamrad.clients import services

pytestmark = pytest.mark.django_db


def test_it_writes_nothing_when_nothing_changed(alice, alices_client):
    before = alices_client.history.count()
    same = services.organization_update(
        user=alice,
        organization=alices_client,
        data={"name": alices_client.name, "tax_number": alices_client.tax_number},
        expected_version=alices_client.version,
    )
    assert same.version == alices_client.version
    assert alices_client.history.count() == before


def test_it_saves_and_bumps_the_version_on_a_real_change(alice, alices_client):
    changed = services.organization_update(
        user=alice,
        organization=alices_client,
        data={"name": "Ромашка-2"},
        expected_version=alices_client.version,
    )
    assert changed.version == alices_client.version + 1
    assert changed.history.first().name == "Ромашка-2"


def test_it_refuses_a_stale_copy_even_when_it_changes_nothing(alice, head, alices_client):
    read = alices_client.version
    services.organization_update(
        user=head, organization=alices_client, data={"name": "X"}, expected_version=read
    )
    with pytest.raises(services.StaleEdit):
        services.organization_update(
            user=alice, organization=alices_client, data={"name": "X"}, expected_version=read
        )
