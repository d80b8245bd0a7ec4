"""Shards: JSONL files of records, written atomically so a crash never leaves a half shard behind."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

R = TypeVar("R", bound=BaseModel)

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


def _alive(pid: int) -> bool:
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
        if (m := _TEMP.match(p.name)) and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1)))
    ]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def write_shard(path: Path, records: Iterable[BaseModel]) -> None:
    write_atomic(path, b"".join(r.model_dump_json().encode() + b"\n" for r in records))


def read_shard(path: Path, model: type[R]) -> list[R]:
    """The records of a shard; `ShardError` naming the file and line when one cannot be read back."""
    out: list[R] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                try:
                    out.append(model.model_validate_json(line))
                except ValidationError as exc:
                    msg = exc.errors()[0]["msg"]
                    raise ShardError(f"{path}:{lineno}: not a valid {model.__name__}: {msg}") from None
    except UnicodeDecodeError as exc:
        raise ShardError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return out
