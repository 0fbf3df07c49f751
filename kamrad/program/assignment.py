"""The split of a program's clients among its members: a pure, deterministic computation.

No database here: `propose()` takes plain tuples and returns plain tuples, so it is cheap to
test on hand-made cases and fast enough for 100,000 clients and 200 members (one pass, a heap).

The rules, in order, for each client:
1. a client the head locked stays with the member it was locked to;
2. the salesperson who brought it (its owner) keeps it when the head rated their relations
   excellent and has not doubted that they sell it all it can use — if the owner is a member
   with room left;
3. an owner flagged as guarding the client from colleagues never gets it (rule 3), a doubted
   owner or one whose relations are not excellent leaves it to another member (rule 2); every
   such client, and those whose owner is not on the program, go to the balance:
   - each member has a quota, their share of all the clients' estimated minutes in proportion
     to their capacity (never more than that capacity while the program has room);
   - a client goes to the member who last took a client of the same industry and region (or,
     failing that, the same industry, then the same region) while that member is within quota —
     keeping a member's clients together where it costs nothing;
   - otherwise to the member furthest below their quota (ties to the lower member id).
Clients are taken in the order of (industry, region, organization id), so the result depends
on the data alone.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OWNER_KEPT = "owner_kept"
OWNER_FULL = "owner_full"
OWNER_DOUBTED = "owner_doubted"
OWNER_GUARDS = "owner_guards"
NO_OWNER = "no_owner"
LOCKED = "locked"
NOBODY = "nobody"

EXCELLENT = "excellent"


@dataclass(frozen=True, slots=True)
class MemberIn:
    id: int
    user_id: int
    capacity: int  # minutes; 0 for a member who takes no clients


# ClientIn and Placement are made 100,000 at a time: a frozen dataclass's __init__ (one
# object.__setattr__ per field) would cost three times as much, so they are plain slotted ones
# that nothing changes after they are made.
@dataclass(slots=True)
class ClientIn:
    id: int  # the program client
    organization_id: int
    owner_id: int | None  # the user who brought it
    relation: str  # the owner's relations with it, as the head rated them
    doubted: bool
    guards: bool
    industry_id: int | None
    region_id: int | None
    minutes: int
    locked_member_id: int | None = None


@dataclass(slots=True)
class Placement:
    client_id: int
    member_id: int | None
    rule: str
    grouped: bool
    over_capacity: bool


@dataclass
class _Load:
    minutes: int = 0
    clients: int = 0


def _sort_key(client: ClientIn) -> tuple[int, int, int]:
    return (client.industry_id or 0, client.region_id or 0, client.organization_id)


def propose(members: Sequence[MemberIn], clients: Iterable[ClientIn]) -> list[Placement]:
    """Place every client; a client nobody may take comes back with member None (rule NOBODY)."""
    takers = [m for m in members if m.capacity > 0]
    by_id = {m.id: m for m in members}
    member_of_user = {m.user_id: m.id for m in takers}
    ordered = sorted(clients, key=_sort_key)
    load = {m.id: _Load() for m in members}
    placements: dict[int, Placement] = {}
    rest: list[tuple[ClientIn, str, int | None]] = []  # client, rule, an excluded member

    # First the decisions that do not depend on balance: locks, then owners who keep theirs.
    for client in ordered:
        owner = member_of_user.get(client.owner_id) if client.owner_id is not None else None
        if client.locked_member_id is not None and client.locked_member_id in by_id:
            _take(load, client.locked_member_id, client.minutes)
            placements[client.id] = Placement(
                client.id, client.locked_member_id, LOCKED, False, False
            )
        elif owner is None:
            rest.append((client, NO_OWNER, None))
        elif client.guards:
            rest.append((client, OWNER_GUARDS, owner))
        elif client.doubted or client.relation != EXCELLENT:
            rest.append((client, OWNER_DOUBTED, owner))
        elif load[owner].minutes + client.minutes <= by_id[owner].capacity:
            _take(load, owner, client.minutes)
            placements[client.id] = Placement(client.id, owner, OWNER_KEPT, False, False)
        else:
            rest.append((client, OWNER_FULL, None))

    if takers:
        _balance(takers, load, rest, placements)
    else:
        for client, _rule, _excluded in rest:
            placements[client.id] = Placement(client.id, None, NOBODY, False, False)

    over = {mid for mid, used in load.items() if used.minutes > by_id[mid].capacity}
    result = [placements[c.id] for c in ordered]
    if over:
        for placement in result:
            if placement.member_id in over:
                placement.over_capacity = True
    return result


def _take(load: dict[int, _Load], member_id: int, minutes: int) -> None:
    used = load[member_id]
    used.minutes += minutes
    used.clients += 1


def _balance(
    takers: list[MemberIn],
    load: dict[int, _Load],
    rest: list[tuple[ClientIn, str, int | None]],
    placements: dict[int, Placement],
) -> None:
    total_capacity = sum(m.capacity for m in takers)
    demand = sum(load[m.id].minutes for m in takers) + sum(c.minutes for c, _r, _e in rest)
    # Each member's quota: their capacity's share of the whole demand, and never more than
    # their capacity while the whole program has room. Integers: ceil(a / b) = -(-a // b).
    quota = {}
    for m in takers:
        share = -(-demand * m.capacity // total_capacity)
        quota[m.id] = min(share, m.capacity) if demand <= total_capacity else share

    def room(mid: int, minutes: int) -> bool:
        return load[mid].minutes + minutes <= quota[mid]

    # The heap orders members by how full they are against their quota, ties to the lower id.
    # A stale entry (the member took a client since) is skipped when popped.
    heap: list[tuple[int, int, int]] = []
    for m in takers:
        used = load[m.id].minutes
        heapq.heappush(heap, (_fullness(used, quota[m.id]), m.id, used))

    last_of_group: dict[tuple[str, int], int] = {}
    for client, rule, excluded in rest:
        keys = _group_keys(client)
        chosen: int | None = None
        grouped = False
        for key in keys:
            candidate = last_of_group.get(key)
            if candidate is not None and candidate != excluded and room(candidate, client.minutes):
                chosen, grouped = candidate, True
                break
        if chosen is None:
            chosen = _least_full(heap, load, excluded)
        if chosen is None:
            placements[client.id] = Placement(client.id, None, NOBODY, False, False)
            continue
        _take(load, chosen, client.minutes)
        used = load[chosen].minutes
        heapq.heappush(heap, (_fullness(used, quota[chosen]), chosen, used))
        for key in keys:
            last_of_group[key] = chosen
        placements[client.id] = Placement(client.id, chosen, rule, grouped, False)


def _group_keys(client: ClientIn) -> list[tuple[str, int]]:
    """The groups a client belongs to, closest first: its industry in its region, its
    industry, its region."""
    keys: list[tuple[str, int]] = []
    if client.industry_id is not None and client.region_id is not None:
        # One integer for the pair, so the key stays a small tuple.
        keys.append(("both", client.industry_id * 1_000_003 + client.region_id))
    if client.industry_id is not None:
        keys.append(("industry", client.industry_id))
    if client.region_id is not None:
        keys.append(("region", client.region_id))
    return keys


def _fullness(used: int, quota: int) -> int:
    # How full a member is against their quota, in millionths: integers, so that no float
    # rounding can order two members differently on another machine.
    return used * 1_000_000 // quota if quota > 0 else 10**18


def _least_full(
    heap: list[tuple[int, int, int]], load: dict[int, _Load], excluded: int | None
) -> int | None:
    put_back = []
    chosen = None
    while heap:
        entry = heapq.heappop(heap)
        _fullness_then, mid, used_then = entry
        if used_then != load[mid].minutes:
            continue  # stale: a fresher entry for this member is in the heap
        put_back.append(entry)
        if mid == excluded:
            continue
        chosen = mid  # the caller pushes its fresh entry, which makes this one stale
        break
    for entry in put_back:
        heapq.heappush(heap, entry)
    return chosen
