"""One teacher's view of one ordered pair of candidates."""

from __future__ import annotations

from pydantic import Field

from schemas.base import Record


class Judgment(Record):
    teacher: str = Field(min_length=1)
    query_id: str = Field(min_length=1)
    first: str = Field(min_length=1, description="memory id shown first")
    second: str = Field(min_length=1, description="memory id shown second")
    p_first: float = Field(ge=0.0, le=1.0, description="probability the first is more useful")
    raw: str = ""
    tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0.0)
