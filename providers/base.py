"""The one interface every model backend offers: async chat, optionally with a pydantic output schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}

TRANSIENT_STATUS = frozenset({408, 409, 429})  # and every 5xx


@dataclass(frozen=True)
class ChatResult:
    text: str
    parsed: BaseModel | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    top_logprobs: list[dict[str, float]] | None = None  # per output position: token -> log-probability


class ProviderError(RuntimeError):
    """A call that failed for good. Never carries the API key (nor the error body, which might echo it)."""


class TransientError(ProviderError):
    """A failure worth retrying: 408/409/429, 5xx, a timeout, a lost connection, a malformed response body.

    `retry_after` is the server's `retry-after` / `retry-after-ms` in seconds, when it sent one.
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class OutputError(ProviderError):
    """The model answered, but not in the requested schema; `raw` keeps what it said, the tokens what it cost."""

    def __init__(self, message: str, raw: str, *, input_tokens: int = 0, output_tokens: int = 0):
        super().__init__(message)
        self.raw = raw
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens


def is_transient_status(status: int | None) -> bool:
    return status is not None and (status in TRANSIENT_STATUS or status >= 500)


def retry_after(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `retry-after` (a number of seconds) in response headers; None if absent."""
    if headers is None:
        return None
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue  # an HTTP date: rare from model APIs; fall back to our own backoff
        if seconds >= 0:
            return seconds
    return None


def status_error(provider: str, kind: str, status: int | None, headers: Any) -> ProviderError:
    """The error for an HTTP failure: transient (with the server's retry-after) or final. Never the body."""
    message = f"provider {provider}: {kind}: HTTP {status}"
    if is_transient_status(status):
        return TransientError(message, status=status, retry_after=retry_after(headers))
    return ProviderError(message)


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
