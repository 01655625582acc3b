"""The seeded random-operation simulator (bench/simulate.py), a few hundred steps per run.

Every step checks every invariant; a failure names the seed and step to replay with
`bench/simulate.py --seed N --steps M`. The long run is `bench/simulate.py --steps 100000`.
"""

from __future__ import annotations

import pytest

from bench.simulate import Simulator


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_walk_of_orders_payments_and_refunds_keeps_every_invariant(demo, seed):
    sim = Simulator(demo, seed)
    for n in range(1, 151):
        sim.step(n)
    # the walk did each kind of thing, not only the cheap ones
    assert set(sim.done) == {"place", "retry", "pay", "webhook", "cancel", "lapse", "refund"}
