import pytest

from kamrad.clients import search, services
from kamrad.clients.models import Organization, SearchDocument

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


NAMES = [
    "Сервис Плюс",
    "Альфа Сервис",
    "alpha service",
    "Alpha Service",
    "Сервис Плюс",
    "Бета",
    "ООО «Сервис»",
    "Zeta Сервис",
    "Ёлка Сервис",
]


def plain_order(query: str, descending: bool = False) -> list[int]:
    order = ("-name", "-id") if descending else ("name", "id")
    return list(
        Organization.objects.filter(search.matching(query))
        .order_by(*order)
        .values_list("id", flat=True)
    )


def index_order(query: str, descending: bool = False) -> list[int]:
    qs = search.name_ordered(Organization.objects.all(), query, descending=descending)
    if qs is None:  # PostgreSQL: the caller sorts
        return plain_order(query, descending)
    return list(qs.values_list("id", flat=True))


@pytest.fixture
def many(alice):
    return [services.organization_create(user=alice, data={"name": n}).pk for n in NAMES]


@pytest.mark.parametrize("descending", [False, True])
def test_it_returns_matches_in_name_order_straight_from_the_index(many, descending):
    assert len(index_order("сервис", descending)) == 6
    assert index_order("сервис", descending) == plain_order("сервис", descending)


@pytest.mark.parametrize("descending", [False, True])
def test_it_keeps_name_order_when_the_count_calls_a_word_common(many, descending, monkeypatch):
    # PostgreSQL then walks the documents in name order (strpos) instead of asking the index.
    monkeypatch.setattr(search, "COMMON_MATCHES", 3)
    matches = search.count_matches("сервис", limit=100)
    qs = search.name_ordered(
        Organization.objects.all(), "сервис", descending=descending, matches=matches
    )
    assert list(qs.values_list("id", flat=True)) == plain_order("сервис", descending)
    assert list(
        search.name_ordered(
            Organization.objects.all(), "сервис плюс", descending=descending, matches=matches
        ).values_list("name", flat=True)
    ) == ["Сервис Плюс", "Сервис Плюс"]


def test_it_moves_a_renamed_organization_to_its_new_place(many, alice):
    org = Organization.objects.get(name="Бета")
    services.organization_update(
        user=alice, organization=org, data={"name": "Яблоко Сервис"}, expected_version=1
    )
    assert index_order("сервис")[-1] == org.pk
    assert index_order("сервис") == plain_order("сервис")


def test_it_spaces_the_keys_out_again_when_two_neighbours_have_no_room(alice, monkeypatch):
    monkeypatch.setattr(search, "SORT_GAP", 4)
    for i in range(12):  # every new name lands between the same two neighbours
        services.organization_create(user=alice, data={"name": f"Сервис {'м' * (i + 1)}"})
    services.organization_create(user=alice, data={"name": "Сервис а"})
    services.organization_create(user=alice, data={"name": "Сервис я"})
    keys = list(SearchDocument.objects.order_by("sort_key").values_list("sort_key", flat=True))
    assert len(set(keys)) == len(keys) == 14
    assert index_order("сервис") == plain_order("сервис")
    assert found("сервис мммммм") == [
        "Сервис мммммм",
        "Сервис ммммммм",
        "Сервис мммммммм",
        "Сервис ммммммммм",
        "Сервис мммммммммм",
        "Сервис ммммммммммм",
        "Сервис мммммммммммм",
    ]


def test_it_counts_matches_from_the_index_up_to_a_limit(many):
    assert search.count_matches("сервис", limit=100) == 6
    assert search.count_matches("сервис", limit=4) == 4
    assert search.count_matches("се", limit=100) == 6
    assert search.count_matches("нет такого", limit=100) == 0
