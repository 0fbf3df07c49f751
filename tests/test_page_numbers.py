"""A page number or an offset typed as any text never fails a page."""

import pytest

from kamrad.lib.pages import MAX_POSITION, query_int

pytestmark = pytest.mark.django_db

HUGE = "9" * 20  # past what a database takes as a LIMIT or an OFFSET


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("", 1), ("x", 1), ("3", 3), ("-5", 0), (HUGE, MAX_POSITION)],
)
def test_it_reads_a_bounded_whole_number(value, expected):
    assert query_int(value, 1) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/clients/?page={n}",
        "/clients/?q=acme&page={n}",
        "/clients/products/?page={n}",
        "/clients/{org}/history/?offset={n}",
        "/clients/{org}/work-history/?sales_page={n}",
        "/pyramid/clients/?tier=strategic&page={n}",
    ],
)
@pytest.mark.parametrize("number", [HUGE, "-3", "two"])
def test_pages_answer_whatever_the_number(client, head, alices_client, url, number):
    client.force_login(head)
    response = client.get(url.format(n=number, org=alices_client.pk))
    assert response.status_code == 200
