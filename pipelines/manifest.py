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


class ManifestError(ValueError):
    """A run folder's manifest.json that is missing or unreadable; the message names the file."""


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """A finished build's manifest.json as a dict; `ManifestError` naming the file when there is none or it is not a
    JSON object (a build writes it last, so a folder without it is not a finished build)."""
    path = run_dir / "manifest.json"
    if not path.is_file():
        raise ManifestError(f"{path}: missing; a run folder gets it when `python -m pipelines.build` finishes")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise ManifestError(f"{path}: not a JSON object")
    return manifest


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
