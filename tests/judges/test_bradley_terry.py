from __future__ import annotations

import math

import numpy as np
import pytest

from judges.bradley_terry import fit


def _simulate(strengths: dict[str, float], rounds: int, seed: int) -> list[tuple[str, str, float, float]]:
    """Soft outcomes: noisy probabilities around the Bradley-Terry truth, both orders."""
    rng = np.random.default_rng(seed)
    names = list(strengths)
    out = []
    for _ in range(rounds):
        for a in names:
            for b in names:
                if a == b:
                    continue
                p = 1 / (1 + math.exp(-(strengths[a] - strengths[b])))
                out.append((a, b, float(np.clip(p + rng.normal(0, 0.1), 0, 1)), 1.0))
    return out


def test_recovers_order_of_known_strengths():
    truth = {"a": -1.5, "b": -0.5, "c": 0.2, "d": 0.9, "e": 1.6}
    got = fit(list(truth), _simulate(truth, rounds=3, seed=0), prior=0.1, max_iter=500)
    assert sorted(got, key=got.get) == ["a", "b", "c", "d", "e"]
    assert abs(sum(got.values())) < 1e-9
    # clean soft outcomes at the true probabilities recover the true centred strengths
    mean = sum(truth.values()) / len(truth)
    clean = fit(list(truth), _exact(truth), prior=0.0, max_iter=2000)
    for name, s in truth.items():
        assert clean[name] == pytest.approx(s - mean, abs=1e-4)


def _exact(strengths: dict[str, float]) -> list[tuple[str, str, float, float]]:
    names = list(strengths)
    return [(a, b, 1 / (1 + math.exp(-(strengths[a] - strengths[b]))), 1.0) for a in names for b in names if a != b]


def test_item_that_always_wins_stays_finite():
    outcomes = [("top", x, 1.0, 1.0) for x in ("x", "y", "z")] + [("x", "y", 0.5, 1.0), ("y", "z", 0.5, 1.0)]
    got = fit(["top", "x", "y", "z"], outcomes, prior=0.1, max_iter=200)
    assert all(math.isfinite(v) for v in got.values())
    assert got["top"] == max(got.values())
    assert got["top"] - got["x"] > 1.0
    # without a prior the maximum-likelihood strength is infinite; the fit still returns finite numbers
    bare = fit(["top", "x", "y", "z"], outcomes, prior=0.0, max_iter=200)
    assert all(math.isfinite(v) for v in bare.values())
    assert bare["top"] > got["top"]


def test_symmetric_inputs_give_equal_strengths():
    outcomes = [("a", "b", 0.8, 1.0), ("b", "a", 0.8, 1.0), ("b", "c", 0.3, 1.0), ("c", "b", 0.3, 1.0)]
    outcomes += [("a", "c", 0.6, 1.0), ("c", "a", 0.6, 1.0)]
    got = fit(["a", "b", "c"], outcomes, prior=0.1, max_iter=200)
    for v in got.values():
        assert v == pytest.approx(0.0, abs=1e-9)


def test_weight_and_soft_outcome_count_as_fractional_wins():
    # 0.7 with weight 1 equals 0.35 + 0.35 split in two judgments, and weight 2 equals two copies
    one = fit(["a", "b"], [("a", "b", 0.7, 1.0)], prior=0.1, max_iter=500)
    two = fit(["a", "b"], [("a", "b", 0.7, 0.5), ("b", "a", 0.3, 0.5)], prior=0.1, max_iter=500)
    assert one["a"] == pytest.approx(two["a"], abs=1e-8)
    heavy = fit(["a", "b"], [("a", "b", 0.7, 2.0)], prior=0.1, max_iter=500)
    copies = fit(["a", "b"], [("a", "b", 0.7, 1.0)] * 2, prior=0.1, max_iter=500)
    assert heavy["a"] == pytest.approx(copies["a"], abs=1e-8)
    assert one["a"] > 0 > one["b"]


def test_deterministic_and_unknown_item_is_an_error():
    truth = {"a": 0.0, "b": 1.0, "c": -1.0}
    outcomes = _simulate(truth, rounds=2, seed=3)
    assert fit(list(truth), outcomes, 0.1, 100) == fit(list(truth), outcomes, 0.1, 100)
    with pytest.raises(ValueError, match="'zz'"):
        fit(["a", "b"], [("a", "zz", 0.5, 1.0)], 0.1, 10)
