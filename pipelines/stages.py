"""Sharded, content-addressed stage outputs in the run folder.

A stage's shards live in `<run>/<stage>/<key>/shard-NNNNN.jsonl`, where `key` hashes the config sections the stage
depends on and its upstream stage's key. A complete shard is never recomputed; a changed config writes under a new
key, so only what it touches is recomputed. A killed build leaves at most a temporary file behind.

Items a stage could not produce (after their retries) are kept aside in `failures-NNNNN.jsonl` beside the shard,
written before it, so a reused shard brings its failures back with it and nothing is lost or counted twice.
A shard whose batch is still running is skipped; the stage then stops with `BatchPending` once every shard has
submitted its batch.

A shard (or its failures file) that cannot be read back is recomputed, with a warning naming the file: every
shard is a pure function of its key (provider answers come back from the run's response cache), so the
recomputed one is the one that was lost. Temporary files left by a killed build are removed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from tqdm import tqdm

from pipelines.shards import ShardError, read_shard, remove_stale_temps, write_shard
from providers.batching import BatchPending
from schemas import Failure

R = TypeVar("R", bound=BaseModel)

log = logging.getLogger("pipelines.stages")


def stage_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


@dataclass
class StageStats:
    """What one stage did in this invocation: shards computed vs reused, seconds spent."""

    computed: int = 0
    reused: int = 0
    seconds: float = 0.0
    records: int = 0
    failures: list[Failure] = field(default_factory=list)


def run_stage(
    run_dir: Path,
    name: str,
    key: str,
    model: type[R],
    sizes: Sequence[int],
    compute: Callable[[int, list[Failure]], list[R]],
    *,
    unit: str,
    quiet: bool = False,
    postfix: Callable[[], str] | None = None,
) -> tuple[list[list[R]], StageStats]:
    """Produce every shard of a stage, reusing complete ones. `sizes[i]` is shard i's weight for the progress bar.

    `compute(i, failures)` returns shard i's records and appends what it had to keep aside to `failures`.
    `postfix()`, when given, is shown after the bar's counts once a shard is done (the cost so far, say).
    """
    folder = run_dir / name / key
    for stale in remove_stale_temps(folder):
        log.info("removed %s, left by a killed build", stale)
    stats = StageStats()
    shards: list[list[R]] = []
    pending: BatchPending | None = None
    start = time.perf_counter()
    with tqdm(total=sum(sizes), desc=f"{name:<10}", unit=unit, disable=quiet, leave=True) as bar:
        for i, size in enumerate(sizes):
            path = folder / f"shard-{i:05d}.jsonl"
            failed_path = folder / f"failures-{i:05d}.jsonl"
            reused = _read(path, failed_path, model) if path.exists() else None
            if reused is not None:
                records, failures = reused
                stats.reused += 1
            else:
                failures = []
                try:
                    records = compute(i, failures)
                except BatchPending as exc:  # submitted, not back yet: submit the other shards' batches too
                    pending = pending or exc
                    bar.update(size)
                    continue
                if failures:
                    write_shard(failed_path, failures)
                else:  # one a killed try of this shard left behind
                    failed_path.unlink(missing_ok=True)
                write_shard(path, records)
                stats.computed += 1
            stats.failures += failures
            shards.append(records)
            stats.records += len(records)
            if postfix is not None:
                bar.set_postfix_str(postfix(), refresh=False)
            bar.update(size)
    stats.seconds = round(time.perf_counter() - start, 3)
    if pending is not None:
        raise pending
    return shards, stats


def _read(path: Path, failed_path: Path, model: type[R]) -> tuple[list[R], list[Failure]] | None:
    """A complete shard and its failures, or None (with a warning) when either cannot be read back."""
    try:
        records = read_shard(path, model)
        failures = read_shard(failed_path, Failure) if failed_path.exists() else []
    except ShardError as exc:
        log.warning("%s; recomputing the shard", exc)
        failed_path.unlink(missing_ok=True)
        return None
    return records, failures
