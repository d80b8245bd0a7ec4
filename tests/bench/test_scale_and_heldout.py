"""bench/scale.py --keep (a second run resumes the kept build) and bench/train.py --heldout (its seeded sample)."""

from __future__ import annotations

import collections
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from tests.pipelines.fast_run import fast_build

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scale_keep_resumes_the_kept_build(tmp_path: Path):
    cmd = [sys.executable, str(ROOT / "bench" / "scale.py"), "--sizes", "4", "--shard-size", "2", "--generate-only",
           "--config", "configs/tiny.toml", "--keep", str(tmp_path)]  # fmt: skip
    rows = []
    for _ in range(2):
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        rows.append(json.loads(proc.stderr.strip().splitlines()[-1]))
        assert "| 4 |" in proc.stdout
    assert [r["reused_shards"] for r in rows] == [0, 2]  # the second run computed nothing
    assert len(list(tmp_path.glob("4/generate/*/shard-*.jsonl"))) == 2


def test_heldout_sample_is_per_skill_seeded_and_from_every_split(tmp_path: Path):
    bench = _load("bench_train", ROOT / "bench" / "train.py")
    run = tmp_path / "run"
    fast_build(run)
    first = bench.heldout_cases(run, tmp_path / "a", per_skill=2)
    again = bench.heldout_cases(run, tmp_path / "b", per_skill=2)
    assert [c.case_id for c in first] == [c.case_id for c in again]
    per_skill = collections.Counter(bench.group_of(c) for c in first)
    assert per_skill and max(per_skill.values()) <= 2
    everything = bench.heldout_cases(run, tmp_path / "c", per_skill=10_000)
    assert len(everything) > len(first)
    # every turn said before the query is a candidate, not only the pool's
    assert all(c.positives for c in everything)
    assert max(len(c.candidates) for c in everything) > 12


def test_heldout_built_with_the_training_seed_is_refused_before_training(tmp_path: Path):
    run = tmp_path / "run"
    fast_build(run)
    cmd = [sys.executable, str(ROOT / "bench" / "train.py"), "--data", str(run / "dataset"), "--heldout", str(run),
           "--out", str(tmp_path / "out")]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "seed" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()  # nothing trained
