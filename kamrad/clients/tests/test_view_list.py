import pytest
from django.urls import reverse

from kamrad.clients import services
from kamrad.clients.models import Industry, Organization, Region
from kamrad.users.models import Role, User
from kamrad.users.services import user_create

pytestmark = pytest.mark.django_db

URL = reverse("clients:list")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords are hashed with argon2 otherwise: seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def names(response) -> list[str]:
    return [org.name for org in response.context["page"].organizations]


@pytest.fixture
def orgs(alice, bob, head):
    moscow = Region.objects.create(name="Москва")
    telecom = Industry.objects.create(name="Телеком")
    services.organization_create(
        user=alice,
        data={
            "name": "ООО Ёлка Телеком",
            "tax_number": "7709876543",
            "region": moscow,
            "industry": telecom,
        },
    )
    services.organization_create(
        user=alice, data={"name": "Northwind Traders", "kind": "prospect", "is_private": False}
    )
    services.organization_create(
        user=bob, data={"name": "Иван Петров", "kind": "client", "is_private": True}
    )
    services.organization_create(user=head, data={"name": "Contoso", "kind": "competitor"})


def test_it_shows_the_head_every_organization_by_name(client, head, orgs):
    client.force_login(head)
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Contoso", "Northwind Traders", "Иван Петров", "ООО Ёлка Телеком"]
    assert b'id="results"' in response.content
    assert b"<html" in response.content


def test_it_shows_an_account_manager_only_their_clients(client, alice, orgs):
    client.force_login(alice)
    response = client.get(URL)
    assert names(response) == ["Northwind Traders", "ООО Ёлка Телеком"]
    assert "manager" not in response.context["form"].fields
    assert b'name="manager"' not in response.content


def test_it_ignores_a_manager_filter_from_an_account_manager(client, alice, bob, orgs):
    client.force_login(alice)
    response = client.get(URL, {"manager": bob.pk})
    assert names(response) == ["Northwind Traders", "ООО Ёлка Телеком"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ёлка", ["ООО Ёлка Телеком"]),
        ("ЕЛКА", ["ООО Ёлка Телеком"]),
        ("northWIND", ["Northwind Traders"]),
        ("77098", ["ООО Ёлка Телеком"]),
        ("петров", ["Иван Петров"]),
        ("nothing-like-this", []),
    ],
)
def test_it_searches_cyrillic_and_latin_case_insensitively(client, head, orgs, query, expected):
    client.force_login(head)
    assert names(client.get(URL, {"q": query})) == expected


def test_it_filters_by_kind_manager_region_industry_and_private(client, head, bob, orgs):
    client.force_login(head)
    assert names(client.get(URL, {"kind": "competitor"})) == ["Contoso"]
    assert names(client.get(URL, {"manager": bob.pk})) == ["Иван Петров"]
    region = Region.objects.get()
    assert names(client.get(URL, {"region": region.pk})) == ["ООО Ёлка Телеком"]
    industry = Industry.objects.get()
    assert names(client.get(URL, {"industry": industry.pk})) == ["ООО Ёлка Телеком"]
    assert names(client.get(URL, {"private": "private"})) == ["Иван Петров"]
    assert "Иван Петров" not in names(client.get(URL, {"private": "corporate"}))


def test_it_offers_every_active_manager_region_and_industry_in_order(client, head, alice, bob):
    for name in ("Тверь", "Астрахань", "Москва"):
        Region.objects.create(name=name)
    Industry.objects.create(name="Связь")
    Industry.objects.create(name="Банки")
    nameless = user_create(username="zed", role=Role.MANAGER, password="x", validate=False)
    gone = user_create(username="gone", role=Role.MANAGER, password="x", validate=False)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(head)
    html = client.get(URL).content.decode()

    def options(name: str) -> list[str]:
        select = html.split(f'<select name="{name}"')[1].split("</select>")[0]
        return [part.split("</option>")[0].split(">")[-1] for part in select.split("<option")[1:]]

    assert options("manager") == ["All managers", "zed", "Alice Adams", "Bob Brown"]
    assert f'<option value="{nameless.pk}">zed</option>' in html
    assert options("region") == ["All regions", "Астрахань", "Москва", "Тверь"]
    assert options("industry") == ["All industries", "Банки", "Связь"]
    region = Region.objects.get(name="Москва")
    chosen = client.get(URL, {"region": region.pk}).content.decode()
    assert f'<option value="{region.pk}" selected>Москва</option>' in chosen


