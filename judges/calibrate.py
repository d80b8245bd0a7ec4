"""The calibrate stage: on the calibration slice only, fit per teacher a pair recalibration (temperature and
position bias) and an earned weight, then the calibrator that maps Bradley-Terry strength to a probability.

The reference of a pair comes from the scenario's graded gold (`schemas.grade`, 0-4), with the null anchor ("no
memory") at `NULL_GRADE` = 2.5. The pair recalibration is fitted to graded targets, `sigmoid(grade difference)`
(equal grades a tie): fitted to binary order instead, a teacher that orders every pair right is separable, its slope
runs to the bound, its verdicts become hard wins, and Bradley-Terry keeps only ranks, so a part of the answer (3)
over the null looks like the whole answer (4) and the top tier empties. The earned weight counts the pairs of
different grades it orders right.
The calibrator maps strength to expected grade / 4 (fitted to targets grade / 4, the squared-error-free choice:
logistic loss with fractional targets for Platt, means per knot for isotonic), so a label's tier, the nearest
grade, means the same in every build, and `label >= 0.625` (tier >= 3) keeps what the answer needs. A teacher that
judged no such pair is measured against the leave-one-out consensus of the other teachers instead.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field
from scipy.optimize import isotonic_regression, minimize

from judges.anchor import NULL_ID
from judges.pooling import Panel, QueryFit, fit_query, group_by_query, logit, sigmoid
from schemas import EVIDENCE_TIER, MAX_GRADE, NULL_GRADE, AggregateConfig, Example, JudgeConfig, Judgment
from schemas.base import Record

_MAX_SLOPE = 50.0
# The pair reference: a candidate one grade above another is preferred with odds e : 1 (a teacher reading the grades,
# `p_first = sigmoid(grade_first - grade_second)`, is fitted slope 1), so Bradley-Terry strengths stay in grade units.
GRADE_LOGIT = 1.0


class TeacherFit(Record):
    """What the calibration slice says about one teacher."""

    slope: float = Field(ge=0, description="pair recalibration: p' = sigmoid(slope * logit(p_first) + bias)")
    bias: float = Field(description="logit added for the candidate shown first: minus the teacher's position bias")
    source: Literal["gold", "consensus", "none"] = Field(description="what fixed the reference order of pairs")
    n_pairs: int = Field(ge=0, description="judgments whose reference order is known")
    accuracy: float | None = Field(description="share of those pairs it orders right, both orders combined")
    reliability: float = Field(ge=0, description="log-odds of the smoothed accuracy, 0 when not better than chance")
    weight: float = Field(ge=0, description="the weight `aggregate` gives the teacher's judgments")


class Calibrator(Record):
    """Maps a query-level Bradley-Terry feature to the candidate's expected grade / 4."""

    kind: Literal["platt", "isotonic"]
    feature: Literal["anchored", "relative"] = Field(
        description="anchored: strength(candidate) - strength(null); relative: strength minus the query's mean"
    )
    a: float = Field(default=1.0, description="platt: p = sigmoid(a * feature + b)")
    b: float = 0.0
    x: list[float] = Field(default_factory=list, description="isotonic: knots, interpolated linearly, clamped")
    y: list[float] = Field(default_factory=list)
    n: int = Field(ge=0, description="candidates it was fitted on")
    n_positive: int = Field(ge=0, description="candidates of grade >= 3 (binary gold) it was fitted on")

    def apply(self, feature: np.ndarray) -> np.ndarray:
        if self.kind == "platt":
            return sigmoid(self.a * np.asarray(feature, dtype=float) + self.b)
        return np.interp(np.asarray(feature, dtype=float), self.x, self.y)


class Calibration(Record):
    """Everything `aggregate` needs from the calibration slice; saved as JSON by the pipeline."""

    weights: Literal["earned", "config"]
    teachers: dict[str, TeacherFit]
    anchored: Calibrator | None = Field(description="for queries where a weighted teacher judged the null anchor")
    relative: Calibrator | None = Field(description="for the other queries")
    dialogues: list[str] = Field(description="the calibration slice, sorted; never reported on")
    n_queries: int = Field(ge=0)
    note: str = ""

    def teacher_weights(self) -> dict[str, float]:
        """Each teacher's earned (or, without earning, configured) weight, by name."""
        return {name: t.weight for name, t in self.teachers.items()}

    def panel(self) -> Panel:
        return Panel(
            weights=self.teacher_weights(),
            recal={name: (t.slope, t.bias) for name, t in self.teachers.items()},
        )

    def labels(self, fit: QueryFit) -> np.ndarray | None:
        """Calibrated labels of a query's candidates; None when no calibrator fits its kind of feature."""
        calibrator = self.anchored if fit.anchored and self.anchored is not None else self.relative
        if calibrator is None:
            return None
        feature = fit.feature() if calibrator.feature == "anchored" else fit.relative()
        return calibrator.apply(feature)


