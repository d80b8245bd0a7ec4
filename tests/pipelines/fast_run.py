"""A model-free build of the tiny config (scenario and BM25 teachers, BM25 retrieval): well under a second."""

from __future__ import annotations

from pathlib import Path

from pipelines.build import build
from schemas import load_config

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "configs" / "tiny.toml"
FAST = [
    "generate.dialogues=3",
    "shard_size=1",
    'candidates.retrievers=["bm25"]',
    'judge.teachers=[{name="scenario", kind="scenario"}, {name="bm25", kind="bm25"}]',
]


def fast_build(run_dir: Path, *overrides: str, **kwargs) -> dict:
    return build(load_config(TINY, [*FAST, *overrides]), run_dir, quiet=True, **kwargs)
