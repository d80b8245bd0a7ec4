"""Concurrency limits around any provider."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from providers.base import ChatResult, Message, Provider


@dataclass
class Limited:
    """At most `max_concurrency` calls in flight; tokens used are summed as calls finish."""

    inner: Provider
    max_concurrency: int
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def model(self) -> str:
        return self.inner.model

    async def chat(
        self, messages: Sequence[Message], *, schema: type[BaseModel] | None = None, **params: Any
    ) -> ChatResult:
        if self._slots is None:  # made inside the running loop
            self._slots = asyncio.Semaphore(self.max_concurrency)
        async with self._slots:
            result = await self.inner.chat(messages, schema=schema, **params)
        self.calls += 1
        self.input_tokens += result.input_tokens
        self.output_tokens += result.output_tokens
        return result


def limited(provider: Provider, max_concurrency: int) -> Limited:
    return Limited(provider, max_concurrency)
