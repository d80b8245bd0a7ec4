"""A query against one dialogue, with its gold evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import Field, model_validator

from schemas.base import Record

Skill = Literal[
    "temporal",
    "causal",
    "coreference",
    "multi_hop",
    "knowledge_update",
    "unanswerable",
    "single_hop",
    "feeling",
    "aggregation",
    "speaker_swap",
]
SKILLS: tuple[str, ...] = get_args(Skill)


class ContextTurn(Record):
    """A conversation turn the query depends on (e.g. the antecedent of a pronoun)."""

    speaker: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Query(Record):
    query_id: str = Field(min_length=1)
    dialogue_id: str = Field(min_length=1)
    skill: Skill
    instruction: str = Field(min_length=1)
    text: str = Field(min_length=1)
    context: list[ContextTurn] = Field(default_factory=list)
    query_time: datetime
    answer: str
    evidence: list[str] = Field(default_factory=list, description="gold memory ids")

    @model_validator(mode="after")
    def _check(self) -> Query:
        if len(set(self.evidence)) != len(self.evidence):
            raise ValueError(f"query {self.query_id!r}: evidence ids repeat")
        if self.skill == "unanswerable" and self.evidence:
            raise ValueError(f"query {self.query_id!r}: an unanswerable query has no evidence")
        if self.skill != "unanswerable" and not self.evidence:
            raise ValueError(f"query {self.query_id!r}: skill {self.skill!r} needs evidence")
        return self
