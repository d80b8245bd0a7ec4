"""OpenAI Batch and Anthropic Message Batches through the real SDKs, answered by httpx2 MockTransport emulators."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx2
import pytest
from pydantic import BaseModel

from providers.base import ChatResult, TransientError
from providers.batch import BatchFailure, collect, submit
from schemas import ProviderConfig

SECRET = "sk-test-SECRET-batch-987"
OPENAI = ProviderConfig(kind="openai", model="gpt-test", execution="batch")
ANTHROPIC = ProviderConfig(kind="anthropic", model="claude-test", execution="batch")


class Verdict(BaseModel):
    better: str
    confidence: float


def requests(n: int = 4) -> list:
    return [
        (
            f"q{i}",
            [{"role": "system", "content": "Judge."}, {"role": "user", "content": f"pair {i}"}],
            {"max_tokens": 50},
        )
        for i in range(n)
    ]


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)


def no_calls(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"unexpected call {request.method} {request.url}")


def mock(handler) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


def files_hold_no_key(job_dir: Path) -> None:
    files = list(job_dir.rglob("*"))
    assert files and all(SECRET not in f.read_text() for f in files if f.is_file())


# --- OpenAI ------------------------------------------------------------------------------------------------


class OpenAIBatchServer:
    """Files and batches in memory; the batch runs until `finish()`."""

    def __init__(self, fail_create_once: bool = False):
        self.calls: list[tuple[str, str]] = []
        self.uploads: list[list[dict]] = []
        self.batches: dict[str, dict] = {}
        self.files: dict[str, str] = {}
        self.fail_create_once = fail_create_once

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        self.calls.append((request.method, path))
        assert request.headers["authorization"] == f"Bearer {SECRET}"
        if request.method == "POST" and path == "/v1/files":
            body = request.content.decode()
            lines = [json.loads(line) for line in body.splitlines() if line.startswith('{"custom_id"')]
            self.uploads.append(lines)
            file_id = f"file-in-{len(self.uploads)}"
            upload = {"id": file_id, "object": "file", "bytes": len(body), "created_at": 0, "filename": "x.jsonl",
                      "purpose": "batch", "status": "processed"}  # fmt: skip
            return httpx2.Response(200, json=upload)
        if request.method == "POST" and path == "/v1/batches":
            if self.fail_create_once:
                self.fail_create_once = False
                return httpx2.Response(500, json={"error": {"message": "boom"}})
            body = json.loads(request.content)
            assert body["endpoint"] == "/v1/chat/completions" and body["completion_window"] == "24h"
            batch_id = f"batch_{len(self.batches) + 1}"
            self.batches[batch_id] = {"id": batch_id, "object": "batch", "endpoint": body["endpoint"],
                                      "input_file_id": body["input_file_id"], "completion_window": "24h",
                                      "status": "validating", "created_at": 0}  # fmt: skip
            return httpx2.Response(200, json=self.batches[batch_id])
        if request.method == "GET" and path.startswith("/v1/batches/"):
            return httpx2.Response(200, json=self.batches[path.rsplit("/", 1)[-1]])
        if request.method == "GET" and path.startswith("/v1/files/") and path.endswith("/content"):
            return httpx2.Response(200, content=self.files[path.split("/")[3]].encode())
        raise AssertionError(f"unexpected {request.method} {path}")

    def finish(self, batch_id: str, output: list[dict], errors: list[dict], status: str = "completed") -> None:
        batch = self.batches[batch_id]
        batch["status"] = status
        if output:
            self.files[f"out-{batch_id}"] = "".join(json.dumps(line) + "\n" for line in output)
            batch["output_file_id"] = f"out-{batch_id}"
        if errors:
            self.files[f"err-{batch_id}"] = "".join(json.dumps(line) + "\n" for line in errors)
            batch["error_file_id"] = f"err-{batch_id}"


def completion_line(custom_id: str, content: str) -> dict:
    body = {"id": "c", "object": "chat.completion", "created": 0, "model": "gpt-test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 6, "total_tokens": 26}}  # fmt: skip
    return {"id": "r", "custom_id": custom_id, "response": {"status_code": 200, "request_id": "x", "body": body},
            "error": None}  # fmt: skip


def test_openai_submit_persists_before_returning_and_resubmit_is_a_no_op(tmp_path):
    server = OpenAIBatchServer()
    job = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(), schema=Verdict, http_client=mock(server)))
    state = json.loads((tmp_path / f"{job}.json").read_text())
    assert job.startswith("judge-") and state["kind"] == "openai" and state["schema"] == "Verdict"
    assert state["batches"] == [
        {"batch_id": "batch_1", "input_file_id": "file-in-1", "custom_ids": ["q0", "q1", "q2", "q3"]}
    ]
    (lines,) = server.uploads
    assert [line["custom_id"] for line in lines] == ["q0", "q1", "q2", "q3"]
    body = lines[0]["body"]
    assert lines[0]["url"] == "/v1/chat/completions" and body["model"] == "gpt-test"
    assert body["max_completion_tokens"] == 50 and body["response_format"]["type"] == "json_schema"
    assert body["messages"][1] == {"role": "user", "content": "pair 0"}
    again = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(), schema=Verdict, http_client=mock(no_calls)))
    assert again == job
    other = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(3), schema=Verdict, http_client=mock(server)))
    assert other != job and len(server.batches) == 2  # different requests: a different job
    files_hold_no_key(tmp_path)


def test_openai_collect_waits_then_maps_every_request(tmp_path):
    server = OpenAIBatchServer()
    job = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(), schema=Verdict, http_client=mock(server)))
    assert asyncio.run(collect(tmp_path, job, "judge", OPENAI, schema=Verdict, http_client=mock(server))) is None
    server.batches["batch_1"]["status"] = "in_progress"
    assert asyncio.run(collect(tmp_path, job, "judge", OPENAI, schema=Verdict, http_client=mock(server))) is None
    error_line = {"id": "r", "custom_id": "q2", "response": {"status_code": 400, "request_id": "x",
                  "body": {"error": {"code": "invalid", "message": "bad max tokens"}}}, "error": None}  # fmt: skip
    server.finish(
        "batch_1",
        [completion_line("q0", '{"better": "A", "confidence": 0.9}'), completion_line("q1", "not json")],
        [error_line],
    )
    results = asyncio.run(collect(tmp_path, job, "judge", OPENAI, schema=Verdict, http_client=mock(server)))
    assert set(results) == {"q0", "q1", "q2", "q3"}
    assert results["q0"] == ChatResult(
        text='{"better": "A", "confidence": 0.9}',
        parsed=Verdict(better="A", confidence=0.9),
        input_tokens=20,
        output_tokens=6,
    )
    assert results["q1"] == BatchFailure("q1", "output does not fit Verdict", raw="not json")
    assert isinstance(results["q2"], BatchFailure) and "bad max tokens" in results["q2"].error
    assert isinstance(results["q3"], BatchFailure) and "no result" in results["q3"].error
    # collected once: later runs read the saved results, without calls
    again = asyncio.run(collect(tmp_path, job, "judge", OPENAI, schema=Verdict, http_client=mock(no_calls)))
    assert again == results
    files_hold_no_key(tmp_path)


def test_openai_failed_batch_fails_each_request_with_the_reason(tmp_path):
    server = OpenAIBatchServer()
    job = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(2), http_client=mock(server)))
    server.finish("batch_1", [], [], status="failed")
    server.batches["batch_1"]["errors"] = {"object": "list", "data": [{"code": "invalid_json", "message": "line 1"}]}
    results = asyncio.run(collect(tmp_path, job, "judge", OPENAI, http_client=mock(server)))
    assert {r.error for r in results.values()} == {"no result: batch batch_1 failed: line 1"}


def test_openai_crash_between_upload_and_create_resumes_without_reupload(tmp_path):
    server = OpenAIBatchServer(fail_create_once=True)
    with pytest.raises(TransientError, match="provider judge: InternalServerError: HTTP 500"):
        asyncio.run(submit(tmp_path, "judge", OPENAI, requests(), http_client=mock(server)))
    (job_file,) = tmp_path.glob("judge-*.json")
    assert json.loads(job_file.read_text())["batches"][0] == {
        "input_file_id": "file-in-1",
        "custom_ids": ["q0", "q1", "q2", "q3"],
    }
    job = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(), http_client=mock(server)))
    assert job_file.stem == job and len(server.uploads) == 1 and list(server.batches) == ["batch_1"]
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind


def test_requests_are_split_into_batches_and_collected_together(tmp_path):
    server = OpenAIBatchServer()
    job = asyncio.run(submit(tmp_path, "judge", OPENAI, requests(3), http_client=mock(server), max_per_batch=2))
    assert [len(u) for u in server.uploads] == [2, 1]
    server.finish("batch_1", [completion_line("q0", "x"), completion_line("q1", "y")], [])
    assert asyncio.run(collect(tmp_path, job, "judge", OPENAI, http_client=mock(server))) is None  # batch_2 runs
    server.finish("batch_2", [completion_line("q2", "z")], [])
    results = asyncio.run(collect(tmp_path, job, "judge", OPENAI, http_client=mock(server)))
    assert {k: r.text for k, r in results.items()} == {"q0": "x", "q1": "y", "q2": "z"}


# --- Anthropic ---------------------------------------------------------------------------------------------


class AnthropicBatchServer:
    def __init__(self):
        self.created: list[list[dict]] = []
        self.status = "in_progress"
        self.results: list[dict] = []

    def batch(self) -> dict:
        ended = self.status == "ended"
        return {"id": "msgbatch_1", "type": "message_batch", "processing_status": self.status,
                "created_at": "2024-01-01T00:00:00Z", "expires_at": "2024-01-02T00:00:00Z",
                "ended_at": "2024-01-01T01:00:00Z" if ended else None,
                "request_counts": {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
                "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results" if ended else None,
                "archived_at": None, "cancel_initiated_at": None}  # fmt: skip

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        assert SECRET in request.headers.get("x-api-key", request.headers.get("authorization", ""))
        path = request.url.path
        if request.method == "POST" and path == "/v1/messages/batches":
            self.created.append(json.loads(request.content)["requests"])
            return httpx2.Response(200, json=self.batch())
        if request.method == "GET" and path == "/v1/messages/batches/msgbatch_1":
            return httpx2.Response(200, json=self.batch())
        if request.method == "GET" and path == "/v1/messages/batches/msgbatch_1/results":
            return httpx2.Response(200, content="".join(json.dumps(r) + "\n" for r in self.results).encode())
        raise AssertionError(f"unexpected {request.method} {path}")


def message(text: str) -> dict:
    return {"id": "msg", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 13, "output_tokens": 5}}  # fmt: skip


def test_anthropic_submit_collect_and_per_request_failures(tmp_path):
    server = AnthropicBatchServer()
    job = asyncio.run(submit(tmp_path, "claude", ANTHROPIC, requests(), schema=Verdict, http_client=mock(server)))
    assert json.loads((tmp_path / f"{job}.json").read_text())["batches"][0]["batch_id"] == "msgbatch_1"
    (sent,) = server.created
    assert [r["custom_id"] for r in sent] == ["q0", "q1", "q2", "q3"]
    params = sent[0]["params"]
    assert params["system"] == "Judge." and params["messages"] == [{"role": "user", "content": "pair 0"}]
    assert params["max_tokens"] == 50 and params["output_config"]["format"]["type"] == "json_schema"
    assert "temperature" not in params
    assert asyncio.run(submit(tmp_path, "claude", ANTHROPIC, requests(), schema=Verdict, http_client=mock(no_calls)))
    assert asyncio.run(collect(tmp_path, job, "claude", ANTHROPIC, schema=Verdict, http_client=mock(server))) is None
    server.status = "ended"
    server.results = [
        {"custom_id": "q0", "result": {"type": "succeeded", "message": message('{"better": "B", "confidence": 0.6}')}},
        {
            "custom_id": "q1",
            "result": {
                "type": "errored",
                "error": {"type": "error", "error": {"type": "invalid_request_error", "message": "prompt too long"}},
            },
        },
        {"custom_id": "q2", "result": {"type": "expired"}},
        {"custom_id": "q3", "result": {"type": "succeeded", "message": message('{"better": 1}')}},
    ]
    results = asyncio.run(collect(tmp_path, job, "claude", ANTHROPIC, schema=Verdict, http_client=mock(server)))
    assert results["q0"].parsed == Verdict(better="B", confidence=0.6)
    assert (results["q0"].input_tokens, results["q0"].output_tokens) == (13, 5)
    assert results["q1"] == BatchFailure("q1", "invalid_request_error: prompt too long")
    assert results["q2"] == BatchFailure("q2", "request expired")
    assert results["q3"] == BatchFailure("q3", "output does not fit Verdict", raw='{"better": 1}')
    files_hold_no_key(tmp_path)


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "reqs", "message"),
    [
        (ANTHROPIC, [("has space", [{"role": "user", "content": "x"}], {})], "custom_id 'has space' must match"),
        (OPENAI, requests(1) + requests(1), "custom_id 'q0' repeats"),
        (OPENAI, [], "at least one request"),
        (ProviderConfig(kind="offline", model="m"), requests(1), "needs kind openai or anthropic"),
        (ANTHROPIC, [("q", [{"role": "user", "content": "x"}], {"top_logprobs": 2})], "no token log-probabilities"),
    ],
)
def test_bad_requests_fail_before_any_call(tmp_path, config, reqs, message):
    with pytest.raises(ValueError, match=message):
        asyncio.run(submit(tmp_path, "p", config, reqs, http_client=mock(no_calls)))
    assert not list(tmp_path.iterdir())


def test_collect_of_an_unknown_job_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"judge-0000\.json"):
        asyncio.run(collect(tmp_path, "judge-0000", "judge", OPENAI, http_client=mock(no_calls)))
