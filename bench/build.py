"""Wall time and peak memory of a build (default: configs/default.toml into a fresh folder), and the resume overhead:
a re-run with every shard complete, and a re-run after deleting one shard of each stage (as a crash would lose them).

    python bench/build.py [--config configs/default.toml] [--set key=value ...] [--engine local|ray]

Runs the build as a child process so its peak RSS is measured alone (resource.getrusage of the children; under
`--engine ray` that is the build process only, not Ray's workers).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.manifest import read_manifest  # noqa: E402

STAGES = ("generate", "candidates", "judge", "aggregate")


def _timed(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak_kib, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/default.toml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [
            sys.executable,
            "-m",
            "pipelines.build",
            "--config",
            args.config,
            "--out",
            str(out),
            "--quiet",
            "--engine",
            args.engine,
        ]
        for item in args.overrides:
            cmd += ["--set", item]
        cold_s, peak_mib = _timed(cmd)
        manifest = read_manifest(out)
        warm_s, _ = _timed(cmd)
        rng = random.Random(0)
        lost = []
        for stage in STAGES:
            shards = sorted((out / stage / manifest["stage_keys"][stage]).glob("shard-*.jsonl"))
            lost.append(rng.choice(shards))
            lost[-1].unlink()
        lost_s, _ = _timed(cmd)
        resumed = read_manifest(out)
    figures = {
        "config": args.config,
        "overrides": args.overrides,
        "engine": args.engine,
        "queries": manifest["counts"]["queries"],
        "candidates": manifest["counts"]["candidates"],
        "judgments": manifest["counts"]["judgments"],
        "wall_seconds": round(cold_s, 2),
        "peak_rss_mib": round(peak_mib, 1),
        "stage_seconds": {name: s["seconds"] for name, s in manifest["stages"].items()},
        "rerun_wall_seconds": round(warm_s, 2),
        "rerun_one_shard_lost_per_stage_wall_seconds": round(lost_s, 2),
        "rerun_one_shard_lost_recomputed": {name: s["shards_computed"] for name, s in resumed["stages"].items()},
        "rerun_one_shard_lost_stage_seconds": {name: s["seconds"] for name, s in resumed["stages"].items()},
        "rerun_one_shard_lost_same_dataset": resumed["dataset"]["fingerprints"] == manifest["dataset"]["fingerprints"],
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
