"""The OpenAI-compatible backend against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from providers.base import ProviderError, TransientError
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


def test_429_is_a_transient_error_carrying_retry_after():
    # the SDKs do not retry (providers.client does): the backend reports what the server said
    reply = lambda body: Reply(status=429, headers={"retry-after": "0.2"})  # noqa: E731
    with serve(reply) as server, pytest.raises(TransientError) as info:
        asyncio.run(provider(server.url).chat([{"role": "user", "content": "?"}]))
    assert (info.value.status, info.value.retry_after) == (429, 0.2) and len(server.requests) == 1


def test_503_is_transient_and_400_is_final():
    with serve(lambda body: Reply(status=503)) as server, pytest.raises(TransientError, match="503"):
        asyncio.run(provider(server.url).chat([{"role": "user", "content": "?"}]))
    with serve(lambda body: Reply(status=400)) as server, pytest.raises(ProviderError, match="400") as info:
        asyncio.run(provider(server.url).chat([{"role": "user", "content": "?"}]))
    assert not isinstance(info.value, TransientError)


def test_timeout_and_malformed_body_are_transient():
    with serve(lambda body: Reply("late", delay_s=0.5)) as server, pytest.raises(TransientError, match="Timeout"):
        asyncio.run(provider(server.url, timeout=0.1).chat([{"role": "user", "content": "?"}]))
    with (
        serve(lambda body: Reply(raw_body=b'{"choices": [')) as server,
        pytest.raises(TransientError, match="malformed"),
    ):
        asyncio.run(provider(server.url).chat([{"role": "user", "content": "?"}]))
