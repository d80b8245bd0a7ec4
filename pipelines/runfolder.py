"""The run folder's guards: what a build may write into, one build at a time, and never deleting what it did not write.

- `check_run_folder`: `--out` must be a folder (or not exist); a folder that is not a run folder (no
  `manifest.json`) is only used when it holds nothing but what a build writes; a manifest of another schema version
  is refused. An unreadable manifest is not a reason to abandon the shards and the paid-answer cache beside it: the
  build goes on (every shard is verified against its stage index) and writes a new one.
- `lock`: an exclusive `flock` on `<run>/.lock` for the whole build; a second build on the same folder stops at
  once with one line naming the holder (pid, host, start time). The kernel drops the lock when its holder dies, so
  a killed build never leaves a stale lock.
- `check_dataset_folder`: `<run>/dataset/` is replaced whole by every build, so it must hold only what
  `datasets.DatasetDict.save_to_disk` and the card wrote; anything else stops the build before any work.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines.manifest import ManifestError, read_manifest
from schemas import SCHEMA_VERSION

log = logging.getLogger("pipelines.runfolder")

LOCK = ".lock"
# what a build writes at the top of its run folder (temporary names start with "." or end in ".tmp-PID")
BUILD_NAMES = frozenset(
    {
        LOCK, "manifest.json", "cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm", "cache.sqlite-journal",
        "generate", "embed", "candidates", "judge", "calibrate", "aggregate", "dataset", "audit", "batches",
    }
)  # fmt: skip
DATASET_FILES = frozenset({"dataset_dict.json", "README.md", "memdistill.json"})  # + pipelines.general's stamp
SPLIT_FILES = frozenset({"dataset_info.json", "state.json"})


class RunFolderError(RuntimeError):
    """A run folder this build must not write into; the message names it."""


class RunFolderLocked(RunFolderError):
    """Another build holds the run folder's lock; the message names it."""


def _ours(name: str) -> bool:
    return name in BUILD_NAMES or name.startswith(".") or ".tmp-" in name


def check_run_folder(run_dir: Path) -> None:
    """Refuse an `--out` this build must not use (see the module doc); writes nothing."""
    if run_dir.exists() and not run_dir.is_dir():
        raise RunFolderError(f"--out {run_dir}: not a folder")
    if not run_dir.exists():
        return
    path = run_dir / "manifest.json"
    if not path.exists():
        foreign = sorted(p.name for p in run_dir.iterdir() if not _ours(p.name))
        if foreign:
            raise RunFolderError(
                f"--out {run_dir}: holds {foreign[0]!r} (+{len(foreign) - 1} more) and no manifest.json: not a run "
                "folder; use a new or empty --out"
            )
    else:
        try:
            found = read_manifest(run_dir).get("schema_version")
        except ManifestError as exc:
            log.warning("%s; building on (every shard is verified), it is rewritten", exc)
        else:
            if found != SCHEMA_VERSION:
                raise RunFolderError(
                    f"{path}: written with schema version {found!r}, this code writes {SCHEMA_VERSION!r}; use a new "
                    "--out"
                )
    check_dataset_folder(run_dir / "dataset")


def check_dataset_folder(folder: Path) -> None:
    """`RunFolderError` naming the first file in `folder` that a saved DatasetDict and its card do not account for."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise RunFolderError(f"{folder}: not a folder; move it away, the build writes its dataset there")
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            strays = [p for p in sorted(entry.iterdir()) if p.name not in SPLIT_FILES and not _arrow(p.name)]
            if strays or not (entry / "state.json").exists():
                stray = strays[0] if strays else entry
                raise RunFolderError(f"{stray}: not written by a build; move it out of {folder}, which is replaced")
        elif entry.name not in DATASET_FILES:
            raise RunFolderError(f"{entry}: not written by a build; move it out of {folder}, which is replaced")


def _arrow(name: str) -> bool:
    return name.startswith("data-") and name.endswith(".arrow")


@contextlib.contextmanager
def lock(run_dir: Path) -> Iterator[None]:
    """Hold `<run>/.lock` for the block; `RunFolderLocked` naming the holder when another build has it."""
    path = run_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another build"
            raise RunFolderLocked(
                f"{run_dir}: in use by {holder}; wait for it to finish, or use another --out"
            ) from None
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"build pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
