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
- `audit(...)`: ECE, Brier, AUC, pairwise accuracy against gold on the reported dialogues: pooled, per skill, per
  teacher, per negative reason and without the scenario teachers; agreement, position flips, intransitive triads.
- `position_flip_rate(judgments)`: per teacher, how often the verdict changes with the order of a pair.

Inside: `pairing` (which pairs), `teachers`, `bradley_terry` (the fit), `pooling` (one query's judgments into a
fit), `calibrate` (the calibration slice), `labels` (uncalibrated labels, tiers), `audit` (figures from judgments),
`calibration` (figures against gold).
"""

from __future__ import annotations

from judges.aggregation import aggregate
from judges.audit import position_flip_rate
from judges.calibrate import Calibration, fit_calibration
from judges.calibration import audit
from judges.judging import judge

__all__ = ["Calibration", "aggregate", "audit", "fit_calibration", "judge", "position_flip_rate"]
