"""A student's score calibration: sigmoid(scale * logit + offset), fitted after training, saved beside it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from datasets import load_from_disk

from scoring.metrics import ece
from scoring.rerankers import STUDENT_FILE, load_student
from scoring.rerankers.calibration import Calibration
from train.calibration import calibrate_student
from train.data import case_triples, rows_to_cases, training_examples


def _student(minilm_dir: Path, out: Path, head_scale: float = 1.0, data: Path | None = None) -> Path:
    """A MiniLM cross-encoder with a random head times `head_scale`, its sign turned so that its logits rise with
    the labels of `data`'s validation split (when given)."""
    torch.manual_seed(0)
    student = load_student("cross_encoder", minilm_dir, max_length=64)
    if data is not None:
        examples = training_examples(load_from_disk(str(data))["validation"])
        raw = torch.tensor(student.raw_scores([(e["instruction"], e["query"], e["document"]) for e in examples]))
        labels = torch.tensor([e["label"] for e in examples])
        head_scale *= 1.0 if float(torch.corrcoef(torch.stack([raw, labels]))[0, 1]) > 0 else -1.0
    with torch.no_grad():
        student.model.classifier.weight.mul_(head_scale)
        student.model.classifier.bias.mul_(head_scale)
    return student.save(out)


def _triples(data: Path, split: str) -> list:
    return [t for case in rows_to_cases(load_from_disk(str(data))[split]) for t in case_triples(case)]


def test_a_calibration_maps_the_logit_and_travels_with_the_student(
    minilm_dir: Path, toy_dataset_dir: Path, tmp_path: Path
) -> None:
    out = _student(minilm_dir, tmp_path / "student")
    student = load_student(None, out)
    assert student.calibration is None
    triples = _triples(toy_dataset_dir, "test")
    raw = student.raw_scores(triples)
    assert student.score(triples) == pytest.approx([1 / (1 + math.exp(-x)) for x in raw], abs=1e-6)
    student.calibration = Calibration(scale=2.0, offset=-1.0, split="validation")
    expected = [1 / (1 + math.exp(-(2.0 * x - 1.0))) for x in raw]
    assert student.score(triples) == pytest.approx(expected, abs=1e-6)
    student.write_settings(out)
    again = load_student(None, out)
    assert again.calibration == student.calibration
    assert again.raw_scores(triples) == pytest.approx(raw, abs=1e-5)  # the logit itself is not touched
    assert again.score(triples) == pytest.approx(expected, abs=1e-5)
    settings = json.loads((out / STUDENT_FILE).read_text())
    settings["calibration"] = {"scale": "steep", "offset": 0.0, "split": "validation"}
    (out / STUDENT_FILE).write_text(json.dumps(settings))
    with pytest.raises(ValueError, match=f"{STUDENT_FILE}: calibration"):
        load_student(None, out)


def test_calibrate_student_fits_the_labels_keeps_the_ranking_and_names_a_missing_split(
    minilm_dir: Path, toy_dataset_dir: Path, tmp_path: Path
) -> None:
    out = _student(minilm_dir, tmp_path / "student", 40.0, toy_dataset_dir)  # logits far from the labels' scale
    triples = _triples(toy_dataset_dir, "test")
    before = load_student(None, out).score(triples)
    result = calibrate_student("cross_encoder", toy_dataset_dir, out, "validation")
    assert result["split"] == "validation" and result["candidates"] == 6
    assert result["scale"] > 0 and result["ece_after"] < result["ece_before"]
    student = load_student(None, out)
    assert student.calibration == Calibration(result["scale"], result["offset"], "validation")
    after = student.score(triples)
    assert sorted(range(len(after)), key=after.__getitem__) == sorted(range(len(before)), key=before.__getitem__)
    examples = training_examples(load_from_disk(str(toy_dataset_dir))["validation"])
    labels = [e["label"] for e in examples]
    fitted = student.score([(e["instruction"], e["query"], e["document"]) for e in examples])
    assert ece(fitted, labels) == pytest.approx(result["ece_after"])
    with pytest.raises(ValueError, match="no 'dev' split"):
        calibrate_student("cross_encoder", toy_dataset_dir, out, "dev")
