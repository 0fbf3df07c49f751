"""A small pyramid: alice's and bob's clients with known figures, recomputed."""

from __future__ import annotations

import pytest

from kamrad.clients.models import Organization
from kamrad.pyramid import services
from kamrad.pyramid.tests.helpers import ON, QUARTERS, client, cost, sale, steady
from kamrad.users.models import User


@pytest.fixture
def pyramid_world(alice: User, bob: User) -> dict[str, Organization]:
    """Ten clients: alice's top one and ballast, bob's top one and a worker, six strategic."""
    world = {
        "alice_top": client("Alpha Mills", alice),
        "alice_ballast": client('=HYPERLINK("http://x")', alice),
        "bob_top": client("Bravo Steel", bob),
        "bob_worker": client("Bravo Swings", bob),
    }
    steady(world["alice_top"], 5000)
    steady(world["bob_top"], 4000)
    cost(world["alice_ballast"], ON.replace(month=1), 300)
    for i, day in enumerate(QUARTERS):
        sale(world["bob_worker"], day, 600 if i % 2 else 0)
    for i in range(6):
        world[f"strategic_{i}"] = client(f"Steady {i}", alice if i < 3 else bob)
        steady(world[f"strategic_{i}"], 100 + i)
    services.pyramid_recompute(user=None, on=ON)
    return world
