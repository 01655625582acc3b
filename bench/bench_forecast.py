"""Forecast benchmark: 5,000 generated weekly series with a known generating process.

Four patterns, 1,250 series each, 52 weeks: smooth (Poisson demand every week), intermittent
(demand in about a third of the weeks, steady sizes), lumpy (rare demand, sizes that vary
widely) and seasonal (a four-week cycle). Each series is fit on its first 48 weeks and forecast
for the last 4. Printed:

* the fit-and-forecast time, in all and per series (median of 3 runs), against the goal;
* how often the classification names the generating pattern (seasonal counts as smooth);
* the MASE of the method chosen for each pattern against that of the seasonal naive forecast
  on the same series (lower is better; the chosen method should not lose to it);
* with `--reference`: the largest difference from statsforecast's SES, Croston, SBA and TSB on
  the same series (run it where statsforecast is installed; it is not a dependency).

`python bench/bench_forecast.py [--series 5000] [--reference]`
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# Loaded by path: it needs only numpy, so the bench runs where statsforecast is installed too.
_spec = importlib.util.spec_from_file_location(
    "forecast", Path(__file__).resolve().parents[1] / "shop" / "core" / "forecast.py"
)
fc = importlib.util.module_from_spec(_spec)
sys.modules["forecast"] = fc
_spec.loader.exec_module(fc)

WEEKS, HOLDOUT, SEASON = 52, 4, 4
GOAL_SECONDS_PER_1000 = 2.0
PATTERNS = ("smooth", "intermittent", "lumpy", "seasonal")


def generate(n: int, seed: int = 7) -> list[tuple[str, np.ndarray]]:
    """`n` series, a quarter of each pattern, from a seeded generator."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        pattern = PATTERNS[i % 4]
        if pattern == "smooth":
            y = rng.poisson(rng.uniform(8, 40), WEEKS)
        elif pattern == "intermittent":
            y = rng.binomial(1, rng.uniform(0.2, 0.45), WEEKS) * (rng.poisson(6, WEEKS) + 4)
        elif pattern == "lumpy":
            sizes = rng.negative_binomial(1, rng.uniform(0.02, 0.1), WEEKS) + 1
            y = rng.binomial(1, rng.uniform(0.1, 0.35), WEEKS) * sizes
        else:
            level = rng.uniform(15, 40)
            cycle = np.array([1.6, 0.7, 0.9, 0.8])
            y = rng.poisson(level * np.tile(cycle, WEEKS // SEASON + 1)[:WEEKS])
        out.append((pattern, y.astype(float)))
    return out


def holdout_mase(train: np.ndarray, test: np.ndarray, predicted: np.ndarray) -> float | None:
    """The holdout's MAE over the training data's one-step naive MAE."""
    scale = float(np.abs(np.diff(train)).mean())
    return float(np.abs(test - predicted).mean() / scale) if scale > 0 else None


def run(series: list[tuple[str, np.ndarray]]) -> tuple[float, dict[str, list[float]], dict]:
    """Fit and forecast every series; the seconds it took, MASE pairs and the classification."""
    pairs: dict[str, list[tuple[float, float]]] = {p: [] for p in PATTERNS}
    named: dict[str, dict[str, int]] = {p: {} for p in PATTERNS}
    started = time.perf_counter()
    results = [fc.forecast(y[:-HOLDOUT], horizon=HOLDOUT, season=SEASON) for _p, y in series]
    seconds = time.perf_counter() - started
    for (pattern, y), result in zip(series, results, strict=True):
        train, test = y[:-HOLDOUT], y[-HOLDOUT:]
        label = f"{result.pattern}/{result.method}"
        named[pattern][label] = named[pattern].get(label, 0) + 1
        chosen = holdout_mase(train, test, np.array(result.values))
        baseline = holdout_mase(train, test, fc.seasonal_naive(train, HOLDOUT, SEASON))
        if chosen is not None and baseline is not None:
            pairs[pattern].append((chosen, baseline))
    return seconds, pairs, named


def reference(series: list[tuple[str, np.ndarray]]) -> dict[str, float]:
    """The largest absolute difference from statsforecast's own implementations."""
    from statsforecast.models import TSB, CrostonClassic, CrostonSBA, SimpleExponentialSmoothing

    ours = {
        "ses": lambda y: fc.ses(y, 1, alpha=0.2)[0],
        "croston": lambda y: fc.croston(y, 1, alpha=0.1)[0],
        "sba": lambda y: fc.sba(y, 1, alpha=0.1)[0],
        "tsb": lambda y: fc.tsb(y, 1, alpha=0.1, beta=0.1)[0],
    }
    theirs = {
        "ses": lambda: SimpleExponentialSmoothing(alpha=0.2),
        "croston": lambda: CrostonClassic(),
        "sba": lambda: CrostonSBA(),
        "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
    }
    worst = dict.fromkeys(ours, 0.0)
    for _pattern, y in series[:400]:
        train = y[:-HOLDOUT]
        if not (train > 0).any():
            continue
        for name, mine in ours.items():
            model = theirs[name]().fit(train)
            their = float(model.predict(h=1)["mean"][0])
            worst[name] = max(worst[name], abs(mine(train) - their))
    return worst


def main() -> None:
    """Print the figures with their goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args()
    series = generate(args.series)
    runs = [run(series) for _ in range(3)]
    seconds = statistics.median(r[0] for r in runs)
    _s, pairs, named = runs[0]
    per_1000 = seconds / len(series) * 1000
    print(
        f"series: {len(series)}, {WEEKS} weeks each, fit on {WEEKS - HOLDOUT}, forecast {HOLDOUT}"
    )
    print(
        f"fit and forecast: {seconds:.2f} s in all (median of 3), "
        f"{per_1000:.2f} s per 1,000 series (goal <= {GOAL_SECONDS_PER_1000:.1f} s)"
    )
    print()
    print("| generated | pattern / method | MASE chosen | MASE seasonal naive | chosen / naive |")
    print("|---|---|---|---|---|")
    for pattern in PATTERNS:
        got = ", ".join(
            f"{k} {v}" for k, v in sorted(named[pattern].items(), key=lambda kv: -kv[1])
        )
        chosen = statistics.median(c for c, _b in pairs[pattern])
        base = statistics.median(b for _c, b in pairs[pattern])
        print(f"| {pattern} | {got} | {chosen:.3f} | {base:.3f} | {chosen / base:.2f} |")
    print("(median over the series; goal: chosen / naive <= 1.00 for every pattern)")
    if args.reference:
        print()
        for name, diff in reference(series).items():
            print(f"largest difference from statsforecast's {name}: {diff:.2e} (goal <= 1e-6)")


if __name__ == "__main__":
    main()
