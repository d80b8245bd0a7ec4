"""Batch execution behind `chat`: a stage's concurrent calls go out as one batch, pending until a later run."""

from __future__ import annotations

import asyncio
import json

import pytest

from providers.batching import BatchPending, open_batch_client
from providers.cache import ResponseCache
from tests.providers.test_batch import OPENAI, SECRET, OpenAIBatchServer, Verdict, completion_line, mock


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


def stage(client, n: int = 5):
    """What a stage does: every request at once."""

    async def run():
        calls = [client.chat([{"role": "user", "content": f"pair {i}"}], schema=Verdict) for i in range(n)]
        try:
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_one_batch_pending_then_collected_then_cached(tmp_path):
    server = OpenAIBatchServer()
    with ResponseCache(tmp_path / "cache.sqlite") as cache:
        client = open_batch_client("judge", OPENAI, tmp_path / "batches", cache=cache, http_client=mock(server))
        first = stage(client)
        assert all(isinstance(r, BatchPending) for r in first)
        assert len(server.uploads) == 1 and len(server.uploads[0]) == 5 and len(server.batches) == 1

        again = stage(client)  # still running: nothing is submitted twice
        assert all(isinstance(r, BatchPending) for r in again) and len(server.uploads) == 1

        lines = [completion_line(line["custom_id"], json.dumps({"better": "A", "confidence": 0.5 + i / 10}))
                 for i, line in enumerate(server.uploads[0])]  # fmt: skip
        server.finish("batch_1", lines, [])
        done = stage(client)
        assert [r.parsed.confidence for r in done] == [0.5, 0.6, 0.7, 0.8, 0.9]
        assert client.usage.input_tokens == 5 * 20

        calls_before = len(server.calls)
        cached = stage(client)
        assert [r.parsed for r in cached] == [r.parsed for r in done]
        assert len(server.calls) == calls_before and client.usage.cache_hits == 5
    assert all(SECRET not in p.read_text() for p in (tmp_path / "batches").rglob("*") if p.is_file())
