"""One query's judgments pooled into Bradley-Terry strengths: recalibrated pair probabilities, teacher weights,
the null anchor, and the bootstrap resamples.

Shared by `fit_calibration` (which fits the recalibration, weights and calibrator) and `aggregate` (which applies
them), so both compute the calibrator's feature the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judges.anchor import NULL_ID, is_null
from judges.bradley_terry import fit_wins, win_matrix
from schemas import Example, Judgment
from schemas.seeds import derive_seed

P_CLIP = 1e-4  # p_first is clipped to [P_CLIP, 1 - P_CLIP] before its logit


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), P_CLIP, 1.0 - P_CLIP)
    return np.log(p) - np.log1p(-p)


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


@dataclass(frozen=True)
class Panel:
    """How each teacher's judgments enter the fit: `p' = sigmoid(slope * logit(p_first) + bias)`, times `weight`."""

    weights: dict[str, float]
    recal: dict[str, tuple[float, float]]  # teacher -> (slope, bias); missing: identity

    def p(self, j: Judgment) -> float:
        if j.teacher not in self.recal:
            return j.p_first
        slope, bias = self.recal[j.teacher]
        return float(sigmoid(slope * logit(j.p_first) + bias))


def group_by_query(examples: list[Example], judgments: list[Judgment], teachers: set[str]) -> dict[str, list[Judgment]]:
    """Judgments per query id; a judgment naming an unknown query, teacher or candidate is a clear error."""
    by_query: dict[str, list[Judgment]] = {}
    for ex in examples:
        if ex.query.query_id in by_query:
            raise ValueError(f"examples: query_id {ex.query.query_id!r} repeats")
        by_query[ex.query.query_id] = []
    known = {ex.query.query_id: {c.memory.memory_id for c in ex.candidates} | {NULL_ID} for ex in examples}
    for j in judgments:
        if j.query_id not in by_query:
            raise ValueError(f"judgment of teacher {j.teacher!r}: query_id {j.query_id!r} is not among the examples")
        if j.teacher not in teachers:
            raise ValueError(f"judgment for query {j.query_id!r}: teacher {j.teacher!r} is not in judge.teachers")
        for memory_id in (j.first, j.second):
            if memory_id not in known[j.query_id]:
                raise ValueError(f"judgment for query {j.query_id!r}: memory_id {memory_id!r} is not a candidate")
        by_query[j.query_id].append(j)
    return by_query


@dataclass(frozen=True)
class QueryFit:
    """Strengths of one query's real candidates (in candidate order) and, when anchored, of the null."""

    ids: list[str]
    strengths: np.ndarray  # (n,) centred over the fitted items
    null: float | None  # strength of the null anchor; None when no weighted judgment compared with it

    @property
    def anchored(self) -> bool:
        return self.null is not None

    def feature(self) -> np.ndarray:
        """The calibrator's input: strength over the null when anchored, else strength centred over the candidates."""
        if self.null is not None:
            return self.strengths - self.null
        return self.strengths - self.strengths.mean()

    def relative(self) -> np.ndarray:
        return self.strengths - self.strengths.mean()


def _units(js: list[Judgment], panel: Panel) -> dict[tuple[str, str, str], list[tuple[str, str, float, float]]]:
    """Weighted outcomes grouped by (teacher, unordered pair): the unit a bootstrap resamples, both orders together."""
    units: dict[tuple[str, str, str], list[tuple[str, str, float, float]]] = {}
    for j in js:
        weight = panel.weights.get(j.teacher, 0.0)
        if weight <= 0:
            continue
        a, b = sorted((j.first, j.second))
        units.setdefault((j.teacher, a, b), []).append((j.first, j.second, panel.p(j), weight))
    return units


def fit_query(
    example: Example, js: list[Judgment], panel: Panel, prior: float, max_iter: int, resamples: int = 0, seed: int = 0
) -> tuple[QueryFit, list[QueryFit]]:
    """The fit on all of the query's judgments, and `resamples` bootstrap fits (units drawn with replacement,
    from a generator seeded by the query id). The first never depends on the resamples."""
    ids = [c.memory.memory_id for c in example.candidates]
    units = _units(js, panel)
    anchored = any(is_null(a) or is_null(b) for _, a, b in units)
    items = [*ids, NULL_ID] if anchored else ids
    mats = (
        np.stack([win_matrix(items, outs) for outs in units.values()])
        if units
        else np.zeros((0, len(items), len(items)))
    )
    main = QueryFit(ids, *_split(fit_wins(mats.sum(axis=0)[None], prior, max_iter)[0], len(ids), anchored))
    if not (resamples and units):
        return main, []
    rng = query_generator(seed, example.query.query_id)
    counts = rng.multinomial(len(units), np.full(len(units), 1.0 / len(units)), size=resamples)
    boot = fit_wins(np.einsum("bu,uij->bij", counts.astype(float), mats), prior, max_iter)
    return main, [QueryFit(ids, *_split(s, len(ids), anchored)) for s in boot]


def _split(strengths: np.ndarray, n: int, anchored: bool) -> tuple[np.ndarray, float | None]:
    return strengths[:n], float(strengths[-1]) if anchored else None


def query_generator(seed: int, query_id: str) -> np.random.Generator:
    return np.random.default_rng(derive_seed("bootstrap", seed, query_id, sep=":"))
