"""Teachers, pairwise judging, Bradley-Terry aggregation and soft labels.

The pipeline calls:
- `judge(examples, config, seed)`: every teacher of `config` judges the selected ordered pairs of every example's
  candidates; judgments ordered by example, then teacher, then pair.
- `aggregate(examples, judgments, judge_config, config)`: per query, pools the teachers' judgments (weighted by
  `TeacherConfig.weight`), fits Bradley-Terry with soft outcomes and maps strengths to `SoftLabel`s.
- `position_flip_rate(judgments)`: per teacher, how often the verdict changes with the order of a pair.

Inside: `pairing` (which pairs; pointwise scores -> pair probabilities), `teachers` (BM25, embedding),
`bradley_terry` (the fit), `labels` (strengths -> label and tier), `audit` (agreement, position bias).
"""

from __future__ import annotations

from judges.aggregation import aggregate
from judges.audit import position_flip_rate
from judges.judging import judge

__all__ = ["aggregate", "judge", "position_flip_rate"]
