"""The LLM pairwise teacher through the real openai/anthropic SDKs, answered by httpx2 MockTransport handlers."""

from __future__ import annotations

import json
import math
import re

import httpx2
import pytest

from judges import judge
from judges.anchor import NULL_ID
from judges.bradley_terry import fit
from judges.teachers.llm import PairVerdict, p_from_logprobs, prompt
from providers.registry import make_provider
from schemas import JudgeConfig, Judgment, ProviderConfig, TeacherConfig
from tests.judges.toy import porto


def memory_texts(body: dict) -> tuple[str, str]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return re.search(r"Memory A: (.*)", user).group(1), re.search(r"Memory B: (.*)", user).group(1)


def openai_reply(content: str, top: dict[str, float] | None = None) -> dict:
    logprobs = None
    if top is not None:
        alts = [{"token": t, "logprob": lp, "bytes": None} for t, lp in top.items()]
        logprobs = {"content": [{"token": alts[0]["token"], "logprob": alts[0]["logprob"], "bytes": None,
                                 "top_logprobs": alts}]}  # fmt: skip
    return {
        "id": "c", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop",
                     "logprobs": logprobs}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 1, "total_tokens": 51},
    }  # fmt: skip


def prefers_porto(body: dict) -> float:
    a, b = memory_texts(body)
    return 0.8 if "Porto" in a else 0.2 if "Porto" in b else 0.5


def setup(handler, kind: str = "openai", method: str = "auto"):
    cfg = ProviderConfig(kind=kind, model="judge-model", max_retries=0)
    calls: list[dict] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        calls.append(body)
        return httpx2.Response(200, json=handler(body))

    def open_provider(name: str):
        return make_provider(name, cfg, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(record)))

    teacher = TeacherConfig(name="gpt", kind="llm", provider="judge", method=method)
    return JudgeConfig(teachers=[teacher]), open_provider, calls


def strengths(ex, judgments: list[Judgment]) -> dict[str, float]:
    items = [c.memory.memory_id for c in ex.candidates] + [NULL_ID]
    return fit(items, [(j.first, j.second, j.p_first, 1.0) for j in judgments], prior=0.1, max_iter=200)


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")


def test_logprobs_give_the_probability_both_orders():
    def handler(body):
        p = prefers_porto(body)
        return openai_reply("A", {"A": math.log(p), " B": math.log(1 - p)})

    config, open_provider, calls = setup(handler)
    ex = porto()
    failed: list = []
    judgments = judge([ex], config, seed=1, open_provider=open_provider, provider_kinds={"judge": "openai"},
                      failed=failed)  # fmt: skip
    n = len(ex.candidates)
    assert len(judgments) == n * (n - 1) + 2 * n == len(calls) and not failed  # every pair, and each vs the null
    assert all(c["max_completion_tokens"] == 1 and c["top_logprobs"] == 5 for c in calls)
    by_pair = {(j.first, j.second): j.p_first for j in judgments}
    assert by_pair[("m_gold", "m_cat")] == pytest.approx(0.8)
    assert by_pair[("m_cat", "m_gold")] == pytest.approx(0.2)
    assert by_pair[("m_gold", NULL_ID)] == pytest.approx(0.8)
    s = strengths(ex, judgments)
    assert max(s, key=s.get) == "m_gold"
    assert all(j.tokens == 51 for j in judgments)


def test_the_null_anchor_is_shown_as_no_memory():
    def handler(body):
        return openai_reply("A", {"A": math.log(0.5), "B": math.log(0.5)})

    config, open_provider, calls = setup(handler)
    ex = porto()
    judgments = judge([ex], config, seed=1, open_provider=open_provider, provider_kinds={"judge": "openai"})
    system = calls[0]["messages"][0]["content"]
    assert "worse than no memory" in system
    shown = [memory_texts(c) for c in calls]
    assert sum(b == "(no memory)" for _, b in shown) == sum(a == "(no memory)" for a, _ in shown) == len(ex.candidates)
    assert {(j.first, j.second) for j in judgments if NULL_ID in (j.first, j.second)} == {
        p for c in ex.candidates for p in ((c.memory.memory_id, NULL_ID), (NULL_ID, c.memory.memory_id))
    }
    off = config.model_copy(update={"null_anchor": False})
    calls.clear()
    judge([ex], off, seed=1, open_provider=open_provider, provider_kinds={"judge": "openai"})
    n = len(ex.candidates)
    assert len(calls) == n * (n - 1) and not any("(no memory)" in memory_texts(c) for c in calls)


