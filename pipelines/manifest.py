"""manifest.json: what a build was (config, hash, code version, seeds) and what it did (counts, timings, cost)."""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from pipelines.shards import write_atomic
from schemas import SCHEMA_VERSION, BuildConfig


def code_version() -> str:
    """The package version, plus the git commit (and `+dirty`) when run from a checkout."""
    try:
        version = metadata.version("memdistill")
    except metadata.PackageNotFoundError:
        version = "unknown"
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return version
    return f"{version}+g{commit}{'.dirty' if dirty else ''}"


def write_manifest(run_dir: Path, config: BuildConfig, body: dict[str, Any]) -> Path:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "code_version": code_version(),
        "config_hash": config.config_hash(),
        "config": config.model_dump(mode="json"),
        "seed": config.seed,
        **body,
    }
    path = run_dir / "manifest.json"
    write_atomic(path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return path
