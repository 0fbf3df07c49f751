"""PostgreSQL's word index (migration 0006): each word's documents in name order.

The index must answer exactly what `LIKE '%term%'` over the documents answers, in the same
order, after every kind of write; these tests compare the two on the same data.
"""

import random

import pytest
from django.db import connection, transaction

from kamrad.clients import search, services
from kamrad.clients.generate import generate
from kamrad.clients.models import Organization, SearchDocument

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the word index is PostgreSQL's own"
    ),
]

WORDS = ["сервис", "автосервис", "плюс", "alpha", "service", "100%", "a_b", "ёлка", "телеком"]


def postings() -> set[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.word, p.sort_key FROM clients_searchposting p "
            "JOIN clients_searchword w ON w.id = p.word_id"
        )
        return set(cursor.fetchall())


def expected_postings() -> set[tuple[str, int]]:
    return {
        (word, key)
        for text, key in SearchDocument.objects.values_list("text", "sort_key")
        for word in text.split(" ")
        if len(word) >= 3
    }


def plain(term: str, *, descending: bool = False) -> list[int]:
    order = ("-search_document__sort_key", "-id") if descending else ("search_document__sort_key",)
    return list(
        Organization.objects.filter(search_document__text__contains=term)
        .order_by(*order)
        .values_list("id", flat=True)
    )


def by_words(term: str, *, descending: bool = False, window: int = 51) -> list[int]:
    found = search.word_page(term, limit=1001, window=window, descending=descending)
    assert found is not None, term
    qs = search.in_key_order(Organization.objects.all(), found[1], descending=descending)
    return list(qs.values_list("id", flat=True)[:window])


def count(term: str, limit: int = 1001) -> int:
    found = search.word_page(term, limit=limit, window=1)
    assert found is not None, term
    return found[0]


@pytest.fixture
def orgs(alice):
    rng = random.Random(7)
    made = []
    for i in range(40):
        name = " ".join(rng.sample(WORDS, 2)) + f" {i}"
        org = services.organization_create(user=alice, data={"name": name.capitalize()})
        if i % 3 == 0:
            services.contact_create(
                user=alice,
                organization=org,
                data={"full_name": f"Сервисов Пётр {i}"},
                emails=[f"p{i}@service.example"],
                phones=[f"+7 495 100-{i:02d}-00"],
            )
        made.append(org)
    return made


def test_the_index_holds_every_word_of_every_document(orgs):
    assert postings() == expected_postings()
    assert len(postings()) > 100


@pytest.mark.parametrize("term", ["сервис", "автосервис", "плюс", "alpha", "100%", "a_b", "vice"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("window", [1, 3, 51])
def test_it_answers_as_like_does_in_name_order(orgs, term, descending, window):
    expected = plain(term, descending=descending)
    assert expected, term
    assert by_words(term, descending=descending, window=window) == expected[:window]
    assert count(term) == len(expected)
    assert count(term, limit=2) == min(2, len(expected))


def test_percent_and_underscore_are_letters_not_patterns(orgs):
    # '%' and '_' in a term are what they are, not LIKE's wildcards.
    assert by_words("00%") == plain("00%") != []
    assert all("a_b" in Organization.objects.get(pk=pk).name.lower() for pk in by_words("a_b"))
    assert count("a%b") == 0


def test_it_follows_renames_contacts_and_deletions(orgs, alice):
    first = orgs[0]
    services.organization_update(
        user=alice, organization=first, data={"name": "Яхта Сервис"}, expected_version=1
    )
    contact = first.contacts.first()
    services.contact_update(
        user=alice,
        contact=contact,
        data={"full_name": "Новиков Глеб"},
        expected_version=contact.version,
    )
    orgs[1].delete()
    assert postings() == expected_postings()
    assert by_words("сервис") == plain("сервис")[:51]
    assert by_words("новиков") == [first.pk]
    assert by_words("сервисов") == plain("сервисов")


def test_it_is_rebuilt_by_a_bulk_load_and_a_renumbering(orgs):
    with transaction.atomic():
        generate(clients=30, contacts_per_client=2, seed=3)
    assert postings() == expected_postings()
    search.reindex_all()
    assert postings() == expected_postings()
    assert by_words("сервис", descending=True) == plain("сервис", descending=True)[:51]


def test_a_term_inside_too_many_words_goes_to_the_trigram_index(orgs, monkeypatch):
    monkeypatch.setattr(search, "WORDS_LIMIT", 2)
    assert search.word_page("сервис", limit=1001, window=51) is None
    assert search.word_page("ab", limit=1001, window=51) is None  # under three characters
    assert search.word_page("сервис плюс", limit=1001, window=51) is None  # two words


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_words(orgs):
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert postings() == set()


def test_the_list_reads_a_word_page_off_the_index_in_a_fixed_number_of_queries(
    orgs, head, client, django_assert_max_num_queries
):
    client.force_login(head)
    with django_assert_max_num_queries(5):
        response = client.get("/clients/", {"q": "сервис"})
    names = [o["name"] for o in response.context["page"].organizations]
    expected = list(Organization.objects.filter(pk__in=plain("сервис")).order_by("name", "id")[:50])
    assert names == [o.name for o in expected]
