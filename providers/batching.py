"""Batch execution behind the ordinary `chat` interface: requests queue up, go out as one batch, and come back on a
later run.

A stage calls `chat` for all its requests at once (asyncio.gather), as it does online. `BatchingBackend` waits
until no new request has arrived for a moment, submits them all (`providers.batch.submit`, idempotent, job ids
persisted in the run folder), and collects. While the batch runs, every waiting call raises `BatchPending`: the
stage keeps what it finished, the build stops cleanly, and the same command later collects the answers (which the
response cache then keeps).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from pydantic import BaseModel

from providers.base import ChatResult, Message, OutputError, ProviderError
from providers.batch import BatchFailure, collect, submit
from providers.budget import Budget
from providers.cache import ResponseCache, request_key
from providers.client import Client
from schemas import ProviderConfig

SETTLE_S = 0.05  # a batch is cut once no request has joined the queue for this long


class BatchPending(ProviderError):
    """A submitted batch has not ended yet; run the same command later to collect it."""


@dataclass
class _Waiting:
    custom_id: str
    messages: Sequence[Message]
    params: dict[str, Any]
    schema: type[BaseModel] | None
    answer: asyncio.Future[ChatResult]


@dataclass
class BatchingBackend:
    name: str
    config: ProviderConfig
    job_dir: Path
    http_client: httpx2.AsyncClient | None = None  # tests: an httpx2 MockTransport client
    _queue: list[_Waiting] = field(default_factory=list)
    _flushing: asyncio.Task[None] | None = None

    @property
    def model(self) -> str:
        return self.config.model

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
        body = {"temperature": temperature, "max_tokens": max_tokens, **params}
        if top_logprobs:
            body["top_logprobs"] = top_logprobs
        identity = {"kind": self.config.kind, "model": self.config.model, "base_url": self.config.base_url}
        custom_id = request_key(identity, messages, schema, body)[:64]
        waiting = _Waiting(custom_id, messages, body, schema, asyncio.get_running_loop().create_future())
        self._queue.append(waiting)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await waiting.answer

    async def _flush(self) -> None:
        seen = -1
        while seen != len(self._queue):  # settle: wait until the stage has queued everything it will
            seen = len(self._queue)
            await asyncio.sleep(SETTLE_S)
        queue, self._queue = self._queue, []
        by_schema: dict[str, list[_Waiting]] = {}
        for w in queue:
            by_schema.setdefault(w.schema.__name__ if w.schema else "", []).append(w)
        for group in by_schema.values():
            await self._run(group)

    async def _run(self, group: list[_Waiting]) -> None:
        unique = {w.custom_id: w for w in group}  # the same request twice is one batch line
        requests = [(w.custom_id, w.messages, w.params) for w in unique.values()]
        schema = group[0].schema
        try:
            job = await submit(
                self.job_dir, self.name, self.config, requests, schema=schema, http_client=self.http_client
            )
            results = await collect(
                self.job_dir, job, self.name, self.config, schema=schema, http_client=self.http_client
            )
        except ProviderError as exc:
            for w in group:
                w.answer.set_exception(exc)
            return
        for w in group:
            if results is None:
                w.answer.set_exception(BatchPending(f"provider {self.name}: batch {job} is still running"))
                continue
            outcome = results[w.custom_id]
            if isinstance(outcome, BatchFailure):
                w.answer.set_exception(OutputError(f"provider {self.name}: {outcome.error}", raw=outcome.raw or ""))
            else:
                w.answer.set_result(outcome)


def open_batch_client(
    name: str,
    config: ProviderConfig,
    job_dir: Path,
    *,
    cache: ResponseCache | None = None,
    budget: Budget | None = None,
    http_client: httpx2.AsyncClient | None = None,
) -> Client:
    """A `Client` (cache, budget, accounting, schema retries) whose backend batches: no concurrency or rate limit
    applies, since a whole stage's requests must queue together to go out as one batch."""
    unlimited = config.model_copy(update={"max_concurrency": 1_000_000, "requests_per_minute": None,
                                          "tokens_per_minute": None})  # fmt: skip
    return Client(BatchingBackend(name, config, job_dir, http_client), unlimited, cache=cache, budget=budget)
