"""Provider-layer throughput: N requests through a `Client` against the local OpenAI-compatible test server with a
fixed latency, achieved requests/s against the ideal (concurrency / latency), then the same requests again, served
from the response cache. Prints one JSON object.

    python bench/providers.py [--requests 400] [--concurrency 32] [--latency 0.05] [--schema]

The server runs in a child process, so its threads do not share this process's interpreter lock with the client.
`bare_backend_rps` is the same run through the backend alone (the SDK behind a semaphore): the ceiling the SDK's
own cost per call (~2 ms of CPU for the openai SDK) sets, whatever the Client does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import BaseModel

from providers.cache import ResponseCache
from providers.client import open_client
from schemas import ProviderConfig
from tests.openai_server import Reply, serve

KEY_ENV = "MEMDISTILL_BENCH_KEY"


class Verdict(BaseModel):
    better: str
    confidence: float


def _answer(latency: float, body: dict) -> Reply:
    content = json.dumps({"better": body["messages"][-1]["content"], "confidence": 0.5})
    return Reply(content, delay_s=latency)


def _serve(latency: float, urls: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    with serve(lambda body: _answer(latency, body)) as server:
        urls.put(server.url)
        stop.wait()


async def _run(client, n: int, schema: type[BaseModel] | None, prefix: str = "q") -> float:
    asks = [[{"role": "user", "content": f"{prefix}{i}"}] for i in range(n)]
    start = time.perf_counter()
    results = await asyncio.gather(*(client.chat(messages, schema=schema) for messages in asks))
    elapsed = time.perf_counter() - start
    if schema is not None:
        assert [r.parsed.better for r in results] == [f"{prefix}{i}" for i in range(n)]
    return elapsed


@dataclass
class _Bare:
    """The backend alone behind a semaphore: what the SDK and the server allow, without the Client's layers."""

    backend: Any
    slots: asyncio.Semaphore

    async def chat(self, messages: list[dict[str, str]], **params: Any) -> Any:
        async with self.slots:
            return await self.backend.chat(messages, **params)


async def _bench(client, n: int, concurrency: int, schema: type[BaseModel] | None) -> tuple[float, float, float]:
    bare = _Bare(client.renew(), asyncio.Semaphore(concurrency))
    await _run(bare, concurrency, None, prefix="warm-up ")
    sdk_only = await _run(bare, n, schema, prefix="bare ")
    await bare.backend.client.close()
    await _run(client, concurrency, None, prefix="warm-up ")  # connections, first-call costs
    cold = await _run(client, n, schema)
    warm = await _run(client, n, schema)
    await client.aclose()
    return sdk_only, cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the server takes per answer")
    parser.add_argument("--schema", action="store_true", help="ask for structured output (a pydantic model)")
    args = parser.parse_args()
    os.environ[KEY_ENV] = "sk-bench-not-a-real-key"

    urls: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    child = multiprocessing.Process(target=_serve, args=(args.latency, urls, stop), daemon=True)
    child.start()
    try:
        url = urls.get(timeout=30)
        config = ProviderConfig(kind="openai_compatible", model="bench", base_url=url, api_key_env=KEY_ENV,
                                max_concurrency=args.concurrency, timeout_s=30)  # fmt: skip
        schema = Verdict if args.schema else None
        with tempfile.TemporaryDirectory() as tmp, ResponseCache(Path(tmp) / "cache.sqlite") as cache:
            client = open_client("bench", config, cache=cache)
            sdk_only, cold, warm = asyncio.run(_bench(client, args.requests, args.concurrency, schema))
    finally:
        stop.set()
        child.join(timeout=5)
    ideal = args.concurrency / args.latency
    achieved = args.requests / cold
    figures = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "latency_s": args.latency,
        "schema": args.schema,
        "ideal_rps": round(ideal, 1),
        "achieved_rps": round(achieved, 1),
        "ratio": round(achieved / ideal, 3),
        "bare_backend_rps": round(args.requests / sdk_only, 1),
        "target_ratio": 0.9,
        "http_calls": client.usage.calls - args.concurrency,
        "cached_rerun_s": round(warm, 4),
        "cached_rerun_rps": round(args.requests / warm, 1),
        "cache_hits": client.usage.cache_hits,
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
