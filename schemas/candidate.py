"""A candidate: a memory offered for a query, with its scenario gold and where it came from."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from schemas.base import Record
from schemas.grade import EVIDENCE_TIER
from schemas.memory import Memory

_ORIGIN = re.compile(r"^(evidence|constructed:[a-z0-9_]+|retrieved:[a-z0-9_]+)$")


class Candidate(Record):
    memory: Memory
    gold: Literal[0, 1]
    origin: str = Field(description="evidence | constructed:<reason> | retrieved:<retriever>")
    grade: int | None = Field(
        default=None, ge=0, le=4, description="graded relevance from the scenario (`schemas.grade`); None: unknown"
    )

    @field_validator("origin")
    @classmethod
    def _origin(cls, value: str) -> str:
        if not _ORIGIN.match(value):
            raise ValueError(f"origin {value!r} is not evidence, constructed:<reason> or retrieved:<retriever>")
        return value

    @model_validator(mode="after")
    def _grade(self) -> Candidate:
        if self.grade is not None and self.gold != int(self.grade >= EVIDENCE_TIER):
            raise ValueError(f"candidate {self.memory.memory_id!r}: gold {self.gold} disagrees with grade {self.grade}")
        return self

    def graded(self) -> int:
        """The grade, or 4 * gold for a candidate made without one (binary relevance)."""
        return self.grade if self.grade is not None else 4 * self.gold


def origin_kind(origin: str) -> str:
    """`constructed:superseded` -> `constructed`."""
    return origin.split(":", 1)[0]
