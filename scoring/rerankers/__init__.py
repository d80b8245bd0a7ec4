"""Student rerankers behind one interface: `load_student(kind, path)` -> Student with `logits` and `score`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from scoring.rerankers.base import STUDENT_FILE, Student, read_json, saved_settings
from scoring.rerankers.calibration import Calibration
from scoring.rerankers.cross_encoder import CrossEncoderStudent
from scoring.rerankers.qwen3 import Qwen3Student

STUDENTS: dict[str, type[Student]] = {"qwen3": Qwen3Student, "cross_encoder": CrossEncoderStudent}
KINDS: tuple[str, ...] = tuple(STUDENTS)


def detect_kind(path: str | Path) -> str:
    """The student kind of a checkpoint: from memdistill_student.json, else from config.json's `architectures`."""
    saved = saved_settings(path).get("kind")
    saved = "cross_encoder" if saved == "cross-encoder" else saved  # the spelling of students saved before
    if saved is not None:
        if saved not in STUDENTS:
            raise ValueError(f"{Path(path) / STUDENT_FILE}: kind {saved!r} is not one of {list(KINDS)}")
        return saved
    config = Path(path) / "config.json"
    if not config.is_file():
        raise ValueError(f"{path}: no config.json; is this a model directory?")
    archs = read_json(config).get("architectures") or []
    if any("CausalLM" in a for a in archs):
        return "qwen3"
    if any(a.endswith(("ForSequenceClassification", "Model")) for a in archs):
        return "cross_encoder"
    raise ValueError(f"{config}: cannot tell the student kind from architectures {archs}; pass the kind")


def load_student(
    kind: str | None,
    path: str | Path,
    *,
    max_length: int | None = None,
    dtype: Any = None,
    device: str | torch.device | None = None,
) -> Student:
    """Load a student of `kind` ("qwen3", "cross_encoder", or None / "auto" to detect it) from `path`."""
    if kind in (None, "auto"):
        kind = detect_kind(path)
    if kind not in STUDENTS:
        raise ValueError(f"student kind {kind!r} is not one of {list(KINDS)}")
    saved = saved_settings(path)
    if max_length is None:
        max_length = saved.get("max_length")
    student = STUDENTS[kind].from_pretrained(path, max_length=max_length, dtype=dtype)
    try:
        student.calibration = Calibration.from_settings(saved.get("calibration"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{Path(path) / STUDENT_FILE}: calibration: {exc!r}") from None
    if device is not None:
        student.model.to(device)
    return student


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


__all__ = [
    "KINDS",
    "STUDENTS",
    "CrossEncoderStudent",
    "Qwen3Student",
    "Student",
    "default_device",
    "detect_kind",
    "load_student",
    "saved_settings",
]
