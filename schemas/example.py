"""The units that flow between stages: a generated dialogue with its queries, and one query with candidates."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import Record
from schemas.candidate import Candidate
from schemas.dialogue import Dialogue
from schemas.query import Query


class GeneratedDialogue(Record):
    """Output of the generate stage: a dialogue, its queries, and the scenario world it came from."""

    dialogue: Dialogue
    queries: list[Query]
    world: dict = Field(default_factory=dict, description="the scenario world, JSON-serialisable, for audits")

    @model_validator(mode="after")
    def _check(self) -> GeneratedDialogue:
        ids = self.dialogue.memory_ids()
        seen: set[str] = set()
        for q in self.queries:
            if q.dialogue_id != self.dialogue.dialogue_id:
                raise ValueError(
                    f"query {q.query_id!r} names dialogue {q.dialogue_id!r}, not {self.dialogue.dialogue_id!r}"
                )
            if q.query_id in seen:
                raise ValueError(f"query_id {q.query_id!r} is not unique")
            seen.add(q.query_id)
            missing = [e for e in q.evidence if e not in ids]
            if missing:
                raise ValueError(f"query {q.query_id!r}: evidence ids {missing} are not turns of the dialogue")
        return self


class _DialogueId(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    dialogue_id: str


class GeneratedQueries(BaseModel):
    """A read-back view of a `GeneratedDialogue` line: its dialogue's id and its queries, the dialogue's turns and the
    world skipped unvalidated (about 4x faster to parse; what `pipelines.build.select_queries` needs). Only for lines
    that were validated as `GeneratedDialogue` when written, and checked against their stage index since."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    dialogue: _DialogueId
    queries: list[Query]


class Example(Record):
    """One query with its candidate memories (output of the candidates stage)."""

    query: Query
    candidates: list[Candidate] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Example:
        ids = [c.memory.memory_id for c in self.candidates]
        if len(set(ids)) != len(ids):
            raise ValueError(f"query {self.query.query_id!r}: candidate memory ids repeat")
        gold = {c.memory.memory_id for c in self.candidates if c.gold == 1}
        if gold != set(self.query.evidence):
            raise ValueError(f"query {self.query.query_id!r}: gold {sorted(gold)} != evidence {self.query.evidence}")
        return self
