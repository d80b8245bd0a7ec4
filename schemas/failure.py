"""An item a stage could not produce after its retries: kept aside and counted, never silently dropped."""

from __future__ import annotations

from pydantic import Field

from schemas.base import Record


class Failure(Record):
    stage: str = Field(min_length=1)
    item: str = Field(min_length=1, description="what failed: a dialogue id, a query id, a pair")
    error: str = Field(description="one line: why")
    raw: str = Field(default="", description="the last raw model output, if any")
    attempts: int = Field(default=1, ge=1)