def grades(example: Example) -> dict[str, float]:
    """The reference order: each candidate's grade (0-4), the null anchor `NULL_GRADE`."""
    out = {c.memory.memory_id: float(c.graded()) for c in example.candidates}
    out[NULL_ID] = NULL_GRADE
    return out


def targets(example: Example) -> np.ndarray:
    """What the calibrator fits, per candidate: grade / 4."""
    return np.array([c.graded() / MAX_GRADE for c in example.candidates], dtype=float)


def fit_logistic(x: np.ndarray, y: np.ndarray, min_slope: float = 0.0) -> tuple[float, float]:
    """`(a, b)` of `p = sigmoid(a x + b)` by logistic loss; binary `y` get Platt's smoothed targets, fractional ones
    are kept, clipped to [1 / (n + 2), 1 - 1 / (n + 2)], so separable data stays finite."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.isin(y, (0.0, 1.0)).all():
        n_pos, n_neg = y.sum(), len(y) - y.sum()
        target = np.where(y > 0.5, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    else:
        target = np.clip(y, 1 / (len(y) + 2), 1 - 1 / (len(y) + 2))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * x + params[1]
        value = np.sum(np.logaddexp(0.0, z) - target * z)
        r = sigmoid(z) - target
        return float(value), np.array([np.dot(r, x), r.sum()])

    start = np.array([max(1.0, min_slope), 0.0])
    bounds = [(min_slope, _MAX_SLOPE), (-50.0, 50.0)]
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0]), float(result.x[1])


def fit_calibrator(
    kind: Literal["platt", "isotonic"], feature: Literal["anchored", "relative"], x: np.ndarray, y: np.ndarray
) -> Calibrator:
    n, n_pos = len(y), int(np.sum(y >= EVIDENCE_TIER / MAX_GRADE))
    if kind == "platt":
        a, b = fit_logistic(x, y)
        return Calibrator(kind=kind, feature=feature, a=a, b=b, n=n, n_positive=n_pos)
    knots, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    means = np.bincount(inverse, weights=y) / counts
    result = isotonic_regression(means, weights=counts, increasing=True)
    floor = 1.0 / (n + 2)  # never exactly 0 or 1
    values = np.clip(result.x, floor, 1.0 - floor)
    kx: list[float] = []
    ky: list[float] = []
    for start, end in zip(result.blocks[:-1], result.blocks[1:], strict=True):  # keep each block's two ends
        for i in sorted({int(start), int(end) - 1}):
            kx.append(float(knots[i]))
            ky.append(float(values[i]))
    return Calibrator(kind=kind, feature=feature, x=kx, y=ky, n=n, n_positive=n_pos)


Reference = list[tuple[str, str, str, float, int]]  # (query, first, second, logit p_first, first is better)


def _reference(by_query: dict[str, list[Judgment]], examples: list[Example], teacher: str) -> Reference:
    """The teacher's judgments whose order the gold fixes."""
    out = []
    for ex in examples:
        grade = grades(ex)
        for j in by_query[ex.query.query_id]:
            if j.teacher == teacher and grade[j.first] != grade[j.second]:
                out.append(
                    (j.query_id, j.first, j.second, float(logit(j.p_first)), int(grade[j.first] > grade[j.second]))
                )
    return out


def _consensus(by_query: dict[str, list[Judgment]], teacher: str) -> Reference:
    """The teacher's judgments where the other teachers' mean verdict on the same pair is not a tie."""
    out = []
    for js in by_query.values():
        others: dict[tuple[str, str], list[float]] = {}
        for j in js:
            if j.teacher != teacher:
                others.setdefault((j.first, j.second), []).append(j.p_first)
                others.setdefault((j.second, j.first), []).append(1.0 - j.p_first)
        for j in js:
            if j.teacher == teacher and (j.first, j.second) in others:
                mean = float(np.mean(others[(j.first, j.second)]))
                if mean != 0.5:
                    out.append((j.query_id, j.first, j.second, float(logit(j.p_first)), int(mean > 0.5)))
    return out


def _graded(
    by_query: dict[str, list[Judgment]], examples: list[Example], teacher: str
) -> tuple[np.ndarray, np.ndarray]:
    """Every judgment of the teacher (logit p_first) and its graded target `sigmoid((grade_first - grade_second) /
    GRADE_LOGIT)`: equal grades are a tie (0.5), and a pair several grades apart is more certain than one apart."""
    x: list[float] = []
    y: list[float] = []
    for ex in examples:
        grade = grades(ex)
        for j in by_query[ex.query.query_id]:
            if j.teacher == teacher:
                x.append(float(logit(j.p_first)))
                y.append(float(sigmoid((grade[j.first] - grade[j.second]) / GRADE_LOGIT)))
    return np.array(x), np.array(y)


