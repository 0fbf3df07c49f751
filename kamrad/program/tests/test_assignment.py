"""The split on hand-made cases, with no database: each rule, capacity, determinism."""

from __future__ import annotations

import random
from collections import Counter

from kamrad.program.assignment import ClientIn, MemberIn, propose

ALICE, BOB, CAROL = 1, 2, 3
USER = {ALICE: 101, BOB: 102, CAROL: 103}


def member(mid: int, capacity: int = 600) -> MemberIn:
    return MemberIn(id=mid, user_id=USER[mid], capacity=capacity)


def client(
    cid: int,
    owner: int | None = None,
    relation: str = "excellent",
    *,
    doubted: bool = False,
    guards: bool = False,
    industry: int | None = None,
    region: int | None = None,
    minutes: int = 120,
    locked: int | None = None,
) -> ClientIn:
    return ClientIn(
        id=cid,
        organization_id=1000 + cid,
        owner_id=USER[owner] if owner else None,
        relation=relation,
        doubted=doubted,
        guards=guards,
        industry_id=industry,
        region_id=region,
        minutes=minutes,
        locked_member_id=locked,
    )


def placed(placements: list) -> dict[int, tuple[int | None, str]]:
    return {p.client_id: (p.member_id, p.rule) for p in placements}


def test_it_keeps_the_owner_when_relations_are_excellent_and_undoubted():
    result = placed(propose([member(ALICE), member(BOB)], [client(1, owner=ALICE)]))
    assert result[1] == (ALICE, "owner_kept")


def test_it_gives_a_doubted_owners_client_to_someone_else():
    result = placed(propose([member(ALICE), member(BOB)], [client(1, ALICE, doubted=True)]))
    assert result[1] == (BOB, "owner_doubted")


def test_it_treats_relations_not_rated_excellent_as_doubtful():
    result = placed(propose([member(ALICE), member(BOB)], [client(1, ALICE, relation="good")]))
    assert result[1] == (BOB, "owner_doubted")


def test_it_never_gives_a_guarded_client_back_to_its_owner():
    # alice is far less loaded than bob, and still does not get her guarded clients back.
    clients = [client(i, ALICE, guards=True) for i in range(1, 30)]
    result = placed(propose([member(ALICE, 10_000), member(BOB, 100)], clients))
    assert {m for m, _rule in result.values()} == {BOB}
    assert {rule for _m, rule in result.values()} == {"owner_guards"}


def test_it_leaves_a_guarded_client_unplaced_when_its_owner_is_the_only_member():
    result = placed(propose([member(ALICE)], [client(1, ALICE, guards=True)]))
    assert result[1] == (None, "nobody")


def test_it_balances_when_the_owner_has_no_room():
    clients = [client(i, ALICE, minutes=300) for i in range(1, 4)]
    result = placed(propose([member(ALICE, 600), member(BOB, 600)], clients))
    assert [result[i] for i in (1, 2)] == [(ALICE, "owner_kept")] * 2
    assert result[3] == (BOB, "owner_full")


def test_it_balances_clients_whose_owner_is_not_on_the_program_by_capacity():
    # carol has twice the capacity of alice and bob, so she takes twice their clients.
    members = [member(ALICE, 600), member(BOB, 600), member(CAROL, 1200)]
    clients = [client(i, None, minutes=60) for i in range(1, 21)]
    counts = Counter(m for m, _rule in placed(propose(members, clients)).values())
    assert counts == {CAROL: 10, ALICE: 5, BOB: 5}


def test_it_never_exceeds_a_members_capacity_while_another_has_room():
    members = [member(ALICE, 240), member(BOB, 2400)]
    clients = [client(i, None, minutes=120) for i in range(1, 11)]
    placements = propose(members, clients)
    load = Counter()
    for p in placements:
        load[p.member_id] += 120
    assert load[ALICE] <= 240 and load[BOB] <= 2400
    assert not any(p.over_capacity for p in placements)


def test_it_spreads_the_overload_by_capacity_and_flags_it_when_demand_exceeds_capacity():
    members = [member(ALICE, 120), member(BOB, 240)]
    clients = [client(i, None, minutes=120) for i in range(1, 10)]
    placements = propose(members, clients)
    counts = Counter(p.member_id for p in placements)
    assert counts == {BOB: 6, ALICE: 3}
    assert all(p.over_capacity for p in placements)


def test_it_keeps_a_members_clients_of_one_industry_and_region_together_where_it_costs_nothing():
    members = [member(ALICE, 6000), member(BOB, 6000)]
    clients = [client(i, None, industry=1 + i % 2, region=7, minutes=60) for i in range(1, 21)]
    placements = propose(members, clients)
    by_industry: dict[int, set[int]] = {}
    for c, p in zip(
        sorted(clients, key=lambda c: c.id),
        sorted(placements, key=lambda p: p.client_id),
        strict=True,
    ):
        by_industry.setdefault(c.industry_id, set()).add(p.member_id)
    assert by_industry == {1: {ALICE}, 2: {BOB}}
    assert Counter(p.member_id for p in placements) == {ALICE: 10, BOB: 10}


def test_it_keeps_a_lock_whatever_the_rules_say():
    result = placed(propose([member(ALICE), member(BOB)], [client(1, ALICE, locked=BOB)]))
    assert result[1] == (BOB, "locked")


def test_it_gives_no_client_to_a_member_without_capacity():
    result = placed(propose([member(ALICE, 0), member(BOB)], [client(1, ALICE), client(2)]))
    assert result == {1: (BOB, "no_owner"), 2: (BOB, "no_owner")}


def test_it_places_nobody_without_members():
    assert placed(propose([], [client(1, ALICE)])) == {1: (None, "nobody")}


def test_it_is_deterministic_whatever_the_input_order():
    rnd = random.Random(7)
    members = [member(ALICE, 3000), member(BOB, 1500), member(CAROL, 4500)]
    owners = [None, ALICE, BOB, CAROL]
    clients = [
        client(
            i,
            rnd.choice(owners),
            rnd.choice(["excellent", "good", "unknown"]),
            doubted=rnd.random() < 0.2,
            guards=rnd.random() < 0.1,
            industry=rnd.choice([None, 1, 2, 3]),
            region=rnd.choice([None, 1, 2]),
        )
        for i in range(1, 200)
    ]
    first = placed(propose(members, clients))
    shuffled = clients[:]
    rnd.shuffle(shuffled)
    assert placed(propose(list(reversed(members)), shuffled)) == first
