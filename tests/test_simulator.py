"""The seeded random-operation simulator (bench/simulate.py), a few hundred steps per run.

Every step checks every invariant; a failure names the seed and step to replay with
`bench/simulate.py --seed N --steps M`. The long run is `bench/simulate.py --steps 100000`.
The walks must also have brought things about (paid and refunded orders, delivered tasks and
their credits, missed promises, withdrawals, decided batches): invariants that hold over a
walk where nothing happens prove nothing, as they once did when the delivery windows opened
on the wall clock and the simulated days had none.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.simulate import OPERATIONS, Clock, Simulator
from shop.core import db

SEEDS = (1, 2, 3)
STEPS = 250


def _walk(app, seed, steps, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(db, "utcnow", clock)
    sim = Simulator(app, seed, clock)
    for n in range(1, steps + 1):
        sim.step(n)
    return sim


@pytest.fixture(scope="module")
def seen():
    """What the module's walks did and brought about, added up over the seeds."""
    return {"done": Counter(), "outcomes": Counter()}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_random_walk_keeps_every_invariant(demo, seed, monkeypatch, seen):
    sim = _walk(demo, seed, STEPS, monkeypatch)
    seen["done"].update(sim.done)
    for kind, counts in sim.outcomes().items():
        for status, n in counts.items():
            seen["outcomes"][f"{kind}.{status}"] += n


def test_the_walks_did_everything_and_brought_it_about(seen):
    if not seen["done"]:
        pytest.fail("run with the walks above: this test reads what they did")
    assert set(seen["done"]) == set(OPERATIONS)
    brought = {key for key, n in seen["outcomes"].items() if n}
    wanted = {
        "orders.completed",
        "orders.refunded",
        "orders.cancelled",
        "tasks.done",
        "tasks.failed",
        "credits.available",
        "compensations.paid",
        "pledges.ordered",
        "pledges.released",
        "batches.ordered",
    }
    assert wanted <= brought, f"never happened: {sorted(wanted - brought)}"
    assert any(key.startswith("withdrawals.") for key in brought), "no withdrawal"
