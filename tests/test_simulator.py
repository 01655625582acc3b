"""The seeded random-operation simulator (bench/simulate.py), a few hundred steps per run.

Every step checks every invariant; a failure names the seed and step to replay with
`bench/simulate.py --seed N --steps M`. The long run is `bench/simulate.py --steps 100000`.
"""

from __future__ import annotations

import pytest

from bench.simulate import Clock, Simulator
from shop.core import db


def _walk(app, seed, steps, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(db, "utcnow", clock)
    sim = Simulator(app, seed, clock)
    for n in range(1, steps + 1):
        sim.step(n)
    return sim


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_walk_of_orders_payments_and_refunds_keeps_every_invariant(
    demo, seed, monkeypatch
):
    sim = _walk(demo, seed, 150, monkeypatch)
    # the walk did each kind of thing, not only the cheap ones
    assert set(sim.done) == {"place", "retry", "pay", "webhook", "cancel", "lapse", "refund"}
