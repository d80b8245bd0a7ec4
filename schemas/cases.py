"""Reranking cases: the JSONL exchange format for scoring and evaluation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from schemas.base import Record
from schemas.memory import Memory
from schemas.query import ContextTurn


class CaseCandidate(Record):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    speaker: str | None = None
    date_time: datetime | None = None

    def as_memory(self) -> Memory:
        return Memory(memory_id=self.id, speaker=self.speaker, timestamp=self.date_time, text=self.text)


class RerankCase(Record):
    case_id: str = Field(min_length=1)
    query: str = Field(min_length=1)
    instruction: str | None = None
    context: list[ContextTurn] = Field(default_factory=list)
    query_time: datetime | None = None
    candidates: list[CaseCandidate] = Field(min_length=1)
    positives: list[str] | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> RerankCase:
        ids = [c.id for c in self.candidates]
        if len(set(ids)) != len(ids):
            raise ValueError(f"case {self.case_id!r}: candidate ids repeat")
        if self.positives is not None:
            missing = sorted(set(self.positives) - set(ids))
            if missing:
                raise ValueError(f"case {self.case_id!r}: positives {missing} are not candidate ids")
        return self


class ScoredCase(Record):
    case_id: str
    scores: dict[str, float]
