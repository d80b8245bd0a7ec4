"""pipelines.general: general relevance rows from real conversations, and their mixing into a training stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets import load_from_disk

from pipelines.general import GeneralError, build_general, main
from schemas import DatasetRow
from train.config import parse_train_config
from train.distill import load_sources, stage_examples

TOPICS = ["hiking in the mountains", "baking sourdough bread", "learning the violin", "fixing an old bicycle"]


def _conversation(i: int, topic: str) -> dict:
    lines = [
        ("a", f"hey there, have you ever tried {topic} before?"),
        ("b", f"yes I tried {topic} last summer with my cousin number {i}"),
        ("a", "that sounds great, how did it go for you two?"),
        ("b", "it went well overall but we got tired quite fast"),
        ("a", "ha, I know that feeling all too well honestly"),
        ("b", "what are you up to this weekend then?"),
        ("a", f"probably more {topic} if the weather holds up"),
    ]
    messages = [[{"text": text, "timestamp": f"2018-05-0{1 + i % 9}T19:38:{10 + k}Z", "sender": who}]
                for k, (who, text) in enumerate(lines)]  # fmt: skip
    return {"messages": messages}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "conversations.json"
    data = {f"c{i}": _conversation(i, TOPICS[i % len(TOPICS)]) for i in range(8)}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _rows(folder: Path) -> list[DatasetRow]:
    return [DatasetRow.model_validate(r) for r in load_from_disk(str(folder))["train"]]


def test_rows_pair_a_message_with_its_reply(source: Path, tmp_path: Path):
    n, reused = build_general(tmp_path / "g", source, queries=10, negatives=5, seed=3)
    assert (n, reused) == (10, False)
    rows = _rows(tmp_path / "g")
    conversations = json.loads(source.read_text())
    for row in rows:
        cid, k = row.query_id.removeprefix("general-").rsplit("-", 1)
        texts = [m[0]["text"] for m in conversations[cid]["messages"]]
        assert row.skill == "general" and row.query.endswith(texts[int(k)])
        assert "?" in row.query  # questions first
        gold = [c for c in row.candidates if c.gold]
        assert [c.text for c in gold] == [texts[int(k) + 1]] and gold[0].label == 1.0
        negatives = [c for c in row.candidates if not c.gold]
        assert len(negatives) == 5 and all(c.label == 0.0 and c.text != gold[0].text for c in negatives)
        assert all(c.speaker is None and c.timestamp is None for c in row.candidates)  # no shortcut
        assert len(row.context) == min(2, int(k))
    assert len({r.dialogue_id for r in rows}) >= 5  # at most two rows a conversation


def test_test_split_holds_out_conversations(source: Path, tmp_path: Path):
    build_general(tmp_path / "g", source, queries=5, negatives=3, seed=3, test=4)
    dataset = load_from_disk(str(tmp_path / "g"))
    train, test = set(dataset["train"]["dialogue_id"]), set(dataset["test"]["dialogue_id"])
    assert len(dataset["train"]) >= 5 and len(dataset["test"]) >= 1 and not train & test


def test_a_validation_split_holds_out_conversations_and_leaves_train_and_test_as_they_were(
    source: Path, tmp_path: Path
):
    build_general(tmp_path / "plain", source, queries=4, negatives=3, seed=3, test=3)
    build_general(tmp_path / "g", source, queries=4, negatives=3, seed=3, test=3, validation=3)
    plain, dataset = load_from_disk(str(tmp_path / "plain")), load_from_disk(str(tmp_path / "g"))
    ids = {name: set(dataset[name]["dialogue_id"]) for name in ("train", "test", "validation")}
    assert ids["validation"] and not ids["validation"] & (ids["train"] | ids["test"])
    for name in ("train", "test"):
        assert dataset[name].to_list() == plain[name].to_list()
    assert "validation" not in plain


def test_same_arguments_same_bytes_and_reuse(source: Path, tmp_path: Path):
    build_general(tmp_path / "a", source, queries=6, negatives=4, seed=3)
    build_general(tmp_path / "b", source, queries=6, negatives=4, seed=3)
    arrow = sorted((tmp_path / "a").rglob("*.arrow"))
    assert arrow and all(p.read_bytes() == (tmp_path / "b" / p.relative_to(tmp_path / "a")).read_bytes() for p in arrow)
    assert build_general(tmp_path / "a", source, queries=6, negatives=4, seed=3) == (6, True)
    assert build_general(tmp_path / "a", source, queries=6, negatives=4, seed=4) == (6, False)
    assert "license: mit" in (tmp_path / "a" / "README.md").read_text()


def test_bad_source_is_one_line(tmp_path: Path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"c1": {"lines": []}}))
    with pytest.raises(GeneralError, match="conversation c1: no 'messages' list"):
        build_general(tmp_path / "g", bad, queries=2, negatives=2, seed=1)
    assert main(["--out", str(tmp_path / "g"), "--source", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err


def test_mixed_into_a_training_stage(source: Path, tmp_path: Path):
    build_general(tmp_path / "g", source, queries=8, negatives=3, seed=3)
    config = parse_train_config(
        {
            "datasets": {"general": {"path": str(tmp_path / "g")}},
            "stages": [{"name": "bce", "loss": "bce", "data": {"general": 0.5}, "dialogue_negatives": 2}],
        }
    )
    sources = load_sources(config, tmp_path / "unused")
    examples = stage_examples(config.stages[0], sources, config.seed)
    # half of the 8 rows, each with its 4 candidates and up to 2 negatives from the conversation's other row
    assert 4 * 4 <= len(examples) <= 4 * 6
    assert sum(e["label"] for e in examples) == 4
