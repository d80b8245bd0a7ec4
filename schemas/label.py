"""The soft label of one (query, candidate) pair."""

from __future__ import annotations

from pydantic import Field, model_validator

from schemas.base import Record


class SoftLabel(Record):
    query_id: str = Field(min_length=1)
    memory_id: str = Field(min_length=1)
    label: float = Field(ge=0.0, le=1.0)
    tier: int = Field(ge=0, le=4)
    strength: float = Field(description="Bradley-Terry log-strength")
    interval: tuple[float, float] | None = Field(default=None, description="interval on the label")
    n_judgments: int = Field(ge=0)
    agreement: float | None = Field(default=None, ge=-1.0, le=1.0, description="teacher agreement for the query")

    @model_validator(mode="after")
    def _check(self) -> SoftLabel:
        if self.interval is not None and not (self.interval[0] <= self.interval[1]):
            raise ValueError(f"label interval {self.interval} is not ordered")
        return self
