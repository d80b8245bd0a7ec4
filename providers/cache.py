"""A persistent response cache in one SQLite file (WAL), so a re-run of a build makes no new calls.

The key is the sha256 of a canonical JSON of what decides the answer: provider kind, model, base_url, messages, every
parameter and the output schema's JSON schema. Never the API key. A file that is not a readable cache (truncated,
corrupt, some other database) is refused with one error naming it, never silently rebuilt: it may hold paid answers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message

APPLICATION_ID = 0x6D64_6331  # "mdc1": marks the file as this cache
KEY_VERSION = 1


class CacheError(RuntimeError):
    """The cache file cannot be used; the message names it."""


@functools.cache
def _schema_spec(schema: type[BaseModel]) -> str:
    return json.dumps({"name": schema.__name__, "json_schema": schema.model_json_schema()}, sort_keys=True)


def schema_spec(schema: type[BaseModel] | None) -> dict[str, Any] | None:
    """The schema's name and JSON schema (made once per class: it costs more than the rest of a key)."""
    return None if schema is None else json.loads(_schema_spec(schema))


def request_key(
    identity: Mapping[str, Any],
    messages: Sequence[Message],
    schema: type[BaseModel] | None,
    params: Mapping[str, Any],
) -> str:
    """sha256 hex of the canonical JSON of the request. `identity`: kind, model, base_url (no secrets)."""
    payload = {
        "v": KEY_VERSION,
        "identity": dict(identity),
        "messages": [dict(m) for m in messages],
        "params": dict(params),
        "schema": schema_spec(schema),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def dump_result(result: ChatResult) -> str:
    return json.dumps(
        {
            "text": result.text,
            "parsed": result.parsed.model_dump(mode="json") if result.parsed is not None else None,
            "input_tokens": result.input_tokens,
            "output_tokens": result.output_tokens,
            "top_logprobs": result.top_logprobs,
        },
        ensure_ascii=False,
    )


def load_result(stored: str, schema: type[BaseModel] | None) -> ChatResult | None:
    """The stored result, its parsed model re-validated; None when it no longer validates (a changed validator)."""
    data = json.loads(stored)
    parsed = None
    if schema is not None:
        if data["parsed"] is None:
            return None
        try:
            parsed = schema.model_validate(data["parsed"])
        except ValidationError:
            return None
    return ChatResult(
        text=data["text"],
        parsed=parsed,
        input_tokens=data["input_tokens"],
        output_tokens=data["output_tokens"],
        top_logprobs=data["top_logprobs"],
    )


class ResponseCache:
    """One connection, guarded by a lock: safe from many tasks of one event loop (and from threads)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
            self._open()
        except sqlite3.DatabaseError as exc:
            raise CacheError(
                f"response cache {self.path}: not a readable cache ({exc}); move it away to start a new one"
            ) from None

    def _open(self) -> None:
        db = self._db
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        if tables and app_id != APPLICATION_ID:
            raise sqlite3.DatabaseError("an SQLite database, but not a response cache")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(
            "CREATE TABLE IF NOT EXISTS responses "
            "(key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, result TEXT NOT NULL)"
        )
        db.commit()

    def _run(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                rows = self._db.execute(sql, args).fetchall()
                self._db.commit()
            except sqlite3.DatabaseError as exc:
                raise CacheError(f"response cache {self.path}: {exc}") from None
        return rows

    def get(self, key: str, schema: type[BaseModel] | None = None) -> ChatResult | None:
        rows = self._run("SELECT result FROM responses WHERE key = ?", (key,))
        return load_result(rows[0][0], schema) if rows else None

    def put(self, key: str, provider: str, model: str, result: ChatResult) -> None:
        self._run(
            "INSERT OR REPLACE INTO responses (key, provider, model, result) VALUES (?, ?, ?, ?)",
            (key, provider, model, dump_result(result)),
        )

    def totals(self) -> dict[str, tuple[int, int, int]]:
        """Per provider name: (answers, input tokens, output tokens) kept in the cache, over every build that wrote
        it. What a run paid for, whichever invocation made the calls (answers that were never kept, such as ones
        that did not fit the schema, are not in it)."""
        rows = self._run(
            "SELECT provider, count(*), coalesce(sum(json_extract(result, '$.input_tokens')), 0), "
            "coalesce(sum(json_extract(result, '$.output_tokens')), 0) FROM responses GROUP BY provider "
            "ORDER BY provider",
            (),
        )
        return {provider: (n, int(tin), int(tout)) for provider, n, tin, tout in rows}

    def __len__(self) -> int:
        return self._run("SELECT count(*) FROM responses", ())[0][0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
