"""Calibrate a finished student's scores to the labels' scale, so that its tiers mean grades.

`[evaluation] calibrate = "validation"` in a training config: after the last stage and the floor's interpolation,
the student's logits on that split of --data (every candidate, the same triples training reads) are fitted to the
candidates' soft labels (expected grade / 4) by a logistic regression on the logit, `sigmoid(scale * logit +
offset)`, and the two numbers are saved in `memdistill_student.json`. Always the labels, whatever the training
`target`: tiers are the grades' scale. Rankings do not change; ECE against the labels before and after is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from scoring.metrics import ece
from scoring.rerankers.calibration import Calibration, fit_logistic
from train.data import load_dataset_dir, training_examples


def calibrate_student(student_kind: str, data: Path, out: Path, split: str, batch_size: int = 32) -> dict[str, Any]:
    """Fit the calibration of the student in `out` on `split` of `data`, save it there, and report it."""
    from train.score import load_for_inference

    dataset = load_dataset_dir(data, "--data")
    if split not in dataset:
        raise ValueError(f"evaluation.calibrate: {data} has no {split!r} split (found {list(dataset)})")
    examples = training_examples(dataset[split], name=f"{data} {split}")
    triples = [(e["instruction"], e["query"], e["document"]) for e in examples]
    labels = np.array([e["label"] for e in examples], dtype=float)
    student = load_for_inference(out, student_kind)  # its settings are the saved ones: written back with the fit
    logits = np.array(student.raw_scores(triples, batch_size), dtype=float)
    scale, offset = fit_logistic(logits.tolist(), labels.tolist())
    student.calibration = Calibration(scale=scale, offset=offset, split=split)
    student.write_settings(out)
    return {
        "split": split,
        "candidates": len(examples),
        "scale": scale,
        "offset": offset,
        "ece_before": ece(_sigmoid(logits), labels),
        "ece_after": ece(_sigmoid(student.calibration.apply(logits)), labels),
    }


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def calibration_line(result: dict[str, Any]) -> str:
    return (
        f"scores calibrated on {result['split']} ({result['candidates']} candidates): sigmoid({result['scale']:.3f} "
        f"* logit + {result['offset']:.3f}); ECE against the labels {result['ece_before']:.3f} -> "
        f"{result['ece_after']:.3f}"
    )
