"""The scenario teacher: graded usefulness read from how each candidate was made, not just the 0/1 gold.

Grades (one step = one logit at temperature 1; the calibration stage later fits the teacher's slope):

| candidate                                                                        | grade |
|----------------------------------------------------------------------------------|-------|
| evidence: a full answer                                                          | 3     |
| evidence of a `multi_hop` query with several evidence turns: one link of the chain | 2   |
| the null anchor, "no memory"                                                     | 1.5   |
| constructed near miss: the same entity or event at another time, or the truth's neighbour (`NEAR_MISS`) | 1 |
| constructed `lexical` look-alike, or a retrieved negative                        | 0     |

`p_first = sigmoid((grade_first - grade_second) / temperature)`. Deterministic, no model. In a keyless build it is
the one teacher that understands time and cause; its weight is earned on the calibration slice like any other's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from judges.anchor import NULL_ID
from judges.pairing import Pair
from schemas import Candidate, Example, Failure, Judgment

FULL_ANSWER = 3.0
LINK = 2.0
NULL_GRADE = 1.5
NEAR = 1.0
UNRELATED = 0.0

NEAR_MISS = frozenset(
    {
        "superseded",
        "other_time",
        "same_entity",
        "other_attribute",
        "effect_for_cause",
        "cause_for_effect",
        "other_cause",
        "other_effect",
        "other_event",
        "wrong_referent",
        "other_person",
        "other_company",
        "same_event",
    }
)
FAR = frozenset({"lexical", "other_query", "same_topic"})


def grade(example: Example, candidate: Candidate) -> float:
    """The usefulness grade of one candidate for the example's query (see the module table)."""
    kind, _, reason = candidate.origin.partition(":")
    if candidate.gold == 1 or kind == "evidence":
        chain = example.query.skill == "multi_hop" and len(example.query.evidence) > 1
        return LINK if chain else FULL_ANSWER
    if kind == "retrieved":
        return UNRELATED
    if reason in NEAR_MISS:
        return NEAR
    if reason in FAR:
        return UNRELATED
    raise ValueError(
        f"scenario teacher: query {example.query.query_id!r}, candidate {candidate.memory.memory_id!r}: "
        f"origin {candidate.origin!r} has no grade"
    )


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
