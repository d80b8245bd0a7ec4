from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from datasets import load_from_disk

from scoring.rerankers import CrossEncoderStudent, Student, load_student
from train import distill
from train.data import training_examples
from train.losses import bce_soft


def _bce(student: Student, examples: list[dict]) -> float:
    with torch.no_grad():
        logits = student.logits([(e["instruction"], e["query"], e["document"]) for e in examples])
    return bce_soft(logits, torch.tensor([e["label"] for e in examples])).item()


def _last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_training_examples_flatten_rows_with_their_soft_labels(toy_dataset_dir: Path) -> None:
    examples = training_examples(load_from_disk(str(toy_dataset_dir))["train"])
    assert len(examples) == 8 * 3
    assert [e["label"] for e in examples[:3]] == [0.1, 0.9, 0.2]
    assert examples[1]["document"] == "[2023-01-10 (Tue) 10:00] Anna: I moved to Porto in May."


def test_distill_qwen3_lowers_the_bce_and_saves_a_loadable_student(
    tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = training_examples(load_from_disk(str(toy_dataset_dir))["train"])
    before = _bce(load_student("qwen3", tiny_qwen_dir), examples)
    out = tmp_path / "student"
    argv = ["--data", str(toy_dataset_dir), "--student", "qwen3", "--model", str(tiny_qwen_dir), "--out", str(out)]
    argv += ["--max-steps", "30", "--lr", "3e-3", "--batch-size", "8", "--logging-steps", "5", "--seed", "1"]
    assert distill.main(argv) == 0
    summary = _last_json(capsys.readouterr().out)
    assert summary["steps"] == 30 and summary["examples"] == 24
    assert summary["last_loss"] < summary["first_loss"]
    assert json.loads((out / "distill_summary.json").read_text()) == summary

    trained = load_student(None, out)
    after = _bce(trained, examples)
    assert after < before - 0.05
    scores = trained.score([(e["instruction"], e["query"], e["document"]) for e in examples[:3]])
    assert scores[1] > scores[0] and scores[1] > scores[2]  # the gold Porto memory now ranks first


def test_distill_is_deterministic_for_a_seed(
    tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    triples = [("Judge", "Where did Anna live?", "Anna: Porto"), ("Judge", "Why?", "Ben: Lyon")]
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        argv = ["--data", str(toy_dataset_dir), "--student", "qwen3", "--model", str(tiny_qwen_dir)]
        argv += ["--out", str(out), "--max-steps", "4", "--lr", "3e-3", "--batch-size", "4", "--seed", "7"]
        assert distill.main(argv) == 0
        runs.append(load_student(None, out).score(triples))
    assert runs[0] == runs[1]
    assert runs[0] != load_student(None, tiny_qwen_dir).score(triples)


def test_distill_cross_encoder_loads_back_in_sentence_transformers(
    minilm_dir: Path, toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sentence_transformers import CrossEncoder

    out = tmp_path / "ce"
    argv = ["--data", str(toy_dataset_dir), "--student", "cross_encoder", "--model", str(minilm_dir)]
    argv += ["--out", str(out), "--max-steps", "3", "--batch-size", "8", "--lr", "1e-4", "--max-length", "128"]
    assert distill.main(argv) == 0
    summary = _last_json(capsys.readouterr().out)
    assert summary["steps"] == 3 and summary["student"] == "cross_encoder"

    student = load_student(None, out)
    assert isinstance(student, CrossEncoderStudent) and student.max_length == 128
    examples = training_examples(load_from_disk(str(toy_dataset_dir))["test"])[:3]
    triples = [(e["instruction"], e["query"], e["document"]) for e in examples]
    ours = student.score(triples)

    ce = CrossEncoder(str(out), device="cpu")
    assert ce.max_seq_length == 128
    theirs = ce.predict([(f"{i}\n{q}", d) for i, q, d in triples])
    assert list(theirs) == pytest.approx(ours, abs=1e-5)


def test_distill_rejects_missing_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--data", str(tmp_path / "nope"), "--student", "qwen3", "--model", "x", "--out", str(tmp_path / "o")]
    assert distill.main(argv) == 2
    assert "not a directory" in capsys.readouterr().err
