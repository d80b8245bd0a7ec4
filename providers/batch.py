"""Batch execution: OpenAI Batch and Anthropic Message Batches. Submit now, collect on a later run.

    job = await submit(job_dir, "teacher", config, requests, schema=Verdict)       # idempotent
    results = await collect(job_dir, job, "teacher", config, schema=Verdict)       # None while running

`submit` writes `job_dir/<provider>-<hash>.json` (temp file + rename) after every upload and every batch it
creates, before it returns: a crash never loses a job that costs money, and a second `submit` of the same requests
finds the file and resubmits nothing (it only finishes chunks a crash left unsubmitted). The hash covers the
provider kind, model, base URL, request bodies and schema. `collect` downloads the results once, keeps them raw in
`job_dir/<job>.results.json`, and answers from that file afterwards. Neither file ever holds the API key.

A request is `(custom_id, messages, params)`; params are `max_tokens` (default 1024), `temperature` (OpenAI only;
the Anthropic Messages API of this SDK takes none), `top_logprobs` (OpenAI only) and any other body field.
Every request ends as a `ChatResult` or a `BatchFailure` (API error, expired, cancelled, missing, or output that
does not fit the schema, with its raw text), never as an exception.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import openai
from openai.lib._parsing import type_to_response_format_param
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message, ProviderError, TransientError, status_error
from providers.registry import sdk_client
from schemas import ProviderConfig

BatchRequest = tuple[str, Sequence[Message], dict[str, Any]]
MAX_PER_BATCH = {"openai": 50_000, "anthropic": 100_000}  # the APIs' request limits per batch
OPENAI_DONE = {"completed", "failed", "expired", "cancelled"}
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class BatchFailure:
    """A request the batch did not answer usably; `raw` keeps the model's text when there was one."""

    custom_id: str
    error: str
    raw: str | None = None


async def submit(
    job_dir: Path,
    provider_name: str,
    config: ProviderConfig,
    requests: Sequence[BatchRequest],
    *,
    schema: type[BaseModel] | None = None,
    http_client: httpx2.AsyncClient | None = None,
    max_per_batch: int | None = None,
) -> str:
    """Submit `requests` as one or more batches (unless already submitted); return the job name for `collect`.

    Bad requests raise ValueError before any call; an API failure raises ProviderError (TransientError when worth
    trying again: call `submit` again, it resumes).
    """
    with _api_errors(provider_name):
        return await _submit(
            job_dir,
            provider_name,
            config,
            requests,
            schema=schema,
            http_client=http_client,
            max_per_batch=max_per_batch,
        )


async def collect(
    job_dir: Path,
    job: str,
    provider_name: str,
    config: ProviderConfig,
    *,
    schema: type[BaseModel] | None = None,
    http_client: httpx2.AsyncClient | None = None,
) -> dict[str, ChatResult | BatchFailure] | None:
    """Every request's outcome by custom_id once all the job's batches have ended; None while any still runs."""
    with _api_errors(provider_name):
        return await _collect(job_dir, job, provider_name, config, schema=schema, http_client=http_client)


async def _submit(
    job_dir: Path,
    provider_name: str,
    config: ProviderConfig,
    requests: Sequence[BatchRequest],
    *,
    schema: type[BaseModel] | None = None,
    http_client: httpx2.AsyncClient | None = None,
    max_per_batch: int | None = None,
) -> str:
    kind = _kind(provider_name, config)
    bodies = [(custom_id, _body(kind, config, messages, params, schema)) for custom_id, messages, params in requests]
    _check_ids(provider_name, kind, [custom_id for custom_id, _ in bodies])
    job = f"{provider_name}-{_hash(config, bodies, schema)}"
    path = Path(job_dir) / f"{job}.json"
    state = _read(path) if path.is_file() else None
    if state is None:
        size = max_per_batch or MAX_PER_BATCH[kind]
        state = {
            "job": job,
            "provider": provider_name,
            "kind": kind,
            "model": config.model,
            "schema": schema.__name__ if schema else None,
            "batches": [{"custom_ids": [c for c, _ in bodies[i : i + size]]} for i in range(0, len(bodies), size)],
        }
    if all("batch_id" in b for b in state["batches"]):
        return job
    client = sdk_client(provider_name, config, http_client=http_client)
    by_id = dict(bodies)
    for number, batch in enumerate(state["batches"]):
        if "batch_id" in batch:
            continue
        chunk = [(c, by_id[c]) for c in batch["custom_ids"]]
        if kind == "openai":
            if "input_file_id" not in batch:
                lines = "".join(
                    json.dumps({"custom_id": c, "method": "POST", "url": "/v1/chat/completions", "body": b}) + "\n"
                    for c, b in chunk
                )
                upload = await client.files.create(file=(f"{job}-{number}.jsonl", lines.encode()), purpose="batch")
                batch["input_file_id"] = upload.id
                _write(path, state)
            created = await client.batches.create(
                input_file_id=batch["input_file_id"],
                endpoint="/v1/chat/completions",
                completion_window="24h",
                metadata={"job": job},
            )
        else:
            created = await client.messages.batches.create(requests=[{"custom_id": c, "params": b} for c, b in chunk])
        batch["batch_id"] = created.id
        _write(path, state)
    return job


