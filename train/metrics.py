"""Ranking metrics with binary relevance, as pure functions.

A ranking is a list of booleans in rank order (True = a positive). `rank` builds it from scores; ties are broken
pessimistically (a positive goes after the negatives it ties with), so a constant scorer earns nothing from the
order the candidates happen to be listed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

METRICS: tuple[str, ...] = ("map", "mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10")


def rank(scores: Mapping[str, float], positives: Iterable[str]) -> list[bool]:
    """Candidates sorted by descending score, as relevance flags; ties put positives last, then input order."""
    pos = set(positives)
    order = sorted(enumerate(scores.items()), key=lambda item: (-item[1][1], item[1][0] in pos, item[0]))
    return [cid in pos for _, (cid, _) in order]


def average_precision(ranking: Sequence[bool]) -> float:
    """Mean of precision@k over the ranks k of the positives (all positives are in the ranking)."""
    hits, total = 0, 0.0
    for k, rel in enumerate(ranking, start=1):
        if rel:
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


def reciprocal_rank(ranking: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first positive if it is within the top k, else 0."""
    for i, rel in enumerate(ranking[:k], start=1):
        if rel:
            return 1.0 / i
    return 0.0


def ndcg(ranking: Sequence[bool], k: int = 10) -> float:
    """Binary-gain NDCG@k: sum of 1/log2(rank+1) over positives in the top k, over the best possible."""
    dcg = sum(1.0 / math.log2(i + 1) for i, rel in enumerate(ranking[:k], start=1) if rel)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, sum(ranking)) + 1))
    return dcg / ideal if ideal else 0.0


def recall(ranking: Sequence[bool], k: int) -> float:
    """Share of the positives found in the top k."""
    total = sum(ranking)
    return sum(ranking[:k]) / total if total else 0.0


def case_metrics(ranking: Sequence[bool]) -> dict[str, float]:
    """All of METRICS for one ranking that holds at least one positive."""
    return {
        "map": average_precision(ranking),
        "mrr@10": reciprocal_rank(ranking, 10),
        "ndcg@10": ndcg(ranking, 10),
        "recall@1": recall(ranking, 1),
        "recall@5": recall(ranking, 5),
        "recall@10": recall(ranking, 10),
    }


def mean_metrics(per_case: Sequence[Mapping[str, float]]) -> dict[str, float | None]:
    """Macro average over cases; `n` is the number of cases, and every metric is None when there are none."""
    out: dict[str, float | None] = {"n": len(per_case)}
    for name in METRICS:
        out[name] = sum(m[name] for m in per_case) / len(per_case) if per_case else None
    return out


CALIBRATION: tuple[str, ...] = ("ece", "brier", "precision@t", "recall@t")


def calibration(scores: Sequence[float], relevant: Sequence[bool], bins: int = 10) -> dict[str, float | None]:
    """Calibration of probability scores against binary relevance, pooled over candidates.

    ECE: equal-width bins on [0, 1], the candidate-weighted mean of |mean score - share relevant| per bin (a score
    of exactly 1 falls in the last bin). Brier: mean squared error of the score. None when there are no scores.
    """
    if not scores:
        return {"ece": None, "brier": None}
    s = np.asarray(scores, dtype=float)
    y = np.asarray(relevant, dtype=float)
    if s.min() < 0 or s.max() > 1:
        raise ValueError("calibration needs scores in [0, 1]")
    which = np.minimum((s * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            ece += in_bin.mean() * abs(s[in_bin].mean() - y[in_bin].mean())
    return {"ece": float(ece), "brier": float(((s - y) ** 2).mean())}


def threshold_filter(scores: Sequence[float], relevant: Sequence[bool], threshold: float) -> dict[str, float | None]:
    """Precision and recall of keeping the candidates scored >= threshold (precision None when none is kept)."""
    kept = [r for s, r in zip(scores, relevant, strict=True) if s >= threshold]
    total = sum(relevant)
    return {
        "precision@t": sum(kept) / len(kept) if kept else None,
        "recall@t": sum(kept) / total if total else None,
    }
