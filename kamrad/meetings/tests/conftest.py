"""A small questionnaire with a question of each kind that yields something, a service with two
quality checks, and alice's client with one key person."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kamrad.clients import services as client_services
from kamrad.clients.models import Contact, Organization, Product
from kamrad.meetings import services
from kamrad.meetings.models import Meeting
from kamrad.questionnaires import defaults as questionnaire_defaults
from kamrad.questionnaires.models import QualityCheck, Question, Section, Template
from kamrad.users.models import User

HELD = datetime.date(2026, 11, 20)
Kind = Question.Kind
Purpose = Section.Purpose


@pytest.fixture(autouse=True)
def _default_questionnaire(db):
    questionnaire_defaults.install()  # gone if a test before flushed the database


def build_questionnaire(language: str = "en", *, default: bool = True) -> Template:
    if default:  # the installed default questionnaire steps aside for the test's own
        Template.objects.filter(language=language, is_default=True).update(is_default=False)
    template = Template.objects.create(
        name=f"Test {language}", language=language, is_default=default
    )
    layout = [
        (Purpose.MEETING, [("meeting_goal", Kind.TEXT, False)]),
        (Purpose.KEY_PEOPLE, [("key_people", Kind.PERSONS, False)]),
        (
            Purpose.CARNEGIE,
            [("proud_of", Kind.LONG_TEXT, False), ("how_started", Kind.TEXT, False)],
        ),
        (Purpose.COOPERATION, [("satisfied", Kind.RATING, False), ("renews", Kind.YES_NO, False)]),
        (Purpose.QUALITY, [("quality", Kind.QUALITY, False)]),
        (Purpose.EXPANSION, [("expansion", Kind.PRODUCT_OFFER, False)]),
        (Purpose.NEW_PRODUCTS, [("new_products", Kind.PRODUCT_OFFER, False)]),
        (Purpose.REFERRALS, [("referrals", Kind.REFERRALS, False)]),
    ]
    for position, (purpose, questions) in enumerate(layout):
        section = Section.objects.create(
            template=template, position=position, title=str(purpose.label), purpose=purpose
        )
        for index, (key, kind, required) in enumerate(questions):
            Question.objects.create(
                section=section,
                position=index,
                key=key,
                text=f"Question {key}?",
                kind=kind,
                required=required,
            )
    return template


@pytest.fixture
def questionnaire(db) -> Template:
    return build_questionnaire()


@pytest.fixture
def internet(db) -> Product:
    product = Product.objects.create(name="Internet 100", is_ours=True, category="Internet")
    QualityCheck.objects.create(
        product=product,
        position=0,
        text="Speed",
        kind=QualityCheck.Kind.AT_LEAST,
        unit="Mbit/s",
        promised="100",
    )
    QualityCheck.objects.create(
        product=product,
        position=1,
        text="Noticeable outage in the last month",
        kind=QualityCheck.Kind.NO_PASSES,
    )
    return product


@pytest.fixture
def ivanov(alice: User, alices_client: Organization) -> Contact:
    return client_services.contact_create(
        user=alice,
        organization=alices_client,
        data={"full_name": "Иван Иванов", "position": "Директор"},
        roles=["decides"],
        phones=["+7 495 000-00-01"],
    )


@pytest.fixture
def meeting(
    alice: User, alices_client: Organization, ivanov: Contact, questionnaire: Template
) -> Meeting:
    return services.meeting_plan(
        user=alice,
        organization=alices_client,
        data={
            "starts_at": timezone.make_aware(datetime.datetime.combine(HELD, datetime.time(10))),
            "place": "Their office",
            "their_people": [ivanov],
        },
        language="en",
    )
