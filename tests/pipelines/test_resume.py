"""kill -9 a real build mid-way, run the same command again: the dataset is byte for byte the uninterrupted one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pipelines.build import build
from pipelines.shards import read_shard
from schemas import Judgment, load_config

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "configs" / "tiny.toml"
# the MiniLM teacher keeps judging slow enough (a second or so a shard) to be caught in the middle
SETS = [
    "generate.dialogues=3",
    "shard_size=1",
    'generate.skills=["temporal", "causal", "unanswerable"]',
    'candidates.retrievers=["bm25"]',
]


def command(out: Path) -> list[str]:
    args = [sys.executable, "-m", "pipelines.build", "--config", str(TINY), "--out", str(out), "--quiet"]
    return args + [item for s in SETS for item in ("--set", s)]


def kill_once_judging(out: Path) -> None:
    """Start the build and kill -9 it as soon as its first judge shard is on disk."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen(command(out), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    try:
        while not list(out.glob("judge/*/shard-*.jsonl")):
            assert proc.poll() is None, f"the build ended before judging: {proc.communicate()[1].decode()[-2000:]}"
            assert time.monotonic() < deadline, "no judge shard within 240 s"
            time.sleep(0.02)
    finally:
        proc.kill()  # SIGKILL: no handler, no cleanup
        proc.communicate()
    assert proc.returncode == -9


def arrow_bytes(run_dir: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted((run_dir / "dataset").glob("*/*.arrow"))}


def test_kill_9_then_the_same_command_resumes_to_the_same_dataset(tmp_path):
    out = tmp_path / "killed"
    kill_once_judging(out)
    assert not (out / "manifest.json").exists() and not (out / "dataset").exists(), "killed too late to prove much"
    judged = list(out.glob("judge/*/shard-*.jsonl"))
    assert 1 <= len(judged) < 3
    (judged[0].parent / ".shard-00002.jsonl.tmp-4194303").write_text('{"half": ')  # as a kill mid-write leaves

    proc = subprocess.run(command(out), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("built ")  # --quiet: the final line
    resumed = json.loads((out / "manifest.json").read_text())
    assert resumed["stages"]["generate"] == {**resumed["stages"]["generate"], "shards_computed": 0, "shards_reused": 3}
    assert resumed["stages"]["judge"]["shards_reused"] == len(judged)
    assert resumed["stages"]["judge"]["shards_computed"] == 3 - len(judged)

    reference = build(load_config(TINY, SETS), tmp_path / "whole", quiet=True)
    assert resumed["dataset"]["fingerprints"] == reference["dataset"]["fingerprints"]
    assert arrow_bytes(out) == arrow_bytes(tmp_path / "whole") and len(arrow_bytes(out)) == 3
    assert resumed["counts"] == reference["counts"]

    assert [p for p in out.rglob("*") if ".tmp" in p.name] == []  # no temporary file or folder left
    shards = sorted(out.glob("judge/*/shard-*.jsonl"))
    assert [p.name for p in shards] == [f"shard-{i:05d}.jsonl" for i in range(3)]
    assert sum(len(read_shard(p, Judgment)) for p in shards) == reference["counts"]["judgments"]