def pair_accuracy(reference: Reference) -> float:
    """Share of unordered pairs where the teacher's verdict, its logits averaged over the orders it was asked in
    (which cancels a position bias), agrees with the reference; a verdict of exactly 0.5 counts half."""
    verdicts: dict[tuple[str, str, str], list[float]] = {}
    truth: dict[tuple[str, str, str], int] = {}
    for query_id, first, second, x, better in reference:
        a, b = sorted((first, second))
        key = (query_id, a, b)
        verdicts.setdefault(key, []).append(x if first == a else -x)
        truth[key] = better if first == a else 1 - better
    right = [0.5 if np.mean(v) == 0 else float((np.mean(v) > 0) == (truth[k] == 1)) for k, v in verdicts.items()]
    return float(np.mean(right))


def fit_teacher(
    by_query: dict[str, list[Judgment]], examples: list[Example], teacher: str, config_weight: float, earned: bool
) -> TeacherFit:
    source: Literal["gold", "consensus", "none"] = "gold"
    pairs = _reference(by_query, examples, teacher)
    if not pairs:
        source, pairs = "consensus", _consensus(by_query, teacher)
    if not pairs:  # nothing to measure it against: identity, neutral reliability
        return TeacherFit(
            slope=1.0, bias=0.0, source="none", n_pairs=0, accuracy=None, reliability=1.0, weight=config_weight
        )
    if source == "gold":  # graded targets: a teacher that orders every pair right keeps its grade margins
        x, y = _graded(by_query, examples, teacher)
    else:
        x, y = np.array([p[3] for p in pairs]), np.array([p[4] for p in pairs], dtype=float)
    slope, bias = fit_logistic(x, y)
    accuracy = pair_accuracy(pairs)
    n_units = len({(q, *sorted((a, b))) for q, a, b, _, _ in pairs})
    smoothed = (accuracy * n_units + 1.0) / (n_units + 2.0)
    reliability = max(0.0, float(np.log(smoothed / (1.0 - smoothed)))) if slope > 0 else 0.0
    weight = config_weight * reliability if earned else config_weight
    return TeacherFit(
        slope=slope,
        bias=bias,
        source=source,
        n_pairs=len(pairs),
        accuracy=accuracy,
        reliability=reliability,
        weight=weight,
    )


def fit_calibration(
    examples: list[Example], judgments: list[Judgment], judge_config: JudgeConfig, aggregate_config: AggregateConfig
) -> Calibration:
    """Fit on the calibration slice (these examples and their judgments only; every query must have gold)."""
    config_weights = judge_config.teacher_weights()
    by_query = group_by_query(examples, judgments, set(config_weights))
    earned = aggregate_config.weights == "earned"
    teachers = {name: fit_teacher(by_query, examples, name, weight, earned) for name, weight in config_weights.items()}
    note = "" if examples else "empty calibration slice: labels stay uncalibrated"
    if earned and examples and not any(t.weight > 0 for t in teachers.values()):
        note = "no teacher beat chance on the calibration slice: config weights used"
        teachers = {n: t.model_copy(update={"weight": config_weights[n]}) for n, t in teachers.items()}
    calibration = Calibration(
        weights=aggregate_config.weights,
        teachers=teachers,
        anchored=None,
        relative=None,
        dialogues=sorted({ex.query.dialogue_id for ex in examples}),
        n_queries=len(examples),
        note=note,
    )
    panel = calibration.panel()
    anchored_x: list[np.ndarray] = []
    anchored_y: list[np.ndarray] = []
    relative_x: list[np.ndarray] = []
    relative_y: list[np.ndarray] = []
    for ex in examples:
        fit, _ = fit_query(ex, by_query[ex.query.query_id], panel, aggregate_config.prior, aggregate_config.max_iter)
        target = targets(ex)
        relative_x.append(fit.relative())
        relative_y.append(target)
        if fit.anchored:
            anchored_x.append(fit.feature())
            anchored_y.append(target)
    kind = aggregate_config.calibrator
    update = {}
    if relative_x:
        update["relative"] = fit_calibrator(kind, "relative", np.concatenate(relative_x), np.concatenate(relative_y))
    if anchored_x:
        update["anchored"] = fit_calibrator(kind, "anchored", np.concatenate(anchored_x), np.concatenate(anchored_y))
    return calibration.model_copy(update=update)
