"""A build whose realizer runs through the OpenAI Batch API: submit, stop cleanly, collect on a later run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.build import main
from tests.generators.test_llm_realizer import rewrite
from tests.handler_server import serve_handler
from tests.providers.test_batch import SECRET, OpenAIBatchServer, completion_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


def test_batch_build_submits_waits_and_collects(tmp_path, capsys):
    server = OpenAIBatchServer()
    out = tmp_path / "run"
    with serve_handler(server) as url:
        provider = f'providers.api={{kind="openai", model="gpt-test", base_url="{url}", execution="batch"}}'
        sets = ["generate.dialogues=2", "shard_size=1", 'generate.realizer="llm"', 'generate.realizer_provider="api"',
                'candidates.retrievers=["bm25"]', provider]  # fmt: skip
        args = ["--config", str(ROOT / "configs/tiny.toml"), "--out", str(out), "--quiet"]
        args += [item for s in sets for item in ("--set", s)]

        assert main(args) == 4
        assert "run the same command later" in capsys.readouterr().err
        assert len(server.batches) == 2  # both shards submitted before stopping
        assert main(args) == 4 and len(server.batches) == 2  # still running: nothing resubmitted

        for batch_id, lines in zip(sorted(server.batches), server.uploads, strict=True):
            answers = []
            for line in lines:
                user = next(m["content"] for m in line["body"]["messages"] if m["role"] == "user")
                turns = json.loads(user.split("Scripted turns (JSON):\n", 1)[1].split("\n", 1)[0])
                answers.append(completion_line(line["custom_id"], rewrite(turns)))
            server.finish(batch_id, answers, [])
        assert main(args) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["dialogues"] == 2 and manifest["failures"]["count"] == 0
    assert all(SECRET not in p.read_text(errors="ignore") for p in out.rglob("*") if p.is_file())
