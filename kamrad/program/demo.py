"""The demo's VIP program: running since the autumn elections, split and partly worked through.

Deterministic (its own `random.Random(SEED)`; every date counts from the demo's day). Everything
goes through `kamrad.program.services`, as the head's own clicks would: the program and its
staff, the client list (every corporate client and the two most valuable private ones), the
head's judgement of the salespeople who brought the clients, the goals' targets, one proposal
with a client moved by the head, its confirmation (so the reassignments are recorded), and the
first month of meetings, questionnaires and follow-ups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from kamrad.clients.models import Organization
from kamrad.program import selectors, services
from kamrad.program.models import Goal, Member, Program, ProgramClient, Proposal
from kamrad.pyramid.models import ClientValue
from kamrad.users.models import User

SEED = 20260921
STARTS_ON = date(2026, 9, 21)  # the Monday after the elections that started it all
ENDS_ON = date(2026, 12, 31)
COUNCIL = "Городская дума Приволжска"

# (username, capacity, share of their time): the head takes a few key clients herself.
STAFF = (
    ("anna", Member.Capacity.DEDICATED, 100),
    ("dmitry", Member.Capacity.PART_TIME, 50),
    ("head", Member.Capacity.PART_TIME, 20),
)

# What the head wrote of the salespeople whose clients she knows best.
EXCELLENT_NOTES = (
    "Знает всех ключевых людей, встречается раз в квартал.",
    "Подключил им все филиалы, директор звонит ему напрямую.",
    "Ведёт клиента с первого договора, отношения отличные.",
    "Продала им резервный канал и хостинг, клиент доволен.",
)
DOUBTED_NOTES = (
    "Берут только интернет; телефонию и хостинг им ни разу не предлагали.",
    "Объём не растёт третий год, хотя у клиента открылись новые офисы.",
    "Хорошие отношения с директором, но с ИТ-службой никто не знаком.",
)
POOR_NOTE = "После летней аварии переписка только о претензиях и счетах."
GUARD_NOTE = "Не пускает коллег к клиенту: все контакты и встречи только через себя."
COUNCIL_NOTE = "После выборов состав думы сменился полностью; новых людей веду сама."

GOALS = {
    Goal.Code.KEY_PEOPLE_MET: (120, None),
    Goal.Code.CONTACTS_UPDATED: (400, None),
    Goal.Code.QUALITY_FOUND: (20, 9),
    Goal.Code.QUALITY_FIXED: (20, 6),
    Goal.Code.EXTRA_VOLUME: (2_000_000_000, None),  # 20 million roubles, in kopecks
    Goal.Code.NEW_PRODUCTS: (25, None),
    Goal.Code.REFERRALS: (15, 4),
}


@dataclass
class Loaded:
    program: Program | None = None
    clients: int = 0
    members: int = 0
    assessed: int = 0
    reassigned: int = 0
    worked: int = 0
    in_progress: int = 0


def load(*, today: date, stdout: TextIO | None = None) -> Loaded:
    """Write the demo program (one transaction). Needs the demo's users and clients, and their
    pyramid (the private clients on the list are the most valuable ones)."""
    with transaction.atomic():
        return _Loader(random.Random(SEED), today).run(stdout)


class _Loader:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        # Work is recorded only once it happened: never after the demo's day, nor the real one.
        self.last_day = min(today, timezone.localdate())
        self.today = today
        self.loaded = Loaded()
        self.users = {
            u.username: u for u in User.objects.filter(username__in=[s for s, *_ in STAFF])
        }
        self.head = self.users["head"]

    def run(self, stdout: TextIO | None) -> Loaded:
        program = self.program()
        self.client_list(program)
        self.assess(program)
        self.goals(program)
        self.split(program)
        self.work(program)
        if stdout is not None:
            done = self.loaded
            stdout.write(
                f"VIP program: {done.clients} clients split among {done.members} members "
                f"({done.reassigned} reassigned), {done.worked} worked through, "
                f"{done.in_progress} in progress.\n"
            )
        return self.loaded

    def program(self) -> Program:
        program = services.program_create(
            user=self.head,
            data={
                "name": "VIP-программа 2026",
                "starts_on": STARTS_ON,
                "ends_on": ENDS_ON,
                "head": self.head,
                "status": Program.Status.RUNNING,
                "goals": (
                    "До конца года встретиться с каждым корпоративным клиентом без исключения: "
                    "узнать новых ключевых людей, обновить контакты, собрать отзывы о качестве, "
                    "предложить новые услуги и попросить рекомендации."
                ),
            },
        )
        for username, capacity, share in STAFF:
            services.member_add(
                user=self.head,
                program=program,
                data={"user": self.users[username], "capacity": capacity, "share_percent": share},
            )
        self.loaded.program = program
        self.loaded.members = len(STAFF)
        return program

    def client_list(self, program: Program) -> None:
        added = services.clients_add_corporate(user=self.head, program=program)
        valuable = (
            ClientValue.objects.filter(
                organization__kind=Organization.Kind.CLIENT, organization__is_private=True
            )
            .select_related("organization")
            .order_by("-ltv", "organization__name")[:2]
        )
        added += services.clients_add(
            user=self.head, program=program, organizations=[v.organization for v in valuable]
        )
        self.loaded.clients = added

    def assess(self, program: Program) -> None:
        """The head's judgement: the salespeople who guard their clients (the data points at
        them), a few excellent relations and a few doubtful ones she wrote a note about, and a
        quick rating of the rest of the clients whose salesperson manages them."""
        rng = self.rng
        staff = {u.pk for u in self.users.values()}
        clients = list(
            ProgramClient.objects.filter(program=program)
            .select_related("organization")
            .order_by("organization__name", "id")
        )
        suspects = selectors.monopoly_suspects(program, self.head)
        guarded = sorted(
            (
                c
                for c in clients
                if c.organization_id in suspects
                and suspects[c.organization_id].user_id == c.organization.owner_id
                and c.organization.name != COUNCIL
            ),
            key=lambda c: (-suspects[c.organization_id].records, c.organization.name),
        )[:2]
        judged: dict[int, dict[str, object]] = {
            c.pk: {"owner_relation": "good", "owner_guards": True, "assessment_note": GUARD_NOTE}
            for c in guarded
        }
        own = [
            c
            for c in clients
            if c.pk not in judged
            and c.organization.owner_id in staff
            and c.organization.owner_id == c.organization.account_manager_id
            and c.organization.name != COUNCIL
        ]
        for i, client in enumerate(own):
            roll = rng.random()
            data: dict[str, object]
            if i < len(EXCELLENT_NOTES):
                data = {"owner_relation": "excellent", "assessment_note": EXCELLENT_NOTES[i]}
            elif i < len(EXCELLENT_NOTES) + len(DOUBTED_NOTES):
                note = DOUBTED_NOTES[i - len(EXCELLENT_NOTES)]
                data = {
                    "owner_relation": "excellent",
                    "owner_doubted": True,
                    "assessment_note": note,
                }
            elif i == len(EXCELLENT_NOTES) + len(DOUBTED_NOTES):
                data = {"owner_relation": "poor", "assessment_note": POOR_NOTE}
            elif roll < 0.75:
                data = {"owner_relation": "excellent"}
            elif roll < 0.9:
                data = {"owner_relation": "good"}
            else:
                continue  # not rated yet
            judged[client.pk] = data
        for client in clients:
            data = judged.get(client.pk)
            if data is not None:
                services.client_assess(
                    user=self.head, client=client, data=data, expected_version=client.version
                )
        self.loaded.assessed = len(judged)

    def goals(self, program: Program) -> None:
        for code, (target, achieved) in GOALS.items():
            services.goal_set(
                user=self.head, program=program, code=code, target=target, achieved=achieved
            )

    def split(self, program: Program) -> None:
        """Propose, move the city council to the head (its people are all new), confirm."""
        proposal = services.proposal_create(user=self.head, program=program)
        head_member = Member.objects.get(program=program, user=self.head)
        council = proposal.lines.filter(organization__name=COUNCIL).select_related(
            "client__organization", "proposal"
        )
        for line in council:
            if line.member_id != head_member.pk:
                services.proposal_move(
                    user=self.head,
                    line=line,
                    member=head_member,
                    expected_version=line.proposal.version,
                )
        proposal = Proposal.objects.get(pk=proposal.pk)
        self.loaded.reassigned = services.proposal_confirm(
            user=self.head, proposal=proposal, expected_version=proposal.version
        )

    def work(self, program: Program) -> None:
        """The first weeks: meetings held, questionnaires recorded, follow-ups created, and
        meetings planned for the weeks ahead, each recorded by the member who holds the client."""
        rng = self.rng
        first = STARTS_ON + timedelta(days=2)
        span = (self.last_day - first).days
        if span < 7:
            return
        holders = {u.pk: u for u in User.objects.filter(program_memberships__program=program)}
        clients = (
            ProgramClient.objects.filter(program=program)
            .select_related("organization")
            .order_by("organization__name", "id")
        )
        for client in clients:
            roll = rng.random()
            if client.organization.name == COUNCIL:
                roll = 0.3  # met the new chair, questionnaire in, follow-ups still open
            data = self.steps(roll, first, span)
            if not data:
                continue
            user = holders.get(client.assigned_to_id, self.head)
            services.client_record_work(
                user=user, client=client, data=data, expected_version=client.version
            )
            if data.get("followups_on"):
                self.loaded.worked += 1
            else:
                self.loaded.in_progress += 1

    def steps(self, roll: float, first: date, span: int) -> dict[str, date]:
        """What a client got so far, by one roll: a quarter worked through, a third under way."""
        rng = self.rng
        if roll >= 0.58:
            return {}
        if roll >= 0.46:  # a meeting planned for the weeks ahead
            return {"meeting_planned_on": self.today + timedelta(days=rng.randint(2, 24))}
        met = first + timedelta(days=rng.randint(0, span - 3))
        met -= timedelta(days=max(0, met.weekday() - 4))  # a weekend meeting moves to Friday
        planned = max(STARTS_ON, met - timedelta(days=rng.randint(3, 10)))
        data = {"meeting_planned_on": planned, "met_on": met}
        if roll >= 0.36:
            return data
        questionnaire = min(met + timedelta(days=rng.randint(0, 3)), self.last_day)
        data["questionnaire_on"] = questionnaire
        if roll >= 0.26:
            return data
        data["followups_on"] = min(questionnaire + timedelta(days=rng.randint(1, 9)), self.last_day)
        return data
