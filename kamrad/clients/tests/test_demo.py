"""The demo data set: loaded once for this module (it takes seconds), then read by each test."""

import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from kamrad.clients import search
from kamrad.clients.demo import LOGINS, SEED, _Loader, decision_roles_of
from kamrad.clients.models import Contact, Organization, Relationship
from kamrad.users.models import User


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.test.utils import override_settings

        # Hashing five passwords with argon2 would be most of this module's time.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            out = io.StringIO()
            call_command("demo", "--no-serve", stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.django_db


def test_it_prints_every_login_with_its_password(demo):
    for login in LOGINS:
        assert f"{login.username} / {login.password}" in demo
    assert "Loaded " in demo


def test_the_logins_work(demo, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for login in LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password)
        assert user.role == login.role


def test_it_loads_a_few_hundred_organizations_of_every_kind(demo):
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert 200 <= sum(kinds.values()) <= 400
    assert set(kinds) == {k.value for k in Organization.Kind}
    assert kinds["client"] > sum(kinds.values()) / 2
    assert Organization.objects.filter(is_private=True).count() >= 10
    assert Organization.objects.filter(name__endswith="GmbH").exists()


def test_every_organization_has_two_to_eight_people(demo):
    # A prospect referred at a meeting comes with the one person named, or none.
    known = Organization.objects.filter(referred_by__isnull=True)
    per_org = Counter(
        Contact.objects.filter(organization__in=known).values_list("organization_id", flat=True)
    )
    assert set(per_org) == set(known.values_list("id", flat=True))
    assert all(2 <= n <= 8 for n in per_org.values())
    assert max(per_org.values()) == 8


def test_every_client_has_someone_who_decides_and_someone_who_signs(demo):
    for org in Organization.objects.filter(kind=Organization.Kind.CLIENT):
        assert {"decides", "signs"} <= decision_roles_of(org), org.name


def test_russian_tax_numbers_have_valid_check_digits(demo):
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    numbers = Organization.objects.filter(is_private=False).values_list("tax_number", flat=True)
    checked = 0
    for inn in numbers:
        if len(inn) == 10 and inn.isdigit() and not inn.startswith("9909"):
            assert (
                int(inn[9])
                == sum(int(d) * w for d, w in zip(inn[:9], weights, strict=True)) % 11 % 10
            )
            checked += 1
    assert checked > 150


def test_the_city_council_lost_every_key_person_after_the_elections(demo):
    council = Organization.objects.get(name="Городская дума Приволжска")
    left = council.contacts.filter(status=Contact.Status.LEFT)
    assert left.count() == 4
    assert all(c.left_on for c in left)
    assert {"decides", "signs"} <= decision_roles_of(council)
    # Nobody on our side is warm with the new people.
    new_people = council.contacts.filter(status=Contact.Status.ACTIVE)
    assert not Relationship.objects.filter(contact__in=new_people, warmth__gte=2).exists()


def test_search_finds_demo_organizations_by_a_contact_phone(demo):
    phone = Contact.objects.filter(contact_points__kind="phone").values_list(
        "contact_points__value", "organization__name"
    )[0]
    names = Organization.objects.filter(search.matching(phone[0])).values_list("name", flat=True)
    assert list(names) == [phone[1]]


def test_it_does_not_load_twice(demo):
    out = io.StringIO()
    before = Organization.objects.count()
    call_command("demo", "--no-serve", stdout=out)
    assert Organization.objects.count() == before
    assert "was not loaded" in out.getvalue()


def test_two_loads_give_the_same_names(demo, settings):
    # A second full load would double this module's time; the first fifty organizations drawn
    # again from the same seed show the same determinism.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    last_id = Organization.objects.order_by("-id").values_list("id", flat=True)[0]
    with transaction.atomic():
        with search.deferred():
            loader = _Loader(random.Random(SEED), None)
            loader.users_and_references()
            loader.competitors_and_products()
            loader.city_council()
            for _ in range(43):
                loader.any_russian_company()
        again = Organization.objects.filter(id__gt=last_id).order_by("id")
        second = list(again.values_list("name", "tax_number"))
        second_people = list(
            Contact.objects.filter(organization__in=again)
            .order_by("id")
            .values_list("full_name", flat=True)
        )
        transaction.set_rollback(True)
    first = Organization.objects.order_by("id")[:50]
    assert len(second) == 50
    assert second == list(first.values_list("name", "tax_number"))
    assert second_people == list(
        Contact.objects.filter(organization__in=first)
        .order_by("id")
        .values_list("full_name", flat=True)
    )