def test_it_shows_each_row_with_its_labels_and_a_dash_for_what_is_missing(
    client, head, alice, orgs
):
    client.force_login(head)
    html = client.get(URL).content.decode()
    row = html.split("ООО Ёлка Телеком</a>")[1].split("</tr>")[0]
    assert "7709876543" in row and "Москва" in row and "Телеком" in row
    assert "Alice Adams" in row
    row = html.split("Contoso</a>")[1].split("</tr>")[0]
    assert row.count(">—<") == 4  # no tax number, region, industry or account manager
    org = Organization.objects.get(name="Contoso")
    assert f'href="{reverse("clients:card", args=[org.pk])}"' in html


def test_it_ignores_a_filter_value_that_makes_no_sense(client, head, orgs):
    client.force_login(head)
    response = client.get(URL, {"region": "abc", "kind": "nonsense", "page": "x", "sort": "?"})
    assert response.status_code == 200
    assert len(names(response)) == 4


def test_it_sorts_both_ways(client, head, orgs):
    client.force_login(head)
    assert names(client.get(URL, {"sort": "-name"}))[0] == "ООО Ёлка Телеком"
    assert names(client.get(URL, {"sort": "newest"}))[0] == "Contoso"
    assert names(client.get(URL, {"sort": "oldest"}))[0] == "ООО Ёлка Телеком"
    assert names(client.get(URL, {"sort": "region"}))[0] == "ООО Ёлка Телеком"
    # Organizations without a region come last either way, then by name in the same direction.
    assert names(client.get(URL, {"sort": "-region"})) == [
        "ООО Ёлка Телеком",
        "Иван Петров",
        "Northwind Traders",
        "Contoso",
    ]


def test_it_breaks_ties_by_id_so_pages_never_overlap(client, head, settings):
    settings.KAMRAD_PAGE_SIZE = 3
    for _ in range(7):
        services.organization_create(user=head, data={"name": "Same"})
    client.force_login(head)
    seen = []
    for page in (1, 2, 3):
        response = client.get(URL, {"sort": "name", "page": page})
        seen += [org.pk for org in response.context["page"].organizations]
    assert sorted(seen) == sorted(Organization.objects.values_list("pk", flat=True))


def test_it_pages_by_the_page_size_and_offers_next(client, head, settings):
    settings.KAMRAD_PAGE_SIZE = 2
    for name in "ABCDE":
        services.organization_create(user=head, data={"name": name})
    client.force_login(head)
    first = client.get(URL)
    assert names(first) == ["A", "B"]
    assert first.context["page"].has_next
    assert b'rel="next"' in first.content
    last = client.get(URL, {"page": 3})
    assert names(last) == ["E"]
    assert not last.context["page"].has_next


def test_it_caps_the_count_and_says_more_than(client, head, settings):
    settings.KAMRAD_COUNT_LIMIT = 3
    settings.KAMRAD_PAGE_SIZE = 2
    for name in "ABCDE":
        services.organization_create(user=head, data={"name": name})
    client.force_login(head)
    response = client.get(URL)
    page = response.context["page"]
    assert (page.count, page.count_capped) == (3, True)
    assert "More than 3 organizations" in response.text
    assert page.has_next


def test_it_counts_exactly_below_the_cap(client, head, orgs):
    client.force_login(head)
    response = client.get(URL)
    assert "4 organizations" in response.text
    assert "More than" not in response.text


def test_it_answers_htmx_with_the_results_alone(client, head, orgs):
    client.force_login(head)
    response = client.get(URL, {"q": "contoso"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text
    assert "Contoso" in response.text
    assert "Northwind" not in response.text


def test_it_says_clearly_when_nothing_matches(client, head, orgs):
    client.force_login(head)
    response = client.get(URL, {"q": "zzzzzz"})
    assert "No organizations match." in response.text


def test_it_shows_the_create_button_to_writers_only(client, alice, viewer):
    client.force_login(viewer)
    assert reverse("clients:create") not in client.get(URL).text
    client.force_login(alice)
    assert reverse("clients:create") in client.get(URL).text


def test_it_sends_a_stranger_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _make(head, count: int) -> None:
    for i in range(count):
        region = Region.objects.create(name=f"R{i}")
        industry = Industry.objects.create(name=f"I{i}")
        services.organization_create(
            user=head,
            data={
                "name": f"Org {i}",
                "region": region,
                "industry": industry,
                "account_manager": head,
            },
        )


@pytest.mark.parametrize("count", [5, 60])
@pytest.mark.parametrize(
    "params",
    [{"q": "org"}, {"q": "rg"}, {"q": "org", "sort": "-region"}, {"q": "org", "sort": "-name"}],
)
def test_it_runs_the_same_queries_for_few_and_many(
    client, head, count, params, django_assert_max_num_queries
):
    _make(head, count)
    client.force_login(head)
    client.get(URL)  # the session and the user are loaded once; count the page itself
    with django_assert_max_num_queries(5):
        response = client.get(URL, params)
    assert len(names(response)) == min(count, 50)
    assert response.context["page"].count == count
