"""Which ordered pairs of candidates a teacher is asked about, and pointwise scores turned into pair judgments."""

from __future__ import annotations

import hashlib
import itertools
import random

import numpy as np

from schemas import Example, Judgment

Pair = tuple[str, str]


def query_rng(seed: int, query_id: str) -> random.Random:
    """A generator for one query, independent of which other queries share its batch or shard."""
    digest = hashlib.sha256(f"{seed}:{query_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def all_pairs(example: Example, both_orders: bool, rng: random.Random) -> list[Pair]:
    """Every unordered pair of the example's candidates: both orders, or one order drawn from `rng`."""
    ids = [c.memory.memory_id for c in example.candidates]
    pairs: list[Pair] = []
    for a, b in itertools.combinations(ids, 2):
        if both_orders:
            pairs += [(a, b), (b, a)]
        else:
            pairs.append((a, b) if rng.random() < 0.5 else (b, a))
    return pairs


def select_pairs(examples: list[Example], pairing: str, both_orders: bool, seed: int) -> list[list[Pair]]:
    """The pairs to judge for each example, in example order."""
    if pairing != "all":
        raise ValueError(f"judge.pairing: unknown pairing {pairing!r}")
    return [all_pairs(ex, both_orders, query_rng(seed, ex.query.query_id)) for ex in examples]


def standardize(scores: np.ndarray) -> np.ndarray:
    """Z-scores over one query's candidates; all zeros when the scores do not vary."""
    std = scores.std()
    if not np.isfinite(std) or std == 0:
        return np.zeros_like(scores)
    return (scores - scores.mean()) / std


def pointwise_judgments(
    teacher: str, example: Example, scores: np.ndarray, pairs: list[Pair], temperature: float
) -> list[Judgment]:
    """Judgments from per-candidate scores: `p_first = sigmoid((z_first - z_second) / temperature)`."""
    ids = [c.memory.memory_id for c in example.candidates]
    if len(scores) != len(ids):
        raise ValueError(f"teacher {teacher!r}: {len(scores)} scores for {len(ids)} candidates")
    raw = dict(zip(ids, (float(s) for s in scores), strict=True))
    z = dict(zip(ids, (float(s) for s in standardize(np.asarray(scores, dtype=float))), strict=True))
    out = []
    for first, second in pairs:
        p_first = 1.0 / (1.0 + np.exp(-(z[first] - z[second]) / temperature))
        out.append(
            Judgment(
                teacher=teacher,
                query_id=example.query.query_id,
                first=first,
                second=second,
                p_first=float(p_first),
                raw=f"s1={raw[first]:.4f} s2={raw[second]:.4f}",
            )
        )
    return out
