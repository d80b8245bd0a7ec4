"""The SQLite response cache: keys, identical results on a re-run with zero HTTP calls, refusal of bad files."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from pydantic import BaseModel

from providers.base import ChatResult
from providers.cache import CacheError, ResponseCache, request_key
from providers.client import open_client
from schemas import ProviderConfig
from tests.openai_server import Reply, serve

SECRET = "sk-test-CACHE-41b2"
IDENTITY = {"kind": "openai", "model": "gpt-4o-mini", "base_url": None}
ASK = [{"role": "user", "content": "which?"}]


class Verdict(BaseModel):
    better: str
    confidence: float


class Other(BaseModel):
    better: str
    confidence: float
    reason: str = ""


def params(**changes) -> dict:
    return {"temperature": 0.0, "max_tokens": 16, "top_logprobs": 0} | changes


def test_keys_change_with_every_input_and_only_then():
    key = request_key(IDENTITY, ASK, Verdict, params())
    assert key == request_key(dict(reversed(IDENTITY.items())), ASK, Verdict, params())  # canonical order
    assert len(key) == 64 and int(key, 16) >= 0
    different = [
        request_key(IDENTITY | {"model": "gpt-4o"}, ASK, Verdict, params()),
        request_key(IDENTITY | {"kind": "openai_compatible"}, ASK, Verdict, params()),
        request_key(IDENTITY | {"base_url": "http://127.0.0.1:8000/v1"}, ASK, Verdict, params()),
        request_key(IDENTITY, [{"role": "user", "content": "which? "}], Verdict, params()),
        request_key(IDENTITY, ASK, Other, params()),
        request_key(IDENTITY, ASK, None, params()),
        request_key(IDENTITY, ASK, Verdict, params(temperature=0.7)),
        request_key(IDENTITY, ASK, Verdict, params(max_tokens=17)),
        request_key(IDENTITY, ASK, Verdict, params(top_logprobs=2)),
        request_key(IDENTITY, ASK, Verdict, params(seed=1)),
    ]
    assert len({key, *different}) == len(different) + 1


def test_results_round_trip_exactly_and_persist(tmp_path):
    path = tmp_path / "cache.sqlite"
    parsed = ChatResult('{"better":"A","confidence":0.1}', Verdict(better="A", confidence=0.1), 12, 3, None)
    logprobs = ChatResult("A", None, 5, 1, [{"A": -0.105, "B": -2.3}])
    with ResponseCache(path) as cache:
        cache.put("k1", "p", "m", parsed)
        cache.put("k2", "p", "m", logprobs)
    with ResponseCache(path) as cache:  # a later run
        assert cache.get("k1", Verdict) == parsed
        assert isinstance(cache.get("k1", Verdict).parsed, Verdict)
        assert cache.get("k2") == logprobs
        assert cache.get("k3") is None
        assert cache.get("k2", Verdict) is None  # a stored answer without the schema's model is a miss
        assert len(cache) == 2
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    "content",
    [b"garbage that is not a database" * 100, "sqlite", "foreign"],
    ids=["garbage", "truncated", "foreign"],
)
def test_a_bad_cache_file_is_refused_naming_it(tmp_path, content):
    path = tmp_path / "cache.sqlite"
    if content == "sqlite" or content == "foreign":
        good = tmp_path / "good.sqlite"
        if content == "sqlite":
            with ResponseCache(good) as cache:
                for i in range(200):
                    cache.put(f"k{i}", "p", "m", ChatResult("x" * 500))
            sqlite3.connect(good).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            data = good.read_bytes()
            content = data[: len(data) // 2]
        else:
            db = sqlite3.connect(good)
            db.execute("CREATE TABLE people (name TEXT)")
            db.commit()
            db.close()
            content = good.read_bytes()
    path.write_bytes(content)
    with pytest.raises(CacheError, match=f"response cache {path}"):
        ResponseCache(path)


def test_a_rerun_is_served_from_the_cache_with_zero_calls(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMDISTILL_TEST_KEY", SECRET)
    answer = json.dumps({"better": "B", "confidence": 0.25})
    path = tmp_path / "cache.sqlite"

    def run(url: str, n: int, **kw):
        cfg = ProviderConfig(kind="openai_compatible", model="local", base_url=url, api_key_env="MEMDISTILL_TEST_KEY")
        with ResponseCache(path) as cache:
            client = open_client("local", cfg, cache=cache)

            async def go():
                return await asyncio.gather(
                    *(client.chat([{"role": "user", "content": f"q{i}"}], **kw) for i in range(n))
                )

            return asyncio.run(go()), client.usage

    with serve(lambda body: Reply(answer)) as first:
        results, usage = run(first.url, 20, schema=Verdict)
    assert len(first.requests) == 20 and usage.calls == 20 and usage.cache_hits == 0
    with serve(lambda body: Reply(answer)) as second:
        again, usage = run(first.url, 20, schema=Verdict)  # the first server is gone: only the cache can answer
    assert len(second.requests) == 0 and usage.calls == 0 and usage.cache_hits == 20
    assert again == results and all(isinstance(r.parsed, Verdict) for r in again)
    with serve(lambda body: Reply(answer)) as third:  # other params, schema or endpoint: new calls
        run(third.url, 2, schema=Verdict)
        run(third.url, 2, schema=Verdict, temperature=0.5)
        run(third.url, 2, schema=Other)
        run(third.url, 2)
        run(third.url, 2)  # ... and those are cached in turn
    assert len(third.requests) == 8
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir())
