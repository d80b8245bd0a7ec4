"""`Client` against a real HTTP server on 127.0.0.1 that injects faults: 429 with retry-after, 500/503, slow answers
past the timeout, malformed bodies, schema-invalid answers. Every request ends exactly once; the key leaks nowhere."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
import threading
import time

import pytest
from pydantic import BaseModel

from providers.base import OutputError, ProviderError, TransientError
from providers.cache import ResponseCache
from providers.client import open_client
from schemas import ProviderConfig
from tests.openai_server import Reply, serve

SECRET = "sk-test-FAULTS-7f3a9c"
KEY_ENV = "MEMDISTILL_TEST_KEY"


class Verdict(BaseModel):
    better: str
    confidence: float


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)


def config(url: str, **fields) -> ProviderConfig:
    base = {"kind": "openai_compatible", "model": "local", "base_url": url, "api_key_env": KEY_ENV, "timeout_s": 0.2}
    return ProviderConfig(**(base | fields))


def client(url: str, cache: ResponseCache | None = None, **fields):
    knobs = {k: fields.pop(k) for k in ("grow_after", "backoff_s") if k in fields}
    return open_client("local", config(url, **fields), cache=cache, budget=None, **({"backoff_s": 0.01} | knobs))


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def verdict(body: dict) -> str:
    return json.dumps({"better": body["messages"][-1]["content"], "confidence": 0.5})


def test_429_honours_retry_after_cuts_concurrency_then_grows_it_back():
    seen: list[tuple[float, str, int]] = []
    lock = threading.Lock()

    def reply(body):
        prompt = body["messages"][-1]["content"]
        with lock:  # the first wave (q0..q7, the first 8 in flight) is rate limited once
            first = int(prompt[1:]) < 8 and all(p != prompt for _, p, _ in seen)
            seen.append((time.monotonic(), prompt, 429 if first else 200))
        return Reply(status=429, headers={"retry-after": "0.05"}) if first else Reply(verdict(body))

    with serve(reply) as server:
        c = client(server.url, max_concurrency=8, grow_after=2)

        async def run():
            return await asyncio.gather(*(c.chat(ask(f"q{i}"), schema=Verdict) for i in range(40)))

        results = asyncio.run(run())
    assert [r.parsed.better for r in results] == [f"q{i}" for i in range(40)]
    assert (c.usage.rate_limited, c.usage.retries, c.usage.calls) == (8, 8, 48) == (8, 8, len(server.requests))
    assert c.lowest_concurrency == 4  # one cut for the whole wave, not eight
    assert c.concurrency == 8  # grown back by one per two successes
    for when, prompt, status in seen:
        if status == 429:
            retry = min(t for t, p, s in seen if p == prompt and s == 200)
            assert retry - when >= 0.05


def test_500_and_503_are_retried_until_an_answer():
    statuses = iter([500, 503])

    def reply(body):
        return Reply(status=next(statuses, 200), content="fine")

    with serve(reply) as server:
        c = client(server.url, max_retries=3)
        result = asyncio.run(c.chat(ask("?")))
    assert result.text == "fine"
    assert (c.usage.calls, c.usage.retries, c.usage.failures, len(server.requests)) == (3, 2, 0, 3)


def test_persistent_503_fails_after_max_retries():
    with serve(lambda body: Reply(status=503)) as server:
        c = client(server.url, max_retries=2)
        with pytest.raises(TransientError, match="HTTP 503") as info:
            asyncio.run(c.chat(ask("?")))
    assert info.value.status == 503 and len(server.requests) == 3
    assert (c.usage.calls, c.usage.retries, c.usage.failures) == (3, 2, 1)


def test_slow_answers_past_the_timeout_are_retried_then_fail():
    count = itertools.count()
    with serve(lambda body: Reply("late" if next(count) == 0 else "ok", delay_s=0.5 if next(count) < 2 else 0)) as s:
        # calls next() twice per request: the first request is slow, the second fast
        c = client(s.url, timeout_s=0.2, max_retries=2)
        assert asyncio.run(c.chat(ask("?"))).text == "ok"
    assert c.usage.retries == 1
    with serve(lambda body: Reply("late", delay_s=0.5)) as server:
        c = client(server.url, timeout_s=0.2, max_retries=1)
        with pytest.raises(TransientError, match="Timeout"):
            asyncio.run(c.chat(ask("?")))
    assert len(server.requests) == 2 and c.usage.failures == 1


def test_malformed_body_is_retried():
    count = itertools.count()

    def reply(body):
        return Reply(raw_body=b'{"choices": [{"mess') if next(count) == 0 else Reply("whole")

    with serve(reply) as server:
        c = client(server.url)
        assert asyncio.run(c.chat(ask("?"))).text == "whole"
    assert (c.usage.calls, c.usage.retries) == (2, 1)


def test_schema_invalid_answer_is_retried_then_an_output_error_with_the_raw_text():
    count = itertools.count()

    def reply(body):
        return Reply('{"better": "A"}') if next(count) == 0 else Reply(verdict(body))

    with serve(reply) as server:
        c = client(server.url, output_retries=1)
        assert asyncio.run(c.chat(ask("A"), schema=Verdict)).parsed == Verdict(better="A", confidence=0.5)
    assert (c.usage.output_retries, c.usage.output_failures) == (1, 0)

    with serve(lambda body: Reply("not json at all")) as server:
        c = client(server.url, output_retries=2)
        with pytest.raises(OutputError, match="after 3 tries") as info:
            asyncio.run(c.chat(ask("A"), schema=Verdict))
    assert info.value.raw == "not json at all" and len(server.requests) == 3
    assert (c.usage.output_retries, c.usage.output_failures, c.usage.failures) == (2, 1, 0)
    assert c.usage.input_tokens == 30  # the invalid answers were paid for


def test_client_errors_are_not_retried():
    with serve(lambda body: Reply(status=400)) as server:
        c = client(server.url, max_retries=3)
        with pytest.raises(ProviderError, match="400"):
            asyncio.run(c.chat(ask("?")))
    assert len(server.requests) == 1 and c.usage.retries == 0


def test_mixed_faults_every_request_ends_once_and_the_key_leaks_nowhere(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's and httpx2's included
    rng = random.Random(4)
    lock = threading.Lock()
    faults = ["ok"] * 12 + ["429", "500", "503", "slow", "malformed", "invalid"]

    def reply(body):
        with lock:
            fault = rng.choice(faults)
        if fault == "429":
            return Reply(status=429, headers={"retry-after": "0.01"})
        if fault in ("500", "503"):
            return Reply(status=int(fault))
        if fault == "slow":
            return Reply(verdict(body), delay_s=0.3)
        if fault == "malformed":
            return Reply(raw_body=b"{not json")
        return Reply("{}" if fault == "invalid" else verdict(body))

    cache = ResponseCache(tmp_path / "cache.sqlite")
    outcome: dict[str, str] = {}
    errors: list[BaseException] = []
    with serve(reply) as server:
        c = client(server.url, cache, max_concurrency=16, max_retries=3, output_retries=1, grow_after=4)

        async def one(i: int) -> None:
            prompt = f"q{i:03d}"
            try:
                result = await c.chat(ask(prompt), schema=Verdict)
            except ProviderError as exc:
                errors.append(exc)
                outcome[prompt] = "output" if isinstance(exc, OutputError) else "failed"
                return
            assert prompt not in outcome and result.parsed.better == prompt
            outcome[prompt] = "result"

        async def run():
            await asyncio.gather(*(one(i) for i in range(200)))

        asyncio.run(run())
    cache.close()
    assert sorted(outcome) == [f"q{i:03d}" for i in range(200)]
    counts = {kind: list(outcome.values()).count(kind) for kind in ("result", "output", "failed")}
    assert counts["output"] == c.usage.output_failures and counts["failed"] == c.usage.failures
    assert counts["result"] > 150 and c.usage.retries > 0 and c.usage.rate_limited > 0
    # every try is counted; under load a try can time out before the server has read it, so not every one arrives
    assert 0 < len(server.requests) <= c.usage.calls
    sent = [{k.lower(): v for k, v in h.items()}["authorization"] for h in server.headers]
    assert set(sent) == {f"Bearer {SECRET}"}  # the key is used ...
    assert not any(SECRET in f"{e} {e!r} {getattr(e, 'raw', '')}" for e in errors)  # ... and shown nowhere
    assert caplog.records and not any(SECRET in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text
    for path in tmp_path.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path
