"""A candidate: a memory offered for a query, with its scenario gold and where it came from."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from schemas.base import Record
from schemas.memory import Memory

_ORIGIN = re.compile(r"^(evidence|constructed:[a-z0-9_]+|retrieved:[a-z0-9_]+)$")


class Candidate(Record):
    memory: Memory
    gold: Literal[0, 1]
    origin: str = Field(description="evidence | constructed:<reason> | retrieved:<retriever>")

    @field_validator("origin")
    @classmethod
    def _origin(cls, value: str) -> str:
        if not _ORIGIN.match(value):
            raise ValueError(f"origin {value!r} is not evidence, constructed:<reason> or retrieved:<retriever>")
        return value


def origin_kind(origin: str) -> str:
    """`constructed:superseded` -> `constructed`."""
    return origin.split(":", 1)[0]
