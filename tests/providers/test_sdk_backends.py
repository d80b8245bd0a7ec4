"""The OpenAI and Anthropic backends through their real SDKs, answered by an httpx2 MockTransport."""

from __future__ import annotations

import asyncio
import json

import httpx2
import pytest
from pydantic import BaseModel

from providers.base import OutputError, ProviderError, TransientError
from providers.registry import MissingKeyError, check_keys, make_provider
from schemas import ProviderConfig

SECRET = "sk-test-SECRET-123"


class Verdict(BaseModel):
    better: str
    confidence: float


def openai_body(content: str, logprobs: dict | None = None) -> dict:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop",
                     "logprobs": logprobs}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }  # fmt: skip


def anthropic_body(text: str) -> dict:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 13, "output_tokens": 5},
    }


def client(handler, seen: list) -> httpx2.AsyncClient:
    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return handler(request)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(record))


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)


def test_openai_structured_output_and_usage():
    seen: list = []
    answer = json.dumps({"better": "A", "confidence": 0.8})
    cfg = ProviderConfig(kind="openai", model="gpt-test", max_retries=0)
    provider = make_provider(
        "oa", cfg, http_client=client(lambda r: httpx2.Response(200, json=openai_body(answer)), seen)
    )
    result = asyncio.run(provider.chat([{"role": "user", "content": "which?"}], schema=Verdict))
    assert result.parsed == Verdict(better="A", confidence=0.8)
    assert (result.input_tokens, result.output_tokens) == (11, 7)
    request = seen[0]
    assert request.url.path.endswith("/chat/completions")
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    body = json.loads(request.content)
    assert body["model"] == "gpt-test" and body["response_format"]["type"] == "json_schema"
    assert "max_completion_tokens" in body


def test_openai_logprobs_are_read():
    seen: list = []
    logprobs = {"content": [{"token": "A", "logprob": -0.1, "bytes": None,
                             "top_logprobs": [{"token": "A", "logprob": -0.1, "bytes": None},
                                              {"token": "B", "logprob": -2.4, "bytes": None}]}]}  # fmt: skip
    cfg = ProviderConfig(kind="openai_compatible", model="local", base_url="http://127.0.0.1:9/v1", max_retries=0)
    handler = lambda r: httpx2.Response(200, json=openai_body("A", logprobs))  # noqa: E731
    provider = make_provider("vllm", cfg, http_client=client(handler, seen))
    result = asyncio.run(provider.chat([{"role": "user", "content": "A or B?"}], top_logprobs=2, max_tokens=1))
    assert result.top_logprobs == [{"A": -0.1, "B": -2.4}]
    body = json.loads(seen[0].content)
    assert body["logprobs"] is True and body["top_logprobs"] == 2 and body["max_tokens"] == 1
    assert str(seen[0].url).startswith("http://127.0.0.1:9/v1/")


def test_schema_invalid_output_is_an_output_error_with_raw_text():
    cfg = ProviderConfig(kind="openai", model="gpt-test", max_retries=0)
    bad = json.dumps({"better": "A"})
    provider = make_provider("oa", cfg, http_client=client(lambda r: httpx2.Response(200, json=openai_body(bad)), []))
    with pytest.raises(OutputError) as info:
        asyncio.run(provider.chat([{"role": "user", "content": "x"}], schema=Verdict))
    assert info.value.raw == bad and (info.value.input_tokens, info.value.output_tokens) == (11, 7)


def test_server_error_is_a_provider_error_without_the_key():
    cfg = ProviderConfig(kind="openai", model="gpt-test", max_retries=0)
    handler = lambda r: httpx2.Response(503, json={"error": {"message": f"bad key {SECRET}"}})  # noqa: E731
    provider = make_provider("oa", cfg, http_client=client(handler, []))
    with pytest.raises(TransientError) as info:
        asyncio.run(provider.chat([{"role": "user", "content": "x"}]))
    assert "503" in str(info.value) and SECRET not in str(info.value) and info.value.status == 503