def test_anthropic_uses_a_structured_verdict():
    def handler(body):
        p = prefers_porto(body)
        verdict = {"better": "A" if p >= 0.5 else "B", "confidence": max(p, 1 - p)}
        return {"id": "m", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
                "stop_sequence": None, "content": [{"type": "text", "text": json.dumps(verdict)}],
                "usage": {"input_tokens": 60, "output_tokens": 9}}  # fmt: skip

    config, open_provider, calls = setup(handler, kind="anthropic")
    judgments = judge([porto()], config, seed=1, open_provider=open_provider, provider_kinds={"judge": "anthropic"})
    by_pair = {(j.first, j.second): j.p_first for j in judgments}
    assert by_pair[("m_gold", "m_job")] == pytest.approx(0.8) and by_pair[("m_job", "m_gold")] == pytest.approx(0.2)
    assert "output_format" in calls[0] or "output_config" in calls[0]


def test_unusable_answers_are_kept_aside_not_dropped():
    def handler(body):
        a, _ = memory_texts(body)
        good = json.dumps({"better": "A", "confidence": 0.7})
        return openai_reply(good if "cat" not in a else '{"better": "maybe"}')

    config, open_provider, _ = setup(handler, method="verdict")
    ex = porto()
    failed: list = []
    judgments = judge([ex], config, seed=1, open_provider=open_provider, failed=failed)
    n = len(ex.candidates)
    assert len(judgments) + len(failed) == n * (n - 1) + 2 * n
    assert len(failed) == n and all(f.stage == "judge" and "maybe" in f.raw for f in failed)  # cat first, n others
    assert all(j.first != "m_cat" for j in judgments)


def test_a_call_out_of_retries_is_kept_aside_not_a_crash():
    cfg = ProviderConfig(kind="openai", model="judge-model", max_retries=0)

    def record(request: httpx2.Request) -> httpx2.Response:
        a, _ = memory_texts(json.loads(request.content))
        if "cat" in a:  # the server keeps failing these: HTTP 500, no retries left
            return httpx2.Response(500, json={"error": {"message": "boom"}})
        return httpx2.Response(200, json=openai_reply(json.dumps({"better": "A", "confidence": 0.7})))

    def open_provider(name: str):
        return make_provider(name, cfg, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(record)))

    config = JudgeConfig(teachers=[TeacherConfig(name="gpt", kind="llm", provider="judge", method="verdict")])
    ex = porto()
    failed: list = []
    judgments = judge([ex], config, seed=1, open_provider=open_provider, failed=failed)
    n = len(ex.candidates)
    assert len(judgments) + len(failed) == n * (n - 1) + 2 * n and len(failed) == n
    assert all(f.item.startswith("gpt:") and "HTTP 500" in f.error and "sk-test" not in f.error for f in failed)


def test_logprob_parsing():
    assert p_from_logprobs({"A": math.log(0.6), "B": math.log(0.2), "x": -1.0}) == pytest.approx(0.75)
    assert p_from_logprobs({" a": 0.0}) == 1.0
    assert p_from_logprobs({"Sure": 0.0}) is None


def test_a_tie_counts_half_to_each_side():
    assert p_from_logprobs({"A": math.log(0.2), "B": math.log(0.2), "T": math.log(0.6)}) == pytest.approx(0.5)
    assert p_from_logprobs({"A": math.log(0.5), "T": math.log(0.5)}) == pytest.approx(0.75)
    assert p_from_logprobs({"T": 0.0}) is None  # neither side shows: ask for a verdict
    assert PairVerdict(better="T", confidence=0.9).p_first() == 0.5
    assert PairVerdict(better="B", confidence=0.9).p_first() == pytest.approx(0.1)
    assert "T if both are equally useful" in prompt(porto(), "m_gold", NULL_ID)[0]["content"]
