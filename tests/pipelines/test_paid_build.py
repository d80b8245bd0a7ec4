"""A build through a paid provider (the local OpenAI-protocol server): cache, budget, usage in the manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.build import main
from tests.generators.test_llm_realizer import rewrite, scripted_turns
from tests.openai_server import Reply, serve

ROOT = Path(__file__).resolve().parents[2]


def args(url: str, out: Path, budget: float | None = None) -> list[str]:
    provider = (
        f'providers.local={{kind="openai_compatible", model="gpt-4.1-mini", base_url="{url}", max_retries=0, '
        "price_input_per_mtok=1000.0, price_output_per_mtok=1000.0}"
    )
    sets = ["generate.dialogues=3", "shard_size=1", 'generate.realizer="llm"', 'generate.realizer_provider="local"',
            'candidates.retrievers=["bm25"]', provider]  # fmt: skip
    if budget is not None:
        sets.append(f"max_cost_usd={budget}")
    out_args = ["--config", str(ROOT / "configs/tiny.toml"), "--out", str(out), "--quiet"]
    return out_args + [item for s in sets for item in ("--set", s)]


def faithful(body: dict) -> Reply:
    return Reply(rewrite(scripted_turns(body)))


def test_usage_in_manifest_and_a_rerun_served_from_the_cache(tmp_path):
    out = tmp_path / "run"
    down = False
    with serve(lambda body: Reply(status=500) if down else faithful(body)) as server:
        assert main(args(server.url, out)) == 0
        first_calls = len(server.requests)
        manifest = json.loads((out / "manifest.json").read_text())
        usage = manifest["providers"]["local"]
        assert usage["calls"] == first_calls > 0 and usage["cache_hits"] == 0
        assert manifest["cost_usd"] > 0 and usage["input_tokens"] > 0

        shutil.rmtree(out / "generate")  # lose every generated shard: the cache answers, with the server failing
        down = True
        assert main(args(server.url, out)) == 0
        assert len(server.requests) == first_calls
    again = json.loads((out / "manifest.json").read_text())
    assert again["providers"]["local"]["cache_hits"] == first_calls
    # this invocation paid nothing; the run as a whole paid what the first one did
    assert again["cost_usd"] == 0 and manifest["run_total"] == again["run_total"]
    assert again["run_total"]["cost_usd"] == pytest.approx(manifest["cost_usd"])
    assert again["run_total"]["providers"]["local"]["answers"] == first_calls
    assert again["dataset"]["fingerprints"] == manifest["dataset"]["fingerprints"]


def test_budget_stops_cleanly_and_a_larger_one_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    with serve(faithful) as server:
        assert main(args(server.url, out, budget=0.5)) == 3
        err = capsys.readouterr().err
        assert "max_cost_usd" in err and "run the same command" in err
        done = sorted(p.name for p in (out / "generate").glob("*/shard-*.jsonl"))
        assert len(done) < 3
        assert main(args(server.url, out, budget=1000.0)) == 0
    assert len(list((out / "generate").glob("*/shard-*.jsonl"))) == 3


def test_an_exhausted_retry_is_kept_aside_counted_and_retried_by_the_next_run(tmp_path, capsys):
    out = tmp_path / "run"
    state = {"fail": 1}

    def flaky(body: dict) -> Reply:
        if state["fail"]:  # the first request fails for good (max_retries=0): its dialogue cannot be written
            state["fail"] -= 1
            return Reply(status=500)
        return faithful(body)

    with serve(flaky) as server:
        assert main(args(server.url, out)) == 1  # 1 of 3 dialogues failed: over the default max_failed_share 0.25
        err = capsys.readouterr().err.strip()
        assert "error: generate: 1 of 3 items failed (33% > max_failed_share 0.25), e.g. dlg-" in err
        assert "HTTP 500" in err and "run the same command to retry them" in err and "\n" not in err
        assert len(list(out.glob("generate/*/failures-*.jsonl"))) == 1

        state["fail"] = 1
        assert main([*args(server.url, out), "--set", "max_failed_share=0.5"]) == 0  # retried, failed again, kept
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["failures"]["by_stage"]["generate"] == 1 and manifest["counts"]["dialogues"] == 2
        assert manifest["stages"]["generate"]["shards_retried"] == 1

        assert main(args(server.url, out)) == 0  # the server is well again: the item is retried and written
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failures"]["count"] == 0 and manifest["counts"]["dialogues"] == 3
    assert manifest["stages"]["generate"]["shards_retried"] == 1 and not list(out.glob("generate/*/failures-*"))
