"""`Client`: any backend made fit for a build — response cache, budget, rate limits, adaptive concurrency, retries,
schema retries and usage accounting, in that order around each call.

    client = open_client("gpt", config.providers["gpt"], cache=ResponseCache(run_dir / "cache.sqlite"), budget=budget)
    result = await client.chat(messages, schema=Verdict)
    manifest["providers"]["gpt"] = client.usage.as_dict()

- A cache hit returns the stored result (its parsed model re-validated) and costs nothing, even past the budget.
- A paid call starts only while the shared `Budget` is not spent; else `BudgetExceeded`.
- Requests and tokens per minute (prompt characters / 4 + `max_tokens`) pass token buckets when configured.
- At most `max_concurrency` calls in flight, halved on a 429 and grown back by one after `grow_after` successes.
- A `TransientError` (429, 5xx, timeout, lost connection, malformed body) is retried up to `max_retries` times with
  tenacity, after the server's `retry-after` when it sent one, else exponential backoff with seeded jitter.
- An answer that does not fit the schema is retried `output_retries` times, then raised as `OutputError` with the
  raw text, for the caller to record as a failure.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx2
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from providers.base import ChatResult, Message, OutputError, Provider, ProviderError, TransientError
from providers.budget import Budget, BudgetExceeded
from providers.cache import ResponseCache, request_key
from providers.limits import AdaptiveConcurrency, TokenBucket
from providers.pricing import Price, price_for
from providers.registry import make_provider
from schemas import ProviderConfig

log = logging.getLogger(__name__)


@dataclass
class Usage:
    calls: int = 0  # requests sent to the backend, every try counted
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0  # tries repeated after a transient error
    rate_limited: int = 0  # 429 answers
    output_retries: int = 0  # tries repeated after an answer that did not fit the schema
    output_failures: int = 0  # chat() calls that ended in OutputError
    failures: int = 0  # chat() calls that ended in any other ProviderError (budget stops excluded)
    priced: bool = True  # False: the model has no known price, so cost_usd counts nothing for it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def merge(self, other: Usage) -> Usage:
        """The sum of two usages (of two shards, say)."""
        merged = {k: v + getattr(other, k) for k, v in asdict(self).items() if k != "priced"}
        return Usage(**merged, priced=self.priced and other.priced)


@dataclass
class Client:
    backend: Provider
    config: ProviderConfig
    cache: ResponseCache | None = None
    budget: Budget | None = None
    seed: int = 0  # jitter of the backoff only: results never depend on it
    grow_after: int = 16
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    usage: Usage = field(default_factory=Usage)
    price: Price | None = None
    renew: Callable[[], Provider] | None = None  # a fresh backend for a new event loop (its HTTP pool is loop-bound)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    _concurrency: AdaptiveConcurrency = field(init=False, repr=False)
    _requests: TokenBucket | None = field(init=False, repr=False)
    _tokens: TokenBucket | None = field(init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        config = self.config
        self.price = self.price or price_for(config)
        self.usage.priced = self.price.priced
        self._concurrency = AdaptiveConcurrency(config.max_concurrency, self.grow_after)
        self._requests = TokenBucket(config.requests_per_minute) if config.requests_per_minute else None
        self._tokens = TokenBucket(config.tokens_per_minute) if config.tokens_per_minute else None
        self._rng = random.Random(self.seed)

    @property
    def name(self) -> str:
        return self.backend.name

    @property
    def model(self) -> str:
        return self.backend.model

    @property
    def concurrency(self) -> int:
        """The current limit on calls in flight (cut on 429, grown back)."""
        return self._concurrency.limit

    @property
    def lowest_concurrency(self) -> int:
        return self._concurrency.lowest

    def cache_key(self, messages: Sequence[Message], schema: type[BaseModel] | None, params: dict[str, Any]) -> str:
        identity = {"kind": self.config.kind, "model": self.config.model, "base_url": self.config.base_url}
        return request_key(identity, messages, schema, params)

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        schema: type[BaseModel] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        top_logprobs: int = 0,
        **params: Any,
    ) -> ChatResult:
        self._bind_loop()
        params = {"temperature": temperature, "max_tokens": max_tokens, "top_logprobs": top_logprobs, **params}
        key = self.cache_key(messages, schema, params) if self.cache is not None else None
        if key is not None and (hit := self.cache.get(key, schema)) is not None:
            self.usage.cache_hits += 1
            return hit
        try:
            result = await self._until_valid(messages, schema, params)
        except BudgetExceeded:
            raise
        except OutputError:
            self.usage.output_failures += 1
            raise
        except ProviderError:
            self.usage.failures += 1
            raise
        if key is not None:
            self.cache.put(key, self.name, self.model, result)
        return result

    async def aclose(self) -> None:
        """Close the backend's connections; call it before the event loop that used this client ends (a build runs
        one `asyncio.run` per shard). A later call, in any loop, gets a fresh backend."""
        close = getattr(getattr(self.backend, "client", None), "close", None)
        if close is not None:
            await close()
        if self.renew is not None:
            self.backend = self.renew()
        self._loop = None

    def _bind_loop(self) -> None:
        """Pooled connections of an earlier loop cannot serve this one: a fresh backend (better: `aclose` first)."""
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop and self.renew is not None:
            self.backend = self.renew()
        self._loop = loop

    async def _until_valid(
        self, messages: Sequence[Message], schema: type[BaseModel] | None, params: dict[str, Any]
    ) -> ChatResult:
        tries = self.config.output_retries + 1
        for attempt in range(1, tries + 1):
            try:
                return await self._with_retries(messages, schema, params)
            except OutputError as exc:
                if attempt == tries:
                    raise OutputError(f"{exc} (after {tries} tries)", raw=exc.raw) from None
                self.usage.output_retries += 1
                log.warning("%s; asking again (%d/%d)", exc, attempt, tries - 1)
        raise AssertionError("unreachable")

    async def _with_retries(
        self, messages: Sequence[Message], schema: type[BaseModel] | None, params: dict[str, Any]
    ) -> ChatResult:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=self._wait,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        return await retrying(self._attempt, messages, schema, params)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return exc.retry_after
        backoff = min(self.max_backoff_s, self.backoff_s * 2 ** (state.attempt_number - 1))
        return backoff * (0.5 + 0.5 * self._rng.random())

    def _before_sleep(self, state: RetryCallState) -> None:
        self.usage.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s; retry %d/%d in %.2fs", exc, state.attempt_number, self.config.max_retries, pause)

    async def _attempt(
        self, messages: Sequence[Message], schema: type[BaseModel] | None, params: dict[str, Any]
    ) -> ChatResult:
        if self.budget is not None:
            self.budget.check(self.name)
        if self._requests is not None:
            await self._requests.take(1)
        if self._tokens is not None:
            prompt = sum(len(m.get("content", "")) for m in messages) // 4
            await self._tokens.take(prompt + params["max_tokens"])
        epoch = await self._concurrency.acquire()
        ok = rate_limited = False
        try:
            self.usage.calls += 1
            result = await self.backend.chat(messages, schema=schema, **params)
            ok = True
        except TransientError as exc:
            rate_limited = exc.status == 429
            self.usage.rate_limited += rate_limited
            raise
        except OutputError as exc:
            ok = True  # the server is fine; the answer is not
            self._account(exc.input_tokens, exc.output_tokens)
            raise
        except TimeoutError:
            raise TransientError(f"provider {self.name}: timed out") from None
        finally:
            self._concurrency.release(epoch, ok=ok, rate_limited=rate_limited)
        self._account(result.input_tokens, result.output_tokens)
        return result

    def _account(self, input_tokens: int, output_tokens: int) -> None:
        cost = self.price.cost(input_tokens, output_tokens) if self.price else 0.0
        self.usage.input_tokens += input_tokens
        self.usage.output_tokens += output_tokens
        self.usage.cost_usd += cost
        if self.budget is not None:
            self.budget.add(cost)


def open_client(
    name: str,
    config: ProviderConfig,
    *,
    cache: ResponseCache | None = None,
    budget: Budget | None = None,
    http_client: httpx2.AsyncClient | None = None,
    **options: Any,
) -> Client:
    """The backend from `providers.registry.make_provider`, wrapped in a `Client`. `options`: Client's knobs
    (seed, grow_after, backoff_s, max_backoff_s)."""

    def backend() -> Provider:
        return make_provider(name, config, http_client=http_client)

    # an SDK's connection pool is bound to its event loop: ours is made anew for each loop; a caller's own client
    # is theirs to keep on one loop; in-process backends (transformers, offline) are kept, never reloaded
    renew = backend if http_client is None and config.kind in ("openai", "anthropic", "openai_compatible") else None
    return Client(backend(), config, cache=cache, budget=budget, renew=renew, **options)
