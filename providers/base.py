"""The one interface every model backend offers: async chat, optionally with a pydantic output schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class ChatResult:
    text: str
    parsed: BaseModel | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    top_logprobs: list[dict[str, float]] | None = None  # per output position: token -> log-probability


class ProviderError(RuntimeError):
    """A call that failed for good (after the SDK's retries). Never carries the API key."""


class OutputError(ProviderError):
    """The model answered, but not in the requested schema; `raw` keeps what it said."""

    def __init__(self, message: str, raw: str):
        super().__init__(message)
        self.raw = raw


class Provider(Protocol):
    name: str
    model: str

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        schema: type[BaseModel] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        top_logprobs: int = 0,
        **params: Any,
    ) -> ChatResult: ...
