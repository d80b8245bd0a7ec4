"""Shards: JSONL files of records, written atomically, listed with their record count and content hash in the stage
folder's index, so a shard that was emptied, cut or edited after it was written is never reused as if whole.

The index (`index.jsonl` beside the shards) gets one line per complete shard, appended and fsynced after the shard
is renamed into place: a shard without a line (or with a line that does not match its bytes) is not verified. An
append-only index costs O(1) per shard at any size; a torn last line (a kill mid-append) is ignored, so its shard is
recomputed. A later line for the same shard replaces an earlier one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

R = TypeVar("R", bound=BaseModel)

INDEX = "index.jsonl"
_TEMP = re.compile(r"^\..+\.tmp-(\d+)$")


class ShardError(RuntimeError):
    """A shard on disk that cannot be read back as its records."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, fsync, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files in `folder` left by writers that died (a killed build); return them."""
    if not folder.is_dir():
        return []
    stale = [
        p
        for p in sorted(folder.iterdir())
        if (m := _TEMP.match(p.name)) and int(m.group(1)) != os.getpid() and not alive(int(m.group(1)))
    ]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shard_bytes(records: Iterable[BaseModel]) -> bytes:
    return b"".join(r.model_dump_json().encode() + b"\n" for r in records)


def write_shard(path: Path, records: Iterable[BaseModel]) -> dict[str, Any]:
    """Write the shard atomically; return its index entry (`records`, `sha256`)."""
    data = shard_bytes(records)
    write_atomic(path, data)
    return {"records": len(data.splitlines()), "sha256": digest(data)}


def read_index(folder: Path) -> dict[str, dict[str, Any]] | None:
    """Shard file name -> its last index entry; None when the folder has no index (an older build wrote it)."""
    path = folder / INDEX
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return None
    entries: dict[str, dict[str, Any]] = {}
    for line in lines:
        try:
            entry = json.loads(line)
            entries[str(entry["shard"])] = entry
        except (ValueError, KeyError, TypeError):  # a torn or damaged line verifies nothing
            continue
    return entries


def append_index(folder: Path, entry: dict[str, Any]) -> None:
    """Add one shard's entry to the index, after the shard itself is in place."""
    with open(folder / INDEX, "ab") as fh:
        fh.write(json.dumps(entry, sort_keys=True).encode() + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


def verify(path: Path, entry: dict[str, Any] | None, field: str = "") -> bytes:
    """The bytes of `path` when they match their index entry (`{field}records`, `{field}sha256`); `ShardError`
    naming the file and what differs otherwise."""
    if entry is None:
        raise ShardError(f"{path}: not in the stage index (a build killed before listing it)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ShardError(f"{path}: missing, the stage index lists it") from None
    records, sha = len(data.splitlines()), digest(data)
    want_records, want_sha = entry.get(f"{field}records"), entry.get(f"{field}sha256")
    if (records, sha) != (want_records, want_sha):
        raise ShardError(
            f"{path}: {records} records, sha256 {sha[:12]}, where the stage index says {want_records} records, "
            f"sha256 {str(want_sha)[:12]}"
        )
    return data


def record_key(record: BaseModel) -> Any:
    """What must be unique among a stage's records: its id (or the tuple that identifies it)."""
    name = type(record).__name__
    if name in ("GeneratedDialogue", "GeneratedQueries"):
        return record.dialogue.dialogue_id  # type: ignore[attr-defined]
    if name == "Example":
        return record.query.query_id  # type: ignore[attr-defined]
    if name == "Judgment":
        return (record.teacher, record.query_id, record.first, record.second)  # type: ignore[attr-defined]
    if name == "SoftLabel":
        return (record.query_id, record.memory_id)  # type: ignore[attr-defined]
    if name == "Failure":
        return (record.stage, record.item)  # type: ignore[attr-defined]
    for attr in ("memory_id", "query_id", "dialogue_id", "case_id"):
        if hasattr(record, attr):
            return getattr(record, attr)
    return record.model_dump_json()


def check_unique(records: Iterable[BaseModel], where: Callable[[int], str]) -> None:
    """`ShardError` at the first record whose key an earlier one has; `where(i)` names record i's place."""
    seen: dict[Any, int] = {}
    for i, record in enumerate(records):
        key = record_key(record)
        if key in seen:
            raise ShardError(f"{where(i)}: duplicate {type(record).__name__} {key!r} (first at {where(seen[key])})")
        seen[key] = i


def parse_shard(path: Path, data: bytes, model: type[R]) -> list[R]:
    """The records in `data` (read from `path`), every one valid and unique; `ShardError` naming file and line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ShardError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    out: list[R] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        try:
            out.append(model.model_validate_json(line))
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"]
            raise ShardError(f"{path}:{lineno}: not a valid {model.__name__}: {msg}") from None
    check_unique(out, lambda i: f"{path}:{i + 1}")
    return out


def read_shard(path: Path, model: type[R]) -> list[R]:
    """The records of a shard; `ShardError` naming the file and line when one cannot be read back or repeats."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ShardError(f"{path}: missing") from None
    return parse_shard(path, data, model)
