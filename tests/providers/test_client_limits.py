"""Rate limits (token buckets), adaptive concurrency (AIMD) and the `limited` shim."""

from __future__ import annotations

import asyncio
import time

import pytest

from providers.base import ChatResult
from providers.client import Client, open_client
from providers.limits import AdaptiveConcurrency, TokenBucket
from schemas import ProviderConfig
from tests.openai_server import Reply, serve


def test_token_bucket_holds_the_rate_after_a_one_second_burst():
    bucket = TokenBucket(per_minute=1200)  # 20 a second, bursts of 20

    async def take(n: int) -> float:
        start = time.monotonic()
        for _ in range(n):
            await bucket.take(1)
        return time.monotonic() - start

    assert asyncio.run(take(20)) < 0.05  # the burst
    assert asyncio.run(take(6)) == pytest.approx(0.3, abs=0.06)  # then 20 a second


def test_a_request_larger_than_the_bucket_borrows_so_the_long_run_rate_holds():
    bucket = TokenBucket(per_minute=600)  # 10 a second, bursts of 10

    async def run() -> list[float]:
        return [await bucket.take(12), await bucket.take(1)]

    first, second = asyncio.run(run())
    assert first == 0 and second == pytest.approx(0.3, abs=0.01)  # repays 2 borrowed, then waits for 1


def test_aimd_halves_once_per_wave_never_below_one_and_grows_back():
    limit = AdaptiveConcurrency(8, grow_after=2)

    async def run() -> list[int]:
        seen = []
        wave = [await limit.acquire() for _ in range(8)]
        for epoch in wave:  # the whole wave is rate limited: one cut
            limit.release(epoch, ok=False, rate_limited=True)
        seen.append(limit.limit)
        for _ in range(3):  # each later wave cuts again, down to 1
            limit.release(await limit.acquire(), ok=False, rate_limited=True)
        seen.append(limit.limit)
        for _ in range(14):
            limit.release(await limit.acquire(), ok=True)
        seen.append(limit.limit)
        return seen

    assert asyncio.run(run()) == [4, 1, 8]
    assert limit.lowest == 1 and limit.in_flight == 0


def test_in_flight_calls_never_pass_the_limit():
    active, peak = 0, 0

    class Slow:
        name, model = "slow", "m"

        async def chat(self, messages, **params):
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1
            return ChatResult(messages[-1]["content"])

    config = ProviderConfig(kind="openai_compatible", model="m", base_url="http://127.0.0.1:9/v1", max_concurrency=3)
    client = Client(Slow(), config)
    assert isinstance(client, Client) and client.name == "slow"

    async def run():
        return await asyncio.gather(*(client.chat([{"role": "user", "content": str(i)}]) for i in range(20)))

    assert [r.text for r in asyncio.run(run())] == [str(i) for i in range(20)]
    assert peak == 3 and client.usage.calls == 20


def test_requests_per_minute_is_enforced_and_the_client_survives_new_event_loops(monkeypatch):
    monkeypatch.setenv("MEMDISTILL_TEST_KEY", "sk-test-LIMITS")
    with serve(lambda body: Reply("ok")) as server:
        cfg = ProviderConfig(kind="openai_compatible", model="local", base_url=server.url,
                             api_key_env="MEMDISTILL_TEST_KEY", requests_per_minute=1200)  # fmt: skip
        client = open_client("local", cfg)

        async def run(n: int):
            try:
                return await asyncio.gather(*(client.chat([{"role": "user", "content": f"{i}"}]) for i in range(n)))
            finally:
                await client.aclose()

        start = time.monotonic()
        asyncio.run(run(20))  # the burst
        asyncio.run(run(8))  # a second shard, a second event loop: 8 more at 20 a second
        asyncio.run(client.chat([{"role": "user", "content": "late"}]))  # a third loop, without aclose before
        elapsed = time.monotonic() - start
    assert len(server.requests) == 29 and client.usage.calls == 29
    assert 0.4 <= elapsed < 1.5