async def _collect(
    job_dir: Path,
    job: str,
    provider_name: str,
    config: ProviderConfig,
    *,
    schema: type[BaseModel] | None = None,
    http_client: httpx2.AsyncClient | None = None,
) -> dict[str, ChatResult | BatchFailure] | None:
    path = Path(job_dir) / f"{job}.json"
    if not path.is_file():
        raise FileNotFoundError(f"batch job {path}: no such job file (submit first)")
    state = _read(path)
    if not all("batch_id" in b for b in state["batches"]):
        raise ValueError(f"batch job {path}: not fully submitted; call submit again with the same requests")
    results_path = path.with_name(f"{job}.results.json")
    if results_path.is_file():
        raw = _read(results_path)
    else:
        client = sdk_client(provider_name, config, http_client=http_client)
        openai_kind = state["kind"] == "openai"
        ended = [await _ended(client, openai_kind, b["batch_id"]) for b in state["batches"]]
        if any(info is None for info in ended):
            return None
        raw = {}
        for batch, info in zip(state["batches"], ended, strict=True):
            fetch = _openai_outcomes if openai_kind else _anthropic_outcomes
            outcomes, missing = await fetch(client, info)
            for custom_id in batch["custom_ids"]:
                raw[custom_id] = outcomes.get(custom_id) or {"error": missing}
        _write(results_path, raw)
    return {custom_id: _result(custom_id, outcome, schema) for custom_id, outcome in raw.items()}


@contextmanager
def _api_errors(provider_name: str) -> Iterator[None]:
    """SDK errors as this package's errors, which never carry the key or the response body."""
    try:
        yield
    except (openai.APIStatusError, anthropic.APIStatusError) as exc:
        raise status_error(provider_name, type(exc).__name__, exc.status_code, exc.response.headers) from None
    except (openai.APIConnectionError, anthropic.APIConnectionError) as exc:
        raise TransientError(f"provider {provider_name}: {type(exc).__name__}") from None
    except (openai.APIError, anthropic.APIError) as exc:
        raise ProviderError(f"provider {provider_name}: {type(exc).__name__}") from None


# --- request bodies ----------------------------------------------------------------------------------------


def _kind(provider_name: str, config: ProviderConfig) -> str:
    if not _NAME.match(provider_name):
        raise ValueError(f"batch: provider name {provider_name!r} must match {_NAME.pattern} (it names a file)")
    if config.kind not in MAX_PER_BATCH:
        raise ValueError(f"provider {provider_name}: batch execution needs kind openai or anthropic, not {config.kind}")
    return config.kind


def _check_ids(provider_name: str, kind: str, ids: list[str]) -> None:
    if not ids:
        raise ValueError(f"provider {provider_name}: a batch needs at least one request")
    seen: set[str] = set()
    for custom_id in ids:
        if custom_id in seen:
            raise ValueError(f"provider {provider_name}: custom_id {custom_id!r} repeats")
        if kind == "anthropic" and not _ANTHROPIC_ID.match(custom_id):
            raise ValueError(f"provider {provider_name}: custom_id {custom_id!r} must match {_ANTHROPIC_ID.pattern}")
        seen.add(custom_id)


def _body(
    kind: str,
    config: ProviderConfig,
    messages: Sequence[Message],
    params: dict[str, Any],
    schema: type[BaseModel] | None,
) -> dict[str, Any]:
    rest = dict(params)
    max_tokens = rest.pop("max_tokens", 1024)
    top_logprobs = rest.pop("top_logprobs", 0)
    if kind == "openai":
        body = {"model": config.model, "messages": list(messages), "temperature": rest.pop("temperature", 0.0)}
        body |= rest | {"max_completion_tokens": max_tokens}
        if top_logprobs:
            body |= {"logprobs": True, "top_logprobs": top_logprobs}
        if schema is not None:
            body["response_format"] = type_to_response_format_param(schema)
        return body
    if top_logprobs:
        raise ValueError("Anthropic gives no token log-probabilities: top_logprobs must be 0")
    rest.pop("temperature", None)  # as in providers.anthropic_chat
    body = {"model": config.model, "messages": [m for m in messages if m["role"] != "system"], "max_tokens": max_tokens}
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    if system:
        body["system"] = system
    if schema is not None:
        body["output_config"] = {"format": {"type": "json_schema", "schema": anthropic.transform_schema(schema)}}
    return body | rest


