"""Which ordered pairs of candidates the teachers are asked about, and pointwise scores turned into pair judgments.

- `all`: every unordered pair of candidates, plus (with the null anchor) every candidate against "no memory"; both
  orders, or one order drawn per query.
- `active`: per query, a sparse connected design first (a random path over the candidates, the null anchor joined
  to its end), then rounds until `active_budget` x the all-pairs count of unordered pairs is asked. Each round fits
  every teacher on its own judgments so far, predicts its verdict on every open pair, and takes the pooled fit of
  judgments plus predictions as the ranking to aim at (what all pairs would give); it then picks the open pairs
  whose predicted verdicts bring the pooled fit of what is asked closest to it (fewest misordered item pairs).
  Asking near-ties directly is not enough: when teachers disagree (graded scenario vs similarity), the all-pairs
  order of two close items is set by how both compare with everyone else. Both orders of a chosen pair are asked
  when `both_orders`. `ActivePlan` holds one query's state; `judges.judging.judge` runs the rounds.

Everything random comes from `query_rng(seed, query_id)`, so a query's pairs do not depend on its batch or shard.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field

import numpy as np

from judges.anchor import NULL_ID
from judges.bradley_terry import Outcome, fit_wins, win_matrix
from schemas import Example, Judgment
from schemas.seeds import derive_seed

Pair = tuple[str, str]

ROUND_SHARE = 0.25  # an active round asks about ceil(ROUND_SHARE x items) new unordered pairs
TEACHER_PRIOR = 1e-3  # each teacher's own fit between rounds: nearly the maximum-likelihood strengths
TIE_BREAK = 1e-2  # weight of the squared strength distance next to the count of misordered pairs
ACTIVE_MAX_ITER = 100


def query_rng(seed: int, query_id: str) -> random.Random:
    """A generator for one query, independent of which other queries share its batch or shard."""
    return random.Random(derive_seed(seed, query_id, sep=":"))


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
    """One query's active pairing: what was asked, what is left of the budget (in unordered pairs).

    `weights` are the teachers' pooled weights; `null_judges` the teachers that judge pairs with the null anchor (the
    others skip them); `prior` the pooled fit's prior.
    """

    items: list[str]
    both_orders: bool
    budget: int
    rng: random.Random
    weights: dict[str, float]
    null_judges: frozenset[str] = frozenset()
    prior: float = 0.1
    asked: set[frozenset[str]] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        example: Example,
        fraction: float,
        both_orders: bool,
        seed: int,
        null_anchor: bool,
        weights: dict[str, float],
        null_judges: frozenset[str] = frozenset(),
        prior: float = 0.1,
    ) -> ActivePlan:
        its = items(example, null_anchor)
        total = len(its) * (len(its) - 1) // 2
        budget = min(total, max(1, math.floor(fraction * total + 1e-9))) if total else 0
        rng = query_rng(seed, example.query.query_id)
        return cls(its, both_orders, budget, rng, dict(weights), frozenset(null_judges), prior)

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

    def next_round(self, judgments: list[Judgment]) -> list[Pair]:
        """The next open pairs, given every teacher's judgments of this query so far.

        Each teacher's own fit predicts its verdict on every open pair; the pooled fit of the judgments plus all
        those predictions is the ranking to aim at. Pairs are then picked one by one (their predicted verdicts
        added) so that the pooled fit of what is asked disagrees with that ranking on as few item pairs as possible
        (ties: the smaller squared distance of the strengths, then a seeded order).
        """
        size = min(self.room, math.ceil(ROUND_SHARE * len(self.items)))
        open_pairs = [p for p in itertools.combinations(self.items, 2) if frozenset(p) not in self.asked]
        if size <= 0 or not open_pairs:
            return []
        self.rng.shuffle(open_pairs)  # ties go to a seeded, not a positional, choice
        index = {item: k for k, item in enumerate(self.items)}
        rows = np.array([index[a] for a, _ in open_pairs])
        cols = np.array([index[b] for _, b in open_pairs])
        wins = win_matrix(self.items, [(j.first, j.second, j.p_first, self.weights[j.teacher]) for j in judgments])
        predicted = self._predicted_wins(judgments)
        aim = wins.copy()
        aim[rows, cols] += predicted[rows, cols]
        aim[cols, rows] += predicted[cols, rows]
        target = fit_wins(aim[None], self.prior, ACTIVE_MAX_ITER)[0]
        order = np.sign(target[:, None] - target[None, :])
        chosen: list[Pair] = []
        for _ in range(size):
            if not open_pairs:
                break
            trials = np.repeat(wins[None], len(open_pairs), axis=0)
            each = np.arange(len(open_pairs))
            trials[each, rows, cols] += predicted[rows, cols]
            trials[each, cols, rows] += predicted[cols, rows]
            s = fit_wins(trials, self.prior, ACTIVE_MAX_ITER)
            discordant = ((s[:, :, None] - s[:, None, :]) * order[None] < 0).sum(axis=(1, 2)) / 2
            best = int(np.argmin(discordant + TIE_BREAK * ((s - target[None]) ** 2).sum(axis=1)))
            wins = trials[best]
            chosen.append(open_pairs.pop(best))
            rows, cols = np.delete(rows, best), np.delete(cols, best)
        return self._ask(chosen)

    def _predicted_wins(self, judgments: list[Judgment]) -> np.ndarray:
        """`[i, j]`: the weighted wins of item i over item j that asking the pair would add, from each teacher's own
        Bradley-Terry fit of its judgments (a teacher that skips the null anchor adds nothing to its pairs)."""
        by_teacher: dict[str, list[Outcome]] = {}
        for j in judgments:
            by_teacher.setdefault(j.teacher, []).append((j.first, j.second, j.p_first, 1.0))
        n = len(self.items)
        out = np.zeros((n, n))
        if not by_teacher:
            return out
        teachers = sorted(by_teacher)
        mats = np.stack([win_matrix(self.items, by_teacher[t]) for t in teachers])
        strengths = fit_wins(mats, TEACHER_PRIOR, ACTIVE_MAX_ITER)
        orders = 2.0 if self.both_orders else 1.0
        null = np.array([item == NULL_ID for item in self.items])
        for teacher, s in zip(teachers, strengths, strict=True):
            p = 1.0 / (1.0 + np.exp(-(s[:, None] - s[None, :])))
            if teacher not in self.null_judges:
                p[null, :] = 0.0
                p[:, null] = 0.0
            out += orders * self.weights[teacher] * p
        np.fill_diagonal(out, 0.0)
        return out

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
