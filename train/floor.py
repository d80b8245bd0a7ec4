"""The floor: a student must not end below the model it started from, on relevance it was not distilled for.

Distilling on synthetic memory data can cost a model the plain matching it had (the cross-encoder started from
MiniLM once ranked real conversation replies below what MiniLM's own embeddings do). `[evaluation.floor]` in a
training config names a held-out split of one of its datasets (e.g. `general`: real messages and the reply that
followed, `python -m pipelines.general`) and what the start could do there: `embedding`, the base model's sentence
embeddings by cosine (the cross-encoder's start is a bi-encoder with a new head, so that is all it knew), or
`model`, the start checkpoint scored as a reranker (a Qwen3-Reranker start). After the last stage `check_floor`
scores the student and the start on that split; `train.distill` records the figures in the summary and the model
card and, when the student is below the start by more than the tolerance, exits 4 with one line
(`FloorError`). The model stays on disk, marked in its card, for inspection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from train.config import FloorConfig, TrainConfig
from train.data import load_dataset_dir, rows_to_cases


class FloorError(RuntimeError):
    """The student ended below its start on the floor's split; one line with both figures."""


def check_floor(config: TrainConfig, floor: FloorConfig, student_dir: Path, start: str, batch_size: int = 32) -> dict:
    """The student in `student_dir` and its start (`start`: the stage-1 start checkpoint) on the floor's split."""
    from train.evaluate import evaluate_systems
    from train.score import load_for_inference, score_cases

    source = config.datasets[floor.dataset]
    dataset = load_dataset_dir(source.path, f"datasets.{floor.dataset}")
    if floor.split not in dataset:
        raise ValueError(f"evaluation.floor: {source.path} has no {floor.split!r} split (found {list(dataset)})")
    cases = [c for c in rows_to_cases(dataset[floor.split], name=f"{source.path} {floor.split}") if c.positives]
    student = score_cases(load_for_inference(student_dir), cases, batch_size)
    if floor.start == "embedding":  # the baseline of every evaluation, from the start's own weights when it has them
        model = start if config.student == "cross_encoder" else None
        systems = evaluate_systems(cases, student, ["embedding"], embedding_model=model)
    else:
        systems = evaluate_systems(cases, student)
        begun = score_cases(load_for_inference(start), cases, batch_size)
        systems |= evaluate_systems(cases, begun, student_name="model")
    ours = systems["student"]["overall"][floor.metric]
    theirs = systems[floor.start]["overall"][floor.metric]
    return {
        "dataset": floor.dataset,
        "split": floor.split,
        "queries": len(cases),
        "metric": floor.metric,
        "start": floor.start,
        "student_score": ours,
        "start_score": theirs,
        "tolerance": floor.tolerance,
        "kept": ours >= theirs - floor.tolerance,
    }


def floor_line(result: dict[str, Any]) -> str:
    verdict = "keeps" if result["kept"] else "ends below"
    return (
        f"the student {verdict} its start on {result['dataset']} {result['split']} ({result['queries']} queries): "
        f"{result['metric']} {result['student_score']:.3f} vs {result['start_score']:.3f} ({result['start']})"
    )