def _hash(config: ProviderConfig, bodies: list[tuple[str, dict[str, Any]]], schema: type[BaseModel] | None) -> str:
    payload = {
        "kind": config.kind,
        "model": config.model,
        "base_url": config.base_url,
        "schema": schema.model_json_schema() if schema else None,
        "bodies": bodies,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


# --- results -----------------------------------------------------------------------------------------------


async def _ended(client: Any, openai_kind: bool, batch_id: str) -> Any | None:
    """The batch, once it has ended (whatever the outcome); None while it runs."""
    if openai_kind:
        batch = await client.batches.retrieve(batch_id)
        return batch if batch.status in OPENAI_DONE else None
    batch = await client.messages.batches.retrieve(batch_id)
    return batch if batch.processing_status == "ended" else None


async def _openai_outcomes(client: openai.AsyncOpenAI, batch: Any) -> tuple[dict[str, dict], str]:
    """Raw outcome per custom_id of an ended batch, and the reason to give for requests it has no line for."""
    outcomes: dict[str, dict] = {}
    for file_id in (batch.error_file_id, batch.output_file_id):  # output last: it wins if a line is in both
        if file_id:
            content = await client.files.content(file_id)
            for line in content.text.splitlines():
                if line.strip():
                    item = json.loads(line)
                    outcomes[item["custom_id"]] = _openai_outcome(item)
    missing = f"no result: batch {batch.id} {batch.status}"
    if batch.errors and batch.errors.data:
        missing += ": " + "; ".join(e.message or e.code or "" for e in batch.errors.data)
    return outcomes, missing


def _openai_outcome(item: dict[str, Any]) -> dict[str, Any]:
    response = item.get("response") or {}
    body = response.get("body") or {}
    if item.get("error") or response.get("status_code") != 200:
        error = item.get("error") or body.get("error") or {}
        return {"error": f"HTTP {response.get('status_code')}: {error.get('code')}: {error.get('message')}"}
    try:
        completion = ChatCompletion.model_validate(body)
    except ValidationError as exc:
        return {"error": f"unreadable completion: {exc.error_count()} errors", "raw": json.dumps(body)}
    choice = completion.choices[0]
    content = choice.logprobs.content if choice.logprobs and choice.logprobs.content else None
    return {
        "text": choice.message.content or choice.message.refusal or "",
        "input_tokens": completion.usage.prompt_tokens if completion.usage else 0,
        "output_tokens": completion.usage.completion_tokens if completion.usage else 0,
        "top_logprobs": [{a.token: a.logprob for a in p.top_logprobs} for p in content] if content else None,
    }


async def _anthropic_outcomes(client: anthropic.AsyncAnthropic, batch: Any) -> tuple[dict[str, dict], str]:
    outcomes: dict[str, dict] = {}
    async for item in await client.messages.batches.results(batch.id):
        result = item.result
        if result.type == "succeeded":
            message = result.message
            outcomes[item.custom_id] = {
                "text": "".join(block.text for block in message.content if block.type == "text"),
                "input_tokens": message.usage.input_tokens,
                "output_tokens": message.usage.output_tokens,
                "top_logprobs": None,
            }
        elif result.type == "errored":
            error = result.error.error
            outcomes[item.custom_id] = {"error": f"{error.type}: {getattr(error, 'message', '')}"}
        else:  # canceled, expired
            outcomes[item.custom_id] = {"error": f"request {result.type}"}
    return outcomes, f"no result in batch {batch.id}"


def _result(custom_id: str, outcome: dict[str, Any], schema: type[BaseModel] | None) -> ChatResult | BatchFailure:
    if "error" in outcome:
        return BatchFailure(custom_id, outcome["error"], outcome.get("raw"))
    text = outcome["text"]
    parsed = None
    if schema is not None:
        try:
            parsed = schema.model_validate_json(text)
        except ValidationError:
            return BatchFailure(custom_id, f"output does not fit {schema.__name__}", raw=text)
    return ChatResult(
        text=text,
        parsed=parsed,
        input_tokens=outcome["input_tokens"],
        output_tokens=outcome["output_tokens"],
        top_logprobs=outcome["top_logprobs"],
    )


# --- files -------------------------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"batch job file {path}: unreadable: {exc}") from None


def _write(path: Path, data: Any) -> None:
    """Write JSON atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
