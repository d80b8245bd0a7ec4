"""A memory: one retrievable unit (a dialogue turn or a fact)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from schemas.base import Record


class Memory(Record):
    memory_id: str = Field(min_length=1)
    speaker: str | None = None
    timestamp: datetime | None = None
    text: str = Field(min_length=1)
