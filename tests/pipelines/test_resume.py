"""kill -9 a real build mid-way, run the same command again: the dataset is byte for byte the uninterrupted one,
also when the kill lands while the dialogues' embeddings are stored or read (see `pipelines.tasks.embed`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
EMBEDDING_SETS = [*SETS[:3], 'candidates.retrievers=["bm25", "embedding"]']  # each memory encoded once, stored


def command(out: Path, sets: list[str] = SETS) -> list[str]:
    args = [sys.executable, "-m", "pipelines.build", "--config", str(TINY), "--out", str(out), "--quiet"]
    return args + [item for s in sets for item in ("--set", s)]


def kill_once(out: Path, stage: str = "judge", sets: list[str] = SETS) -> None:
    """Start the build and kill -9 it as soon as its first shard of `stage` is on disk."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen(command(out, sets), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600  # a shared, loaded machine can be this slow
    try:
        while not list(out.glob(f"{stage}/*/shard-*.jsonl")):
            assert proc.poll() is None, f"the build ended before {stage}: {proc.communicate()[1].decode()[-2000:]}"
            assert time.monotonic() < deadline, f"no {stage} shard within 600 s"
            time.sleep(0.02)
    finally:
        proc.kill()  # SIGKILL: no handler, no cleanup
        proc.communicate()
    assert proc.returncode == -9


def arrow_bytes(run_dir: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted((run_dir / "dataset").glob("*/*.arrow"))}


def test_kill_9_then_the_same_command_resumes_to_the_same_dataset(tmp_path):
    out = tmp_path / "killed"
    kill_once(out)
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


@pytest.fixture(scope="module")
def embedding_reference(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("runs") / "whole"
    return out, build(load_config(TINY, EMBEDDING_SETS), out, quiet=True)


def shard_bytes(run_dir: Path, stage: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted(run_dir.glob(f"{stage}/*/shard-*.jsonl"))]


@pytest.mark.parametrize("stage", ["embed", "candidates"])
def test_kill_9_while_embeddings_are_stored_or_read_resumes_to_the_same_bytes(tmp_path, stage, embedding_reference):
    """Killed once the first embeddings (or candidates) shard is written: the resumed build stores the same
    embeddings, retrieves and judges with them, and ends with the uninterrupted build's bytes."""
    whole, reference = embedding_reference
    out = tmp_path / "killed"
    kill_once(out, stage, EMBEDDING_SETS)
    assert not (out / "judge").exists(), "killed too late to prove much"

    proc = subprocess.run(command(out, EMBEDDING_SETS), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    resumed = json.loads((out / "manifest.json").read_text())
    assert resumed["stages"][stage]["shards_reused"] >= 1
    assert resumed["stages"]["embed"]["records"] == 3
    for name in ("embed", "candidates", "judge", "aggregate"):
        assert shard_bytes(out, name) == shard_bytes(whole, name), name
    assert resumed["dataset"]["fingerprints"] == reference["dataset"]["fingerprints"]
    assert arrow_bytes(out) == arrow_bytes(whole) and len(arrow_bytes(out)) == 3
