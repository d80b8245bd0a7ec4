"""Graded relevance, 0-4, of a candidate for its query: the one table, read from how the scenario made the candidate.

The grade is what a careful answerer gains from the memory, computed from the world, never guessed:

- 4, answers the question alone: an evidence turn that states every answer id of the query's plan.
- 3, a necessary part of the answer: an evidence turn that states some of them (a `multi_hop` link, an
  `aggregation` item, an episode whose feeling is said a turn later, an episode and its follow-up detail), and the
  `speaker_swap` turn: the question gives it to the wrong person, and the answer needs it ("that was Anna, not Ben").
- 2, the right fact at the wrong time or state: `superseded`, `other_time`, `same_event` (another turn of the same
  episode): useful context, wrong answer.
- 1, same person, entity or topic, no answer: `other_person`, `other_event`, `other_attribute`, `wrong_referent`,
  `same_entity`, the causal neighbours, `other_company`.
- 0, unrelated to the need: `lexical` look-alikes, `other_query` (another question's evidence), `same_topic`,
  `filler` (a turn that states nothing about the world: chit-chat, an aside), anything `retrieved`.

Tiers 0-4 of a label mean these grades in every build: a label is calibrated to expected grade / 4, and its tier is
the nearest grade (`tier_of`). Binary gold is `grade >= EVIDENCE_TIER`. The scenario teacher reads this same table,
so it agrees with graded gold by construction: the panel without it is the honest figure.
"""

from __future__ import annotations

from typing import Final

MAX_GRADE: Final = 4
EVIDENCE_TIER: Final = 3  # binary gold: grade >= 3
NULL_GRADE: Final = 2.5  # "no memory": below what the answer needs, above the right fact at the wrong time

REASON_GRADE: Final[dict[str, int]] = {
    "superseded": 2,
    "other_time": 2,
    "same_event": 2,
    "same_entity": 1,
    "other_attribute": 1,
    "effect_for_cause": 1,
    "cause_for_effect": 1,
    "other_cause": 1,
    "other_effect": 1,
    "other_event": 1,
    "wrong_referent": 1,
    "other_person": 1,
    "other_company": 1,
    "lexical": 0,
    "other_query": 0,
    "same_topic": 0,
    "filler": 0,
}

PART_SKILLS: Final = frozenset({"speaker_swap"})  # evidence a careful answer needs, that answers no part alone


def evidence_grade(skill: str, alone: bool) -> int:
    """4 for an evidence turn that states every answer of its query, 3 for one part of several (and for any
    `speaker_swap` evidence)."""
    return 4 if alone and skill not in PART_SKILLS else 3


def grade_of(origin: str, skill: str, alone: bool) -> int:
    """The grade of a candidate from its origin (`evidence`, `constructed:<reason>`, `retrieved:<retriever>`);
    `alone`: for evidence, whether the turn states every answer of the query by itself."""
    kind, _, reason = origin.partition(":")
    if kind == "evidence":
        return evidence_grade(skill, alone)
    if kind == "retrieved":
        return 0
    if reason not in REASON_GRADE:
        raise ValueError(f"origin {origin!r}: reason {reason!r} has no grade in schemas.grade.REASON_GRADE")
    return REASON_GRADE[reason]


def tier_of(label: float) -> int:
    """The tier of a label calibrated to grade / 4: the nearest grade (0.375 <= label < 0.625 is tier 2)."""
    return min(MAX_GRADE, max(0, int(label * MAX_GRADE + 0.5)))
