"""Which ordered pairs of candidates the teachers are asked about, and pointwise scores turned into pair judgments.

- `all`: every unordered pair of candidates, plus (with the null anchor) every candidate against "no memory"; both
  orders, or one order drawn per query.
- `active`: per query, a sparse connected design first (a random path over the candidates, the null anchor joined
  to its end), then rounds of the open pairs whose outcome is most uncertain (`p (1 - p)` under a Bradley-Terry fit
  of the judgments so far) and whose items are least known (`1 / (1 + pairs asked)`, summed over both), until
  `active_budget` x the all-pairs count. A pair with the null anchor counts for the share of the teachers' weight
  that can judge it (the others skip it). Both orders of a chosen pair are asked when `both_orders`.
  `ActivePlan` holds one query's state; `judges.judging.judge` runs the rounds: every teacher answers the round's
  pairs, the pooled judgments are fitted, the next round is chosen.

Everything random comes from `query_rng(seed, query_id)`, so a query's pairs do not depend on its batch or shard.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from judges.anchor import NULL_ID
from schemas import Example, Judgment

Pair = tuple[str, str]

ROUND_SHARE = 0.25  # an active round asks about ceil(ROUND_SHARE x items) new unordered pairs


def query_rng(seed: int, query_id: str) -> random.Random:
    """A generator for one query, independent of which other queries share its batch or shard."""
    digest = hashlib.sha256(f"{seed}:{query_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def candidate_ids(example: Example) -> list[str]:
    return [c.memory.memory_id for c in example.candidates]


def items(example: Example, null_anchor: bool) -> list[str]:
    """What a query's Bradley-Terry fit ranks: its candidates, then the null anchor when it is used."""
    return candidate_ids(example) + ([NULL_ID] if null_anchor else [])


def ordered(unordered: list[Pair], both_orders: bool, rng: random.Random) -> list[Pair]:
    """Each unordered pair in both orders, or in one order drawn from `rng`."""
    pairs: list[Pair] = []
    for a, b in unordered:
        if both_orders:
            pairs += [(a, b), (b, a)]
        else:
            pairs.append((a, b) if rng.random() < 0.5 else (b, a))
    return pairs


def all_pairs(example: Example, both_orders: bool, rng: random.Random, null_anchor: bool = False) -> list[Pair]:
    """Every unordered pair of the example's candidates, then every candidate against the null anchor."""
    ids = candidate_ids(example)
    unordered = list(itertools.combinations(ids, 2))
    if null_anchor:
        unordered += [(i, NULL_ID) for i in ids]
    return ordered(unordered, both_orders, rng)


def all_pairs_count(n_candidates: int, both_orders: bool, null_anchor: bool) -> int:
    """How many ordered pairs `all` asks about for a query of `n_candidates` candidates."""
    k = n_candidates + int(null_anchor)
    return k * (k - 1) // 2 * (2 if both_orders else 1)


def select_pairs(
    examples: list[Example], pairing: str, both_orders: bool, seed: int, *, null_anchor: bool = False
) -> list[list[Pair]]:
    """The pairs to judge for each example, in example order (pairing "all"; "active" runs in rounds)."""
    if pairing == "active":
        raise ValueError("judge.pairing 'active' asks in rounds between fits: use judges.judge, not select_pairs")
    if pairing != "all":
        raise ValueError(f"judge.pairing: unknown pairing {pairing!r}")
    return [all_pairs(ex, both_orders, query_rng(seed, ex.query.query_id), null_anchor) for ex in examples]


@dataclass
class ActivePlan:
    """One query's active pairing: what was asked, what is left of the budget (in unordered pairs)."""

    items: list[str]
    both_orders: bool
    budget: int
    rng: random.Random
    null_share: float = 1.0  # the share of the teachers' weight that judges pairs with the null anchor
    asked: set[frozenset[str]] = field(default_factory=set)

    @classmethod
    def start(
        cls, example: Example, fraction: float, both_orders: bool, seed: int, null_anchor: bool, null_share: float = 1.0
    ) -> ActivePlan:
        its = items(example, null_anchor)
        total = len(its) * (len(its) - 1) // 2
        budget = min(total, max(1, math.floor(fraction * total + 1e-9))) if total else 0
        return cls(its, both_orders, budget, query_rng(seed, example.query.query_id), null_share)

    @property
    def room(self) -> int:
        return self.budget - len(self.asked)

    def first_round(self) -> list[Pair]:
        """A random path over the candidates, the null anchor (if any) joined to its last one; cut to the budget."""
        path = [i for i in self.items if i != NULL_ID]
        self.rng.shuffle(path)
        design = list(itertools.pairwise(path))
        if NULL_ID in self.items and path:
            design.append((path[-1], NULL_ID))
        return self._ask(design[: self.budget])

    def next_round(self, strengths: dict[str, float]) -> list[Pair]:
        """The next open pairs, chosen greedily by uncertainty x how little their items are known."""
        size = min(self.room, math.ceil(ROUND_SHARE * len(self.items)))
        open_pairs = [p for p in itertools.combinations(self.items, 2) if frozenset(p) not in self.asked]
        self.rng.shuffle(open_pairs)  # ties go to a seeded, not a positional, choice
        known = Counter(i for pair in self.asked for i in pair)
        chosen: list[Pair] = []
        for _ in range(size):
            if not open_pairs:
                break
            best = max(open_pairs, key=lambda p: self._value(p, strengths, known))
            open_pairs.remove(best)
            known.update(best)
            chosen.append(best)
        return self._ask(chosen)

    def _value(self, pair: Pair, strengths: dict[str, float], known: Counter[str]) -> float:
        """Outcome uncertainty x how little the two items are known x the share of teachers that can judge it."""
        a, b = pair
        p = 1.0 / (1.0 + math.exp(-(strengths[a] - strengths[b])))
        share = self.null_share if NULL_ID in pair else 1.0
        return share * p * (1.0 - p) * (1.0 / (1 + known[a]) + 1.0 / (1 + known[b]))

    def _ask(self, unordered: list[Pair]) -> list[Pair]:
        self.asked.update(frozenset(p) for p in unordered)
        return ordered(unordered, self.both_orders, self.rng)


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
    ids = candidate_ids(example)
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