@pytest.mark.parametrize(
    ("headers", "expected"), [({"retry-after-ms": "250"}, 0.25), ({"retry-after": "2"}, 2.0), ({}, None)]
)
def test_429_reads_retry_after_from_the_headers(headers, expected):
    cfg = ProviderConfig(kind="openai", model="gpt-test")
    handler = lambda r: httpx2.Response(429, headers=headers, json={"error": {"message": SECRET}})  # noqa: E731
    provider = make_provider("oa", cfg, http_client=client(handler, []))
    with pytest.raises(TransientError) as info:
        asyncio.run(provider.chat([{"role": "user", "content": "x"}]))
    assert (info.value.status, info.value.retry_after) == (429, expected)
    assert SECRET not in str(info.value)


def test_client_errors_are_final_and_connection_errors_transient():
    cfg = ProviderConfig(kind="openai", model="gpt-test")
    handler = lambda r: httpx2.Response(401, json={"error": {"message": f"bad key {SECRET}"}})  # noqa: E731
    provider = make_provider("oa", cfg, http_client=client(handler, []))
    with pytest.raises(ProviderError, match="401") as info:
        asyncio.run(provider.chat([{"role": "user", "content": "x"}]))
    assert not isinstance(info.value, TransientError) and SECRET not in str(info.value)

    def refuse(request):
        raise httpx2.ConnectError("refused", request=request)

    provider = make_provider("oa", cfg, http_client=client(refuse, []))
    with pytest.raises(TransientError, match="APIConnectionError"):
        asyncio.run(provider.chat([{"role": "user", "content": "x"}]))


def test_anthropic_overloaded_is_transient_with_retry_after():
    cfg = ProviderConfig(kind="anthropic", model="claude-test")
    body = {"type": "error", "error": {"type": "overloaded_error", "message": SECRET}}
    handler = lambda r: httpx2.Response(529, headers={"retry-after": "1"}, json=body)  # noqa: E731
    provider = make_provider("claude", cfg, http_client=client(handler, []))
    with pytest.raises(TransientError) as info:
        asyncio.run(provider.chat([{"role": "user", "content": "x"}]))
    assert (info.value.status, info.value.retry_after) == (529, 1.0) and SECRET not in str(info.value)


def test_anthropic_structured_output_and_system_prompt():
    seen: list = []
    answer = json.dumps({"better": "B", "confidence": 0.6})
    cfg = ProviderConfig(kind="anthropic", model="claude-test", max_retries=0)
    handler = lambda r: httpx2.Response(200, json=anthropic_body(answer))  # noqa: E731
    provider = make_provider("claude", cfg, http_client=client(handler, seen))
    messages = [{"role": "system", "content": "You judge."}, {"role": "user", "content": "which?"}]
    result = asyncio.run(provider.chat(messages, schema=Verdict, max_tokens=50))
    assert result.parsed == Verdict(better="B", confidence=0.6)
    assert (result.input_tokens, result.output_tokens) == (13, 5)
    body = json.loads(seen[0].content)
    assert body["system"] == "You judge." and body["messages"] == [{"role": "user", "content": "which?"}]
    headers = seen[0].headers
    assert SECRET in headers.get("x-api-key", "") + headers.get("authorization", "")


def test_missing_key_fails_before_any_call(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    providers = {"oa": ProviderConfig(kind="openai", model="m")}
    with pytest.raises(MissingKeyError, match="provider oa: environment variable OPENAI_API_KEY is not set"):
        check_keys(providers)
    compatible = {"vllm": ProviderConfig(kind="openai_compatible", model="m", base_url="http://127.0.0.1:8000/v1")}
    check_keys(compatible)  # a local server needs no key


def test_config_refuses_a_key_in_place_of_a_variable_name():
    with pytest.raises(ValueError, match="api_key_env"):
        ProviderConfig(kind="openai", model="m", api_key_env=SECRET)
