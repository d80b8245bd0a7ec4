"""A teacher that scores each candidate alone; pair probabilities come from standardized score differences.

It has no score for the null anchor, so pairs touching it are skipped (no judgment, no failure). Scores are
computed once per example and kept, so active pairing, which asks in rounds, scores each example once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from judges.anchor import is_null
from judges.pairing import Pair, pointwise_judgments
from schemas import Example, Failure, Judgment

Scorer = Callable[[list[Example]], list[np.ndarray]]


def _key(example: Example) -> str:
    return hashlib.sha256(example.model_dump_json().encode()).hexdigest()


@dataclass
class PointwiseTeacher:
    name: str
    temperature: float
    score: Scorer  # one score per candidate of each example, higher = more useful
    _scores: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def judge(
        self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure] | None = None
    ) -> list[Judgment]:
        if len(pairs) != len(examples):
            raise ValueError(f"teacher {self.name!r}: pairs for {len(pairs)} examples, got {len(examples)} examples")
        asked = [[p for p in ps if not (is_null(p[0]) or is_null(p[1]))] for ps in pairs]
        keys = [_key(ex) for ex in examples]
        need: dict[str, Example] = {}
        for example, key, example_pairs in zip(examples, keys, asked, strict=True):
            if example_pairs and key not in self._scores:
                need.setdefault(key, example)
        if need:
            self._scores.update(zip(need, self.score(list(need.values())), strict=True))
        out: list[Judgment] = []
        for example, key, example_pairs in zip(examples, keys, asked, strict=True):
            if example_pairs:
                out += pointwise_judgments(self.name, example, self._scores[key], example_pairs, self.temperature)
        return out
