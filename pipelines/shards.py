"""Shards: JSONL files of records, written atomically so a crash never leaves a half shard behind."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

R = TypeVar("R", bound=BaseModel)


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


def write_shard(path: Path, records: Iterable[BaseModel]) -> None:
    write_atomic(path, b"".join(r.model_dump_json().encode() + b"\n" for r in records))


def read_shard(path: Path, model: type[R]) -> list[R]:
    out: list[R] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                out.append(model.model_validate_json(line))
            except ValidationError as exc:
                raise ShardError(f"{path}:{lineno}: not a valid {model.__name__}: {exc.errors()[0]['msg']}") from None
    return out
