import pytest

from kamrad.clients import search, services
from kamrad.clients.models import Organization

pytestmark = pytest.mark.django_db


def found(query: str) -> list[str]:
    return list(Organization.objects.filter(search.matching(query)).values_list("name", flat=True))


@pytest.fixture
def elka(alice):
    org = services.organization_create(
        user=alice, data={"name": "ООО Ёлка Телеком", "tax_number": "7709876543"}
    )
    services.contact_create(
        user=alice,
        organization=org,
        data={"full_name": "Иванов Пётр"},
        roles=["decides"],
        phones=["+7 (495) 123-45-67"],
        emails=["Petr@Elka.example"],
    )
    services.organization_create(user=alice, data={"name": "Northwind Traders"})
    return org


@pytest.mark.parametrize(
    "query",
    [
        "ёлка",
        "ЕЛКА",
        "елка телеком",
        "петр",
        "ИВАНОВ",
        "123-45-67",
        "+7 495 123 45 67",
        "petr@elka",
        "77098",
        "те",
    ],
)
def test_it_finds_by_name_tax_number_contact_phone_and_email(elka, query):
    assert found(query) == ["ООО Ёлка Телеком"]


def test_it_finds_latin_names_case_insensitively(elka):
    assert found("NORTHWIND") == ["Northwind Traders"]


def test_it_finds_nothing_for_an_unknown_word(elka):
    assert found("несуществующее") == []


def test_it_forgets_a_removed_phone(elka, alice):
    point = elka.contact_points.get(kind="phone")
    services.contact_point_remove(user=alice, point=point)
    assert found("123-45-67") == []
