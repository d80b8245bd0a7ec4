"""A multi-session dialogue: dated sessions of turns; every turn is a memory."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from schemas.base import Record
from schemas.memory import Memory


class Turn(Record):
    turn_id: str = Field(min_length=1)
    speaker: str = Field(min_length=1)
    text: str = Field(min_length=1)
    expresses: list[str] = Field(default_factory=list, description="scenario fact and event ids this turn states")


class Session(Record):
    index: int = Field(ge=1)
    date_time: datetime
    turns: list[Turn] = Field(min_length=1)


class Dialogue(Record):
    dialogue_id: str = Field(min_length=1)
    speakers: tuple[str, str]
    sessions: list[Session] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Dialogue:
        seen: set[str] = set()
        for session in self.sessions:
            for turn in session.turns:
                if turn.turn_id in seen:
                    raise ValueError(f"turn_id {turn.turn_id!r} is not unique in dialogue {self.dialogue_id!r}")
                seen.add(turn.turn_id)
        dates = [s.date_time for s in self.sessions]
        if dates != sorted(dates):
            raise ValueError(f"sessions of dialogue {self.dialogue_id!r} are not in date order")
        return self

    def memories(self) -> list[Memory]:
        """Every turn as a memory, timestamped with its session's date-time."""
        return [
            Memory(memory_id=t.turn_id, speaker=t.speaker, timestamp=s.date_time, text=t.text)
            for s in self.sessions
            for t in s.turns
        ]

    def memory_ids(self) -> set[str]:
        return {t.turn_id for s in self.sessions for t in s.turns}
