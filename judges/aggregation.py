"""The aggregate stage: pool every teacher's judgments of a query, fit Bradley-Terry, map strengths to labels."""

from __future__ import annotations

from collections import Counter

import numpy as np

from judges.anchor import is_null
from judges.calibrate import Calibration
from judges.consistency import teacher_agreement
from judges.labels import fallback_labels, tier
from judges.pooling import Panel, QueryFit, fit_query, group_by_query
from schemas import AggregateConfig, Example, JudgeConfig, Judgment, SoftLabel

LABEL_CLIP = 1e-4  # labels stay probabilities, never exactly 0 or 1
INTERVAL = (5.0, 95.0)  # bootstrap percentiles


def aggregate(
    examples: list[Example],
    judgments: list[Judgment],
    judge_config: JudgeConfig,
    aggregate_config: AggregateConfig,
    calibration: Calibration | None = None,
    seed: int = 0,
) -> list[SoftLabel]:
    """One soft label per (query, candidate), in example then candidate order.

    With a calibration: each judgment's probability is recalibrated for its teacher (temperature, position bias)
    and weighted by the teacher's earned weight; the label is the calibrator applied to the candidate's strength
    over the null anchor (or its relative strength when no weighted teacher judged the null). Without one: config
    weights, raw probabilities, and `labels.fallback_labels`. The two orders of a pair are separate outcomes.
    `SoftLabel.strength` is the strength over the null when anchored, else the strength centred over the
    candidates; the interval spans the 5th-95th percentile of `aggregate_config.bootstrap` resamples (and the label).
    """
    if calibration is None:
        panel = Panel(weights=judge_config.teacher_weights(), recal={})
    else:
        if calibration.weights != aggregate_config.weights:
            raise ValueError(
                f"calibration: fitted with weights {calibration.weights!r}, aggregate.weights is "
                f"{aggregate_config.weights!r}; re-run the calibrate stage"
            )
        missing = [t.name for t in judge_config.teachers if t.name not in calibration.teachers]
        if missing:
            raise ValueError(f"calibration: no fit for teachers {missing}; re-run the calibrate stage")
        panel = calibration.panel()
    by_query = group_by_query(examples, judgments, {t.name for t in judge_config.teachers})

    labels: list[SoftLabel] = []
    for ex in examples:
        js = by_query[ex.query.query_id]
        fit, resamples = fit_query(
            ex, js, panel, aggregate_config.prior, aggregate_config.max_iter, aggregate_config.bootstrap, seed
        )
        label = _labels(fit, calibration)
        interval = None
        if resamples:
            boot = np.stack([_labels(r, calibration) for r in resamples])
            lo, hi = np.percentile(boot, INTERVAL, axis=0)
            interval = (np.minimum(lo, label), np.maximum(hi, label))
        strength = fit.feature()
        counts = Counter(m for j in js for m in (j.first, j.second))
        agreement = teacher_agreement([j for j in js if not (is_null(j.first) or is_null(j.second))], fit.ids)
        for k, memory_id in enumerate(fit.ids):
            labels.append(
                SoftLabel(
                    query_id=ex.query.query_id,
                    memory_id=memory_id,
                    label=float(label[k]),
                    tier=tier(float(label[k])),
                    strength=float(strength[k]),
                    interval=None if interval is None else (float(interval[0][k]), float(interval[1][k])),
                    n_judgments=counts[memory_id],
                    agreement=agreement,
                )
            )
    return labels


def _labels(fit: QueryFit, calibration: Calibration | None) -> np.ndarray:
    label = calibration.labels(fit) if calibration is not None else None
    if label is None:
        label = fallback_labels(fit)
    return np.clip(label, LABEL_CLIP, 1.0 - LABEL_CLIP)
