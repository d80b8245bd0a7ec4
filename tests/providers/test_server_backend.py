"""The OpenAI-compatible backend against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from pydantic import BaseModel

from providers.base import ProviderError
from providers.registry import make_provider
from schemas import ProviderConfig
from tests.openai_server import Reply, serve


class Verdict(BaseModel):
    better: str
    confidence: float


def provider(url: str, retries: int = 2, timeout: float = 5.0):
    cfg = ProviderConfig(kind="openai_compatible", model="local", base_url=url, max_retries=retries, timeout_s=timeout)
    return make_provider("local", cfg)


def test_structured_output_over_http():
    with serve(lambda body: Reply(json.dumps({"better": "B", "confidence": 0.7}))) as server:
        result = asyncio.run(provider(server.url).chat([{"role": "user", "content": "?"}], schema=Verdict))
    assert result.parsed == Verdict(better="B", confidence=0.7)
    assert server.requests[0]["model"] == "local"
    assert server.requests[0]["response_format"]["json_schema"]["name"] == "Verdict"


def test_429_with_retry_after_is_retried_then_answered():
    count = itertools.count()

    def reply(body):
        return Reply(status=429, headers={"retry-after": "0.2"}) if next(count) == 0 else Reply("fine")

    with serve(reply) as server:
        result = asyncio.run(provider(server.url).chat([{"role": "user", "content": "?"}]))
    assert result.text == "fine" and len(server.requests) == 2


def test_persistent_503_is_a_provider_error():
    with serve(lambda body: Reply(status=503)) as server, pytest.raises(ProviderError, match="503"):
        asyncio.run(provider(server.url, retries=1).chat([{"role": "user", "content": "?"}]))
    assert len(server.requests) == 2
