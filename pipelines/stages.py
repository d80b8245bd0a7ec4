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

import functools
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from tqdm import tqdm

from pipelines.engine import Engine, Task
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
    task: Task,
    args: Callable[[int], tuple[Any, ...]],
    *,
    engine: Engine,
    unit: str,
    quiet: bool = False,
    postfix: Callable[[], str] | None = None,
) -> tuple[list[list[R]], StageStats]:
    """Produce every shard of a stage, reusing complete ones. `sizes[i]` is shard i's weight for the progress bar.

    Shard i is `task(clients, failed, *args(i))` (see `pipelines.tasks`), run by `engine`; `args(i)` is only asked
    for the shards that are not on disk. `postfix()`, when given, is shown after the bar's counts once a shard is
    done (the cost so far, say).
    """
    folder = run_dir / name / key
    for stale in remove_stale_temps(folder):
        log.info("removed %s, left by a killed build", stale)
    stats = StageStats()
    shards: dict[int, list[R]] = {}
    failures: dict[int, list[Failure]] = {}
    pending: BatchPending | None = None
    start = time.perf_counter()
    with tqdm(total=sum(sizes), desc=f"{name:<10}", unit=unit, disable=quiet, leave=True) as bar:
        missing: dict[int, Callable[[], tuple[Any, ...]]] = {}
        for i, size in enumerate(sizes):
            path = folder / f"shard-{i:05d}.jsonl"
            reused = _read(path, _failures_path(path), model) if path.exists() else None
            if reused is None:
                missing[i] = functools.partial(args, i)
                continue
            shards[i], failures[i] = reused
            stats.reused += 1
            bar.update(size)
        for i, outcome in engine.map(task, missing):
            if outcome.pending is not None:
                pending = pending or outcome.pending
            else:
                path = folder / f"shard-{i:05d}.jsonl"
                if outcome.failures:  # written first: a shard on disk always has its failures beside it
                    write_shard(_failures_path(path), outcome.failures)
                else:  # one a killed try of this shard left behind
                    _failures_path(path).unlink(missing_ok=True)
                write_shard(path, outcome.records)
                shards[i], failures[i] = outcome.records, outcome.failures
                stats.computed += 1
            if postfix is not None:
                bar.set_postfix_str(postfix(), refresh=False)
            bar.update(sizes[i])
    stats.seconds = round(time.perf_counter() - start, 3)
    if pending is not None:
        raise pending
    ordered = [shards[i] for i in range(len(sizes))]
    stats.records = sum(len(s) for s in ordered)
    stats.failures = [f for i in range(len(sizes)) for f in failures[i]]
    return ordered, stats


def read_stage(run_dir: Path, manifest: dict[str, Any], stage: str, model: type[R]) -> list[R]:
    """Every record of a finished build's stage, in shard order, under the key its `manifest.json` names.

    `ShardError` naming the file when the key is missing, a shard is missing (the build did not finish) or a shard
    cannot be read back.
    """
    path = run_dir / "manifest.json"
    key = manifest.get("stage_keys", {}).get(stage)
    if not key:
        raise ShardError(f"{path}: no stage_keys.{stage}; is it from an older build?")
    try:
        shards = -(-manifest["config"]["generate"]["dialogues"] // manifest["config"]["shard_size"])
    except (KeyError, TypeError):
        raise ShardError(f"{path}: no build config (generate.dialogues, shard_size) under 'config'") from None
    folder = run_dir / stage / key
    paths = sorted(folder.glob("shard-*.jsonl"))
    if len(paths) != shards:
        raise ShardError(f"{folder}: {len(paths)} of {shards} shards; the build did not finish: run it again")
    return [record for path in paths for record in read_shard(path, model)]


def _failures_path(shard: Path) -> Path:
    return shard.with_name(shard.name.replace("shard-", "failures-", 1))


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
