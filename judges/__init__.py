"""Teachers, pairwise judging, Bradley-Terry aggregation, calibrated soft labels and the audit.

The pipeline calls:
- `judge(examples, config, seed)`: every teacher of `config` judges the selected ordered pairs of every example's
  candidates (and of each candidate with the null anchor); judgments ordered by example, then teacher, then pair.
- `fit_calibration(examples, judgments, judge_config, aggregate_config)`: on the calibration slice only, per
  teacher a pair recalibration (temperature, position bias) and an earned weight, and the calibrator from
  Bradley-Terry strength to probability; a JSON-serialisable `Calibration`.
- `aggregate(examples, judgments, judge_config, aggregate_config, calibration, seed)`: per query, pools the
  teachers' judgments, fits Bradley-Terry with soft outcomes and the null anchor, maps strengths to calibrated
  `SoftLabel`s with bootstrap intervals.
- `audit_labels(...)`: ECE, Brier, AUC, pairwise accuracy against gold on the reported dialogues: pooled, per skill, per
  teacher, per negative reason and without the scenario teachers; agreement, position flips, intransitive triads.
- `panel_labels(teachers, ...)`: the labels a sub-panel alone gives, calibrated on the calibration slice.
- `position_flip_rate(judgments)`: per teacher, how often the verdict changes with the order of a pair.

Inside: `pairing` (which pairs), `teachers`, `bradley_terry` (the fit), `pooling` (one query's judgments into a
fit), `calibrate` (the calibration slice), `labels` (uncalibrated labels, tiers), `consistency` (figures from
judgments alone), `audit` (figures of labels against gold; the metrics are `scoring.metrics`).
"""

from __future__ import annotations

from judges.aggregation import aggregate
from judges.audit import audit_labels, panel_labels
from judges.calibrate import Calibration, fit_calibration
from judges.consistency import position_flip_rate
from judges.judging import judge

__all__ = [
    "Calibration",
    "aggregate",
    "audit_labels",
    "fit_calibration",
    "judge",
    "panel_labels",
    "position_flip_rate",
]
