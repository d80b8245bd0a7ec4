"""The LLM realizer through a real OpenAI-protocol server on 127.0.0.1, inside a real build."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.build import build, main
from pipelines.stages import TooManyFailures
from schemas import load_config
from tests.openai_server import Reply, serve

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-realizer-SECRET-42"


def scripted_turns(body: dict) -> list[dict]:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return json.loads(re.search(r"Scripted turns \(JSON\):\n(.*)\n", user).group(1))


def rewrite(turns: list[dict]) -> str:
    """A faithful 'model': same facts, other words around them."""
    return json.dumps({"turns": [{**t, "text": f"Well, {t['text']}"} for t in turns]})


def config(url: str, dialogues: int = 2):
    return load_config(
        ROOT / "configs" / "tiny.toml",
        [
            f"generate.dialogues={dialogues}",
            "shard_size=2",
            'generate.realizer="llm"',
            'generate.realizer_provider="local"',
            "generate.realizer_attempts=2",
            'candidates.retrievers=["bm25"]',
            f'providers.local={{kind="openai_compatible", model="test-model", base_url="{url}", '
            'api_key_env="REALIZER_KEY", max_retries=0}',
        ],
    )


def test_faithful_rewrite_builds_a_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("REALIZER_KEY", SECRET)
    with serve(lambda body: Reply(rewrite(scripted_turns(body)))) as server:
        body = build(config(server.url), tmp_path / "run", quiet=True)
    assert body["counts"]["dialogues"] == 2 and body["failures"]["count"] == 0
    shard = next((tmp_path / "run" / "generate").glob("*/shard-00000.jsonl")).read_text()
    assert "Well, " in shard
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_dropped_fact_is_fed_back_and_retried(tmp_path, monkeypatch):
    monkeypatch.setenv("REALIZER_KEY", SECRET)
    seen: set[str] = set()

    def reply(body: dict) -> Reply:
        turns = scripted_turns(body)
        key = json.dumps(turns)
        if key not in seen:  # first try of each session: leave out the first turn that states something
            seen.add(key)
            first = next((i for i, t in enumerate(turns) if t["expresses"]), None)
            if first is not None:
                turns = turns[:first] + turns[first + 1 :]
        return Reply(rewrite(turns))

    with serve(reply) as server:
        body = build(config(server.url, dialogues=1), tmp_path / "run", quiet=True)
    assert body["failures"]["count"] == 0 and body["counts"]["dialogues"] == 1
    feedback = [m for r in server.requests for m in r["messages"] if m["content"].startswith("Fix these problems")]
    assert feedback and "is stated by no turn" in feedback[0]["content"]


def test_an_unfaithful_model_is_kept_aside_and_counted(tmp_path, monkeypatch):
    monkeypatch.setenv("REALIZER_KEY", SECRET)

    def reply(body: dict) -> Reply:
        turns = [{**t, "text": re.sub(r"[A-Z][a-z]+", "Somewhere", t["text"])} for t in scripted_turns(body)]
        return Reply(rewrite(turns))

    with serve(reply) as server:
        with pytest.raises(TooManyFailures, match=r"generate: 2 of 2 items failed"):  # the default bound: 0.25
            build(config(server.url), tmp_path / "run", quiet=True)
        body = build(config(server.url).model_copy(update={"max_failed_share": 1.0}), tmp_path / "run", quiet=True)
    assert body["counts"]["dialogues"] == 0
    assert body["failures"]["by_stage"]["generate"] == 2
    kept = next((tmp_path / "run" / "generate").glob("*/failures-00000.jsonl")).read_text().splitlines()
    assert len(kept) == 2
    record = json.loads(kept[0])
    assert record["attempts"] == 2 and "leave out" in record["error"] and record["raw"]


def test_missing_key_fails_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("REALIZER_KEY", raising=False)
    provider = 'providers.local={kind="openai", model="m", api_key_env="REALIZER_KEY"}'
    args = ["--config", str(ROOT / "configs/tiny.toml"), "--out", str(tmp_path / "r"), "--set", provider]
    args += ["--set", 'generate.realizer="llm"', "--set", 'generate.realizer_provider="local"']
    assert main(args) == 2
    assert "REALIZER_KEY is not set" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
