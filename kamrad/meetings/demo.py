"""The demo's meetings: the VIP program's first meetings recorded, and the next ones planned.

Deterministic (its own `random.Random(SEED)`), and everything goes through
`kamrad.meetings.services` as the managers' own clicks would: quality checks for the internet
services, a recorded meeting (with the questionnaire filled in and every change confirmed) for
the first clients worked through, a planned meeting for each client whose meeting is on the
program's calendar, and a few meetings in the days ahead of the real date, so the calendar,
the reminders and the feed have something coming up.

The answers are found in the questionnaire by what each question is for (its section's purpose
and its type), not by key, so an edited default questionnaire still gets a sensible demo.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from kamrad.clients import services as client_services
from kamrad.clients.models import Contact, Organization, Product
from kamrad.meetings import services
from kamrad.meetings.models import Meeting, Opportunity, WorkItem
from kamrad.program.models import Program, ProgramClient
from kamrad.questionnaires import defaults as questionnaire_defaults
from kamrad.questionnaires.models import QualityCheck, Question, Section
from kamrad.users.models import User
from kamrad.value.models import Sale

SEED = 20261101
RECORDED = 8  # recorded meetings: the first clients worked through
AHEAD = 6  # meetings planned in the days after the real date

# (product name prefix, promised speed in Mbit/s)
INTERNET = (("Интернет «Офис 100»", "100"), ("Интернет «Бизнес 500»", "500"))
INTERNET_1G = ("Интернет «Корпорация 1G»", "1000")

NEW_PEOPLE = (
    ("Ольга Викторовна Смирнова", "Финансовый директор", ["approves_budget"]),
    ("Артём Сергеевич Кузнецов", "Руководитель ИТ-службы", ["prepares", "uses"]),
    ("Марина Олеговна Зайцева", "Офис-менеджер", ["gatekeeper"]),
    ("Игорь Павлович Белов", "Заместитель генерального директора", ["decides"]),
)
PROUD = (
    "Начинали втроём в съёмной комнате, сегодня у компании четыре филиала в области.",
    "Первыми в городе перевели весь документооборот в электронный вид.",
    "Пережили кризис 2015 года без единого сокращения — этим гордятся больше всего.",
    "Выиграли областной конкурс «Лучший работодатель» два года подряд.",
)
ABOUT = (
    "Увлекается парусным спортом, летом каждые выходные на Волге.",
    "Двое детей, старший поступил в Бауманку — очень этим гордится.",
    "Коллекционирует старые карты Поволжья.",
)
REFERRALS = (
    ("ООО «Волжские окна»", "Андрей Николаевич Гусев", "Коммерческий директор"),
    ("АО «Приволжский хлебозавод»", "Елена Игоревна Рябова", "Главный инженер"),
    ("ООО «Стройдеталь»", "Василий Петрович Осипов", "Генеральный директор"),
)
PLACES = ("Офис клиента", "Наш офис, переговорная 2", "Ресторан «Волга», деловой обед")


@dataclass
class Loaded:
    recorded: int = 0
    planned: int = 0
    work_items: int = 0
    opportunities: int = 0
    referrals: int = 0


def load(*, today: datetime.date, stdout: TextIO | None = None) -> Loaded:
    """Write the demo meetings (one transaction). Needs the demo program and its questionnaire."""
    with transaction.atomic():
        questionnaire_defaults.install()  # after a flushed database the migration's are gone
        loaded = _Loader(random.Random(SEED), today).run()
    if stdout is not None:
        stdout.write(
            f"Meetings: {loaded.recorded} recorded ({loaded.work_items} work items, "
            f"{loaded.opportunities} opportunities, {loaded.referrals} referrals), "
            f"{loaded.planned} planned.\n"
        )
    return loaded


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _phone(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def _first(structure: dict[str, Any], kind: str, purpose: str | None = None) -> str | None:
    for section in structure.get("sections", []):
        if purpose is not None and section.get("purpose") != purpose:
            continue
        for question in section.get("questions", []):
            if question["kind"] == kind:
                return question["key"]
    return None


def _texts(structure: dict[str, Any], purpose: str) -> list[str]:
    return [
        q["key"]
        for s in structure.get("sections", [])
        if s.get("purpose") == purpose
        for q in s.get("questions", [])
        if q["kind"] in {Question.Kind.TEXT, Question.Kind.LONG_TEXT}
    ]


class _Loader:
    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        # A meeting is held only on a day that has come: never after the real date.
        self.last_day = min(today, timezone.localdate())
        self.loaded = Loaded()

    def run(self) -> Loaded:
        program = Program.objects.filter(status=Program.Status.RUNNING).first()
        if program is None:
            return self.loaded
        self.checks()
        entries = list(
            ProgramClient.objects.filter(program=program, assigned_to__isnull=False)
            .select_related("organization", "assigned_to")
            .order_by("organization__name", "id")
        )
        # The clients the program shows as worked through get the meetings that did it, so
        # every mark stays as the program's own demo dated it.
        worked = [e for e in entries if e.met_on and e.questionnaire_on and e.followups_on]
        for number, entry in enumerate(worked[:RECORDED]):
            self.recorded(entry, number)
        for entry in entries:
            if entry.meeting_planned_on and not entry.met_on:
                self.plan(entry, entry.meeting_planned_on)
        fresh = [e for e in entries if not e.meeting_planned_on and not e.met_on]
        for number, entry in enumerate(fresh[:AHEAD]):
            day = timezone.localdate() + datetime.timedelta(days=1 + number * 2)
            if day.weekday() >= 5:
                day += datetime.timedelta(days=7 - day.weekday())
            self.plan(entry, day)
        return self.loaded

    def checks(self) -> None:
        """Every internet service is of quality when the speed is as promised and nothing broke."""
        for name, speed in (*INTERNET, INTERNET_1G):
            product = Product.objects.filter(name=name, is_ours=True).first()
            if product is None or product.quality_checks.exists():
                continue
            QualityCheck.objects.create(
                product=product,
                position=0,
                text="Скорость доступа, которую клиент реально получает",
                kind=QualityCheck.Kind.AT_LEAST,
                unit="Мбит/с",
                promised=speed,
            )
            QualityCheck.objects.create(
                product=product,
                position=1,
                text="Заметный перерыв связи за последний месяц",
                kind=QualityCheck.Kind.NO_PASSES,
            )

    def people(self, organization: Organization) -> list[Contact]:
        return list(
            organization.contacts.filter(status=Contact.Status.ACTIVE)
            .prefetch_related("decision_roles")
            .order_by("id")[:3]
        )

    def plan(self, entry: ProgramClient, day: datetime.date) -> Meeting:
        organization = entry.organization
        meeting = services.meeting_plan(
            user=entry.assigned_to,
            organization=organization,
            data={
                "starts_at": _at(day, self.rng.choice((10, 11, 14, 16))),
                "duration_minutes": 60,
                "place": self.rng.choice(PLACES),
                "purpose": "Встреча VIP-программы: знакомство, качество, новые возможности",
                "our_people": [entry.assigned_to],
                "their_people": self.people(organization)[:2],
            },
            language="ru",
        )
        self.loaded.planned += 1
        return meeting

    def services_of(self, organization: Organization) -> list[Product]:
        ids = (
            Sale.objects.filter(organization=organization, product__quality_checks__isnull=False)
            .values_list("product_id", flat=True)
            .distinct()
        )
        found = list(Product.objects.filter(pk__in=list(ids)).order_by("name"))
        return found or list(
            Product.objects.filter(name=INTERNET[0][0], quality_checks__isnull=False).distinct()
        )

    def answers(self, meeting: Meeting, number: int) -> dict[str, Any]:
        rng = self.rng
        structure = meeting.questionnaire.structure
        answers: dict[str, Any] = {}
        people = self.people(meeting.organization)
        persons_key = _first(structure, Question.Kind.PERSONS)
        if persons_key:
            rows = []
            for index, person in enumerate(people):
                row = {"contact": person.pk, "full_name": person.full_name, "attended": index < 2}
                if index == 0 and number % 3 == 0:
                    row["about"] = ABOUT[number % len(ABOUT)]
                if index == 2 and number % 4 == 1:
                    row["left"] = True
                rows.append(row)
            name, position, roles = NEW_PEOPLE[number % len(NEW_PEOPLE)]
            rows.append(
                {
                    "full_name": name,
                    "position": position,
                    "roles": roles,
                    "phone": _phone(rng, "+7 927"),
                    "attended": True,
                }
            )
            answers[persons_key] = rows
        for key in _texts(structure, Section.Purpose.MEETING)[:1]:
            answers[key] = (
                "Познакомиться с новыми людьми, проверить качество, предложить расширение"
            )
        carnegie = _texts(structure, Section.Purpose.CARNEGIE)
        if carnegie:
            answers[carnegie[0]] = PROUD[number % len(PROUD)]
        quality_key = _first(structure, Question.Kind.QUALITY)
        if quality_key:
            rows = []
            for product in self.services_of(meeting.organization)[:1]:
                speed, outage = product.quality_checks.order_by("position")[:2]
                promised = int(speed.promised or "100")
                slow = number % 3 == 1
                measured = promised * rng.randint(40, 70) // 100 if slow else promised
                rows.append(
                    {
                        "product": product.pk,
                        "checks": [
                            {
                                "check": speed.pk,
                                "promised": str(promised),
                                "measured": str(measured),
                            },
                            {"check": outage.pk, "answer": "yes" if number % 4 == 2 else "no"},
                        ],
                    }
                )
            answers[quality_key] = rows
        expansion = _first(structure, Question.Kind.PRODUCT_OFFER, Section.Purpose.EXPANSION)
        if expansion and number % 2 == 0:
            product = Product.objects.filter(name=INTERNET_1G[0]).first()
            answers[expansion] = [
                {
                    "product": product.pk if product else None,
                    "product_name": "" if product else "Расширение канала",
                    "estimated_value": str(rng.choice((240_000, 360_000, 480_000))),
                    "currency": "RUB",
                    "next_step": "Отправить коммерческое предложение",
                    "next_step_on": (
                        timezone.localdate(meeting.starts_at) + datetime.timedelta(days=7)
                    ).isoformat(),
                }
            ]
        new_products = _first(structure, Question.Kind.PRODUCT_OFFER, Section.Purpose.NEW_PRODUCTS)
        if new_products and number % 3 != 2:
            product = Product.objects.filter(
                name__in=("Виртуальная АТС", "Защита от DDoS")
            ).order_by("name")[number % 2]
            answers[new_products] = [
                {
                    "product": product.pk,
                    "estimated_value": str(rng.choice((60_000, 120_000, 180_000))),
                    "currency": "RUB",
                    "next_step": "Показать демо-стенд",
                    "next_step_on": (
                        timezone.localdate(meeting.starts_at) + datetime.timedelta(days=14)
                    ).isoformat(),
                }
            ]
        referrals = _first(structure, Question.Kind.REFERRALS)
        if referrals and number < len(REFERRALS):
            company, person, position = REFERRALS[number]
            answers[referrals] = [
                {
                    "organization": company,
                    "person": person,
                    "position": position,
                    "phone": _phone(rng, "+7 8452"),
                    "referrer": people[0].pk if people else None,
                }
            ]
        return answers

    def recorded(self, entry: ProgramClient, number: int) -> None:
        held = min(entry.met_on, self.last_day)
        meeting = services.meeting_plan(
            user=entry.assigned_to,
            organization=entry.organization,
            data={
                "starts_at": _at(held, 11),
                "place": self.rng.choice(PLACES),
                "purpose": "Встреча VIP-программы",
                "our_people": [entry.assigned_to],
                "their_people": self.people(entry.organization)[:2],
            },
            language="ru",
        )
        if meeting.questionnaire is None:
            return
        user: User = entry.assigned_to
        meeting = services.meeting_save_answers(
            user=user,
            meeting=meeting,
            data=self.answers(meeting, number),
            expected_version=meeting.version,
        )
        keys = [change.key for change in services.meeting_review(meeting)]
        meeting = services.meeting_hold(
            user=user, meeting=meeting, expected_version=meeting.version, held_on=held
        )
        services.meeting_record(
            user=user, meeting=meeting, accepted=keys, expected_version=meeting.version
        )
        self.loaded.recorded += 1
        for item in WorkItem.objects.filter(meeting=meeting):
            self.loaded.work_items += 1
            if number % 2 == 0:  # the engineers fixed every other one already
                services.work_item_update(
                    user=user,
                    item=item,
                    data={
                        "status": WorkItem.Status.CLOSED,
                        "notes": "Заменили коммутатор, скорость в норме.",
                    },
                    expected_version=item.version,
                )
        self.loaded.opportunities += Opportunity.objects.filter(meeting=meeting).count()
        referred = Organization.objects.filter(referred_by=entry.organization)
        self.loaded.referrals += referred.count()
        if number == 0:  # the first referral has signed already
            for prospect in referred:
                # Signed: its director decides and signs, as on every client's card.
                for person in prospect.contacts.all():
                    client_services.contact_update(
                        user=user,
                        contact=person,
                        data={},
                        roles=["decides", "signs"],
                        expected_version=person.version,
                    )
                client_services.organization_update(
                    user=user,
                    organization=prospect,
                    data={"kind": Organization.Kind.CLIENT},
                    expected_version=prospect.version,
                )
