"""The scenario teacher: graded usefulness read from how each candidate was made, the grades of `schemas.grade`
(4 answers alone, 3 a necessary part, 2 the right fact at the wrong time, 1 same person or topic, 0 unrelated), the
one table the graded gold of the dataset is computed from: the teacher agrees with graded gold by construction, so
the audit reports the panel without it beside the pooled labels.

The null anchor, "no memory", sits at `NULL_GRADE` = 2.5: a memory the answer needs beats having none, a fact of the
wrong time or a neighbour of the truth does not. One grade is one logit at temperature 1:
`p_first = sigmoid((grade_first - grade_second) / temperature)`; the calibration stage later fits the teacher's
slope. Deterministic, no model. In a keyless build it is the one teacher that understands time and cause; its
weight is earned on the calibration slice like any other's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from judges.anchor import NULL_ID
from judges.pairing import Pair
from schemas import NULL_GRADE as SCHEMA_NULL_GRADE
from schemas import Candidate, Example, Failure, Judgment, grade_of

FULL_ANSWER = 4.0
LINK = 3.0
NULL_GRADE = SCHEMA_NULL_GRADE
NEAR = 2.0
NEIGHBOUR = 1.0
UNRELATED = 0.0


def grade(example: Example, candidate: Candidate) -> float:
    """The usefulness grade of one candidate for the example's query: its scenario grade, or, for a candidate made
    without one, the grade `schemas.grade_of` gives its origin (evidence answers alone when it is the only turn)."""
    if candidate.grade is not None:
        return float(candidate.grade)
    try:
        return float(grade_of(candidate.origin, example.query.skill, len(example.query.evidence) == 1))
    except ValueError as error:
        raise ValueError(
            f"scenario teacher: query {example.query.query_id!r}, candidate {candidate.memory.memory_id!r}: {error}"
        ) from None


def grades(example: Example) -> dict[str, float]:
    """Grades of every candidate, and of the null anchor."""
    out = {c.memory.memory_id: grade(example, c) for c in example.candidates}
    out[NULL_ID] = NULL_GRADE
    return out


@dataclass(frozen=True)
class ScenarioTeacher:
    name: str
    temperature: float = 1.0

    def judge(
        self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure] | None = None
    ) -> list[Judgment]:
        if len(pairs) != len(examples):
            raise ValueError(f"teacher {self.name!r}: pairs for {len(pairs)} examples, got {len(examples)} examples")
        out: list[Judgment] = []
        for example, example_pairs in zip(examples, pairs, strict=True):
            if not example_pairs:
                continue
            g = grades(example)
            for first, second in example_pairs:
                p_first = 1.0 / (1.0 + math.exp(-(g[first] - g[second]) / self.temperature))
                out.append(
                    Judgment(
                        teacher=self.name,
                        query_id=example.query.query_id,
                        first=first,
                        second=second,
                        p_first=p_first,
                        raw=f"g1={g[first]:g} g2={g[second]:g}",
                    )
                )
        return out
