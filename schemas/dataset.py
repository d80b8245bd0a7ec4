"""One row of the exported dataset: a query with its labelled candidates."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Record
from schemas.query import ContextTurn, Skill


class RowCandidate(Record):
    memory_id: str
    text: str
    speaker: str | None
    timestamp: str | None = Field(description="ISO 8601 session date-time")
    gold: int = Field(ge=0, le=1)
    grade: int | None = Field(default=None, ge=0, le=4, description="graded relevance from the scenario, 0-4")
    label: float = Field(ge=0.0, le=1.0)
    tier: int = Field(ge=0, le=4)
    origin: str


class DatasetRow(Record):
    query_id: str
    dialogue_id: str
    skill: Skill | Literal["general"]  # general: a general-domain relevance row (pipelines.general)
    instruction: str
    query: str
    context: list[ContextTurn]
    query_time: str = Field(description="ISO 8601")
    answer: str
    candidates: list[RowCandidate] = Field(min_length=1)
