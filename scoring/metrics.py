"""Ranking and calibration metrics, as pure functions: the one ECE, Brier, AUC, and for graded relevance (0-4)
the within-query Spearman and the tier table.

A ranking is a list of booleans in rank order (True = a positive). `rank` builds it from scores; ties are broken
pessimistically (a positive goes after the negatives it ties with), so a constant scorer earns nothing from the
order the candidates happen to be listed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.stats import rankdata, spearmanr

from schemas import EVIDENCE_TIER, MAX_GRADE, tier_of

BINS = 10


def bin_of(p: np.ndarray, bins: int = BINS) -> np.ndarray:
    """The equal-width bin of [0, 1] of each probability (1.0 falls in the last bin): the binning of `ece`."""
    return np.minimum((np.asarray(p, dtype=float) * bins).astype(int), bins - 1)


def ece(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> float | None:
    """Expected calibration error over `bins` equal-width bins of [0, 1] (1.0 falls in the last bin)."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    if len(p) == 0:
        return None
    which = bin_of(p, bins)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(p[mask].mean() - y[mask].mean())
    return float(total / len(p))


def ece_adaptive(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> float | None:
    """Expected calibration error over `bins` equal-mass bins (sorted by p, stable; sizes differ by at most 1)."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    if len(p) == 0:
        return None
    order = np.argsort(p, kind="stable")
    total = sum(len(idx) * abs(p[idx].mean() - y[idx].mean()) for idx in np.array_split(order, bins) if len(idx))
    return float(total / len(p))


def brier(p: np.ndarray, y: np.ndarray) -> float | None:
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(p) else None


def auc(p: np.ndarray, y: np.ndarray) -> float | None:
    """Area under the ROC curve from ranks (Mann-Whitney U; tied scores count half); None with one class only."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(p)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pairwise_accuracy(groups: list[tuple[np.ndarray, np.ndarray]]) -> float | None:
    """Share of (evidence, other) candidate pairs of the same query where the evidence scores higher (ties half)."""
    right, total = 0.0, 0
    for p, y in groups:
        pos, neg = p[y == 1], p[y == 0]
        diff = pos[:, None] - neg[None, :]
        right += float((diff > 0).sum() + 0.5 * (diff == 0).sum())
        total += diff.size
    return right / total if total else None


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
    return {"ece": ece(s, y, bins), "brier": brier(s, y)}


def threshold_filter(scores: Sequence[float], relevant: Sequence[bool], threshold: float) -> dict[str, float | None]:
    """Precision and recall of keeping the candidates scored >= threshold (precision None when none is kept)."""
    kept = [r for s, r in zip(scores, relevant, strict=True) if s >= threshold]
    total = sum(relevant)
    return {
        "precision@t": sum(kept) / len(kept) if kept else None,
        "recall@t": sum(kept) / total if total else None,
    }


def spearman_within(groups: list[tuple[np.ndarray, np.ndarray]]) -> float | None:
    """Mean over groups (queries) of Spearman's rho between scores and a second value per candidate (graded gold,
    or length), over the groups whose values differ; a group of constant scores counts 0. None when none qualifies."""
    rhos = []
    for p, g in groups:
        if len(g) < 2 or np.all(g == g[0]):
            continue
        rho = spearmanr(p, g).statistic if not np.all(p == p[0]) else 0.0
        rhos.append(float(rho))
    return float(np.mean(rhos)) if rhos else None


def tier_table(scores: Sequence[float], grades: Sequence[int]) -> dict:
    """How graded scores in [0, 1] fall into the tiers 0-4 (`schemas.tier_of`: the nearest grade to 4 * score).

    `share_grade` / `share_tier`: the share of candidates of each graded-gold grade / each score tier.
    `at_tier[k]` for k = 1..4, keeping the candidates whose tier is >= k: precision (share kept of grade >= k;
    None when none is kept), recall (share of grade >= k kept), kept (share of all), `precision_evidence`, the
    share kept of grade >= 3 (binary gold), and `r_precision`, the precision of the R highest scores pooled, R the
    number of grade >= k (None when there are none): the precision the ranking allows wherever the threshold sits,
    so a tier that misses a precision target shows whether the calibration or the ranking is short.
    """
    s = np.asarray(scores, dtype=float)
    g = np.asarray(grades, dtype=int)
    tiers = np.array([tier_of(float(v)) for v in s], dtype=int)
    n = len(s)
    order = np.argsort(-s, kind="stable")
    at_tier = {}
    for k in range(1, MAX_GRADE + 1):
        kept = tiers >= k
        relevant = g >= k
        at_tier[str(k)] = {
            "precision": float(relevant[kept].mean()) if kept.any() else None,
            "recall": float(kept[relevant].mean()) if relevant.any() else None,
            "kept": float(kept.mean()) if n else None,
            "precision_evidence": float((g[kept] >= EVIDENCE_TIER).mean()) if kept.any() else None,
            "r_precision": float(relevant[order[: relevant.sum()]].mean()) if relevant.any() else None,
        }
    return {"n": n, "share_grade": _shares(g), "share_tier": _shares(tiers), "at_tier": at_tier}


def _shares(values: np.ndarray) -> dict[str, float | None]:
    return {str(k): float((values == k).mean()) if len(values) else None for k in range(MAX_GRADE + 1)}
