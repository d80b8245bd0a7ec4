"""A teacher that scores each candidate alone; pair probabilities come from standardized score differences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from judges.pairing import Pair, pointwise_judgments
from schemas import Example, Failure, Judgment

Scorer = Callable[[list[Example]], list[np.ndarray]]


@dataclass(frozen=True)
class PointwiseTeacher:
    name: str
    temperature: float
    score: Scorer  # one score per candidate of each example, higher = more useful

    def judge(
        self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure] | None = None
    ) -> list[Judgment]:
        if len(pairs) != len(examples):
            raise ValueError(f"teacher {self.name!r}: pairs for {len(pairs)} examples, got {len(examples)} examples")
        scores = self.score(examples)
        out: list[Judgment] = []
        for example, example_scores, example_pairs in zip(examples, scores, pairs, strict=True):
            out += pointwise_judgments(self.name, example, example_scores, example_pairs, self.temperature)
        return out
