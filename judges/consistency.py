"""Consistency figures from judgments alone: teacher agreement, position bias, intransitive triads."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

from scipy.stats import kendalltau

from judges.anchor import is_null
from schemas import Judgment


def teacher_scores(judgments: list[Judgment], ids: list[str]) -> dict[str, list[float]]:
    """Per teacher, each candidate's mean probability of being preferred (a soft Borda count), in `ids` order."""
    wins: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for j in judgments:
        wins[j.teacher][j.first].append(j.p_first)
        wins[j.teacher][j.second].append(1.0 - j.p_first)
    return {
        teacher: [sum(per[i]) / len(per[i]) if per[i] else 0.5 for i in ids] for teacher, per in sorted(wins.items())
    }


def teacher_agreement(judgments: list[Judgment], ids: list[str]) -> float | None:
    """Mean Kendall tau between the teachers' rankings of one query's candidates; None with fewer than 2 teachers
    or when no pair of teachers gives a defined tau (e.g. a teacher ties every candidate)."""
    scores = teacher_scores(judgments, ids)
    taus = []
    for a, b in itertools.combinations(sorted(scores), 2):
        tau = kendalltau(scores[a], scores[b]).statistic
        if tau is not None and math.isfinite(tau):
            taus.append(float(tau))
    if not taus:
        return None
    return max(-1.0, min(1.0, sum(taus) / len(taus)))


def position_flip_rate(judgments: list[Judgment]) -> dict[str, float]:
    """Per teacher, the share of pairs asked in both orders whose preferred candidate changes with the order.

    A verdict prefers the first shown when p_first > 0.5, the second when < 0.5, neither at 0.5. Teachers with
    no pair asked in both orders are left out.
    """
    p: dict[tuple[str, str, str, str], float] = {}
    for j in judgments:
        p[(j.teacher, j.query_id, j.first, j.second)] = j.p_first
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # teacher -> [flips, pairs]
    for (teacher, query_id, first, second), p_ab in sorted(p.items()):
        if first > second or (teacher, query_id, second, first) not in p:
            continue  # each unordered pair once, and only when both orders were asked
        p_ba = p[(teacher, query_id, second, first)]
        counts[teacher][0] += _preferred(p_ab, first, second) != _preferred(p_ba, second, first)
        counts[teacher][1] += 1
    return {teacher: flips / pairs for teacher, (flips, pairs) in sorted(counts.items())}


def _preferred(p_first: float, first: str, second: str) -> str | None:
    if p_first > 0.5:
        return first
    if p_first < 0.5:
        return second
    return None


def intransitive_triads(judgments: list[Judgment]) -> dict[str, dict[str, float | int | None]]:
    """Per teacher, triads of candidates whose verdicts form a cycle (a > b > c > a).

    A teacher's verdict on a pair is its mean probability over the orders it was asked; a pair at exactly 0.5 is
    undecided and a triad with an undecided pair is not counted. Pairs with the null anchor are left out.
    """
    mean: dict[tuple[str, str], dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    for j in judgments:
        if is_null(j.first) or is_null(j.second):
            continue
        a, b = sorted((j.first, j.second))
        mean[(j.teacher, j.query_id)][(a, b)].append(j.p_first if j.first == a else 1.0 - j.p_first)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # teacher -> [cyclic, decided triads]
    for (teacher, _), pairs in sorted(mean.items()):
        counts[teacher]  # a teacher with no decided triad still appears
        wins = {pair: sum(ps) / len(ps) for pair, ps in pairs.items()}
        items = sorted({m for pair in wins for m in pair})
        for a, b, c in itertools.combinations(items, 3):
            verdicts = [wins.get(pair) for pair in ((a, b), (b, c), (a, c))]
            if any(v is None or v == 0.5 for v in verdicts):
                continue
            ab, bc, ac = (v > 0.5 for v in verdicts)
            counts[teacher][0] += ab == bc and ac != ab
            counts[teacher][1] += 1
    return {
        teacher: {"triads": n, "intransitive": cyc, "rate": cyc / n if n else None}
        for teacher, (cyc, n) in sorted(counts.items())
    }
