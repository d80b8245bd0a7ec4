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

With `interpolate = "validation"` (and `start = "model"`), `interpolate_to_floor` runs first: the student becomes
the weight-space mix `alpha * student + (1 - alpha) * start` (WiSE-FT, Wortsman et al. 2022) with the largest alpha
in `ALPHAS` that keeps the floor on that split, chosen there and reported on the floor's own split. alpha = 0 is the
start itself, so the floor holds on the choosing split by construction; a model that learned without forgetting
keeps alpha = 1 and is not rewritten. Both models must have the same weights by name and shape (a reranker start:
Qwen3-Reranker, or a cross-encoder checkpoint; LoRA adapters are merged before).

A cross-encoder trained with `embedding_prior = true` (`scoring.rerankers.prior`) mixes in output space instead, with
`start = "embedding"`: alpha is the share of the cross-encoder term in its logit, `alpha * ce + weight * cos + bias`,
so alpha 0 ranks exactly as the start's embeddings do, and the floor holds on the choosing split by construction too.
The logit is linear in alpha, so the student is scored once and every alpha is read from its two terms; only
`memdistill_student.json` is rewritten.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from schemas import RerankCase, ScoredCase
from scoring.metrics import case_metrics, rank
from scoring.rerankers import load_student
from train.config import FloorConfig, TrainConfig
from train.data import case_triples, load_dataset_dir, rows_to_cases

ALPHAS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0)  # the student's share, most first
FLAT = 0.05  # a cross-encoder term whose spread is under this share of the prior's has learned nothing (stalled)


class FloorError(RuntimeError):
    """The student ended below its start on the floor's split; one line with both figures."""


def floor_cases(config: TrainConfig, floor: FloorConfig, split: str) -> list[RerankCase]:
    """The cases of `split` of the floor's dataset that have a positive."""
    source = config.datasets[floor.dataset]
    dataset = load_dataset_dir(source.path, f"datasets.{floor.dataset}")
    if split not in dataset:
        raise ValueError(f"evaluation.floor: {source.path} has no {split!r} split (found {list(dataset)})")
    return [c for c in rows_to_cases(dataset[split], name=f"{source.path} {split}") if c.positives]


def _largest_alpha(score_of: Callable[[float], float], metric: str, tolerance: float) -> tuple[float, list, float]:
    """The largest alpha in ALPHAS whose score keeps the start's (alpha 0) less the tolerance: (alpha, tried, start)."""
    start_score = score_of(0.0)
    tried = []
    for alpha in ALPHAS:
        score = start_score if alpha == 0.0 else score_of(alpha)  # alpha 0 is the start, scored above
        tried.append({"alpha": alpha, metric: score})
        if score >= start_score - tolerance:
            break
    return alpha, tried, start_score


def interpolate_to_floor(
    config: TrainConfig, floor: FloorConfig, student_dir: Path, start: str, batch_size: int = 32
) -> dict[str, Any]:
    """Choose alpha on `floor.interpolate` (see the module doc); rewrite `student_dir` when the mix differs from it."""
    from train.evaluate import evaluate_scores
    from train.score import load_for_inference, score_cases

    assert floor.interpolate is not None
    cases = floor_cases(config, floor, floor.interpolate)
    judge = load_for_inference(student_dir, config.student)

    def evaluated() -> float:
        return evaluate_scores(cases, score_cases(judge, cases, batch_size))["overall"][floor.metric]

    spread = None
    if config.embedding_prior:  # output space: alpha is the cross-encoder's share of the logit
        saved_share = judge.prior.share  # type: ignore[attr-defined]
        alpha, tried, start_score, spread = _scale_share(judge, cases, floor, batch_size)
        if alpha != saved_share:  # the settings the judge was loaded with, but this share and no calibration
            judge.prior.share = alpha  # type: ignore[attr-defined]
            judge.calibration = None  # fitted to the old logit (train.calibration fits it again)
            judge.write_settings(student_dir)
    else:  # weight space
        alpha, tried, start_score = _mix_weights(config, judge, student_dir, start, evaluated, floor)
    result = {
        "split": floor.interpolate,
        "queries": len(cases),
        "metric": floor.metric,
        "space": "output" if config.embedding_prior else "weights",
        "start_score": start_score,
        "alpha": alpha,
        "tried": tried,
    }
    if spread is not None:
        result["cross_encoder_spread"] = spread
    return result


def stalled(result: dict[str, Any]) -> bool:
    """The cross-encoder term is flat beside the prior's: training added nothing a ranking can show (the zeroed
    head and the encoder waited on each other; the probe stage before BCE is the remedy, README)."""
    spread = result.get("cross_encoder_spread")
    return spread is not None and spread < FLAT


def _scale_share(
    judge: Any, cases: list[RerankCase], floor: FloorConfig, batch_size: int
) -> tuple[float, list, float, float]:
    """The largest share of the cross-encoder term that keeps the floor. The logit is linear in the share
    (`share * ce + weight * cos + bias`), so the student is run once, at share 1, and every share is scored from
    its two terms. Also the term's spread: its standard deviation over the split's candidates over the prior's."""

    from train.evaluate import evaluate_scores
    from train.score import per_case

    prior = judge.prior
    prior.share = 1.0  # the whole cross-encoder term, whatever share the student was saved with
    triples = [t for case in cases for t in case_triples(case)]
    full = torch.tensor(judge.raw_scores(triples, batch_size), dtype=torch.float64)
    start = prior.weight * torch.tensor(prior.cosines(triples), dtype=torch.float64) + prior.bias
    cross_encoder = full - start

    def score_of(alpha: float) -> float:
        scores = torch.sigmoid(alpha * cross_encoder + start).tolist()
        return evaluate_scores(cases, per_case(cases, scores))["overall"][floor.metric]

    spread = float(cross_encoder.std() / start.std()) if len(triples) > 1 and float(start.std()) > 0 else 0.0
    return (*_largest_alpha(score_of, floor.metric, floor.tolerance), spread)


def _mix_weights(
    config: TrainConfig, judge: Any, student_dir: Path, start: str, evaluated: Callable[[], float], floor: FloorConfig
) -> tuple[float, list, float]:
    trained = load_student(config.student, student_dir)  # as saved: the weights and dtypes the mix is written in
    begun = load_student(config.student, start).model.state_dict()
    weights = trained.model.state_dict()
    differs = sorted(weights.keys() ^ begun.keys()) + [
        k for k in weights if k in begun and weights[k].shape != begun[k].shape
    ]
    if differs:
        raise ValueError(
            f"evaluation.floor.interpolate: the student and its start {start} differ in weight {differs[0]!r}"
        )

    def mixed(alpha: float) -> dict[str, torch.Tensor]:
        return {k: (alpha * w.float() + (1 - alpha) * begun[k].float()).to(w.dtype) for k, w in weights.items()}

    def score_of(alpha: float) -> float:
        judge.model.load_state_dict(mixed(alpha))  # copied into the inference model's device and dtype
        return evaluated()

    alpha, tried, start_score = _largest_alpha(score_of, floor.metric, floor.tolerance)
    if alpha < 1:
        trained.model.load_state_dict(mixed(alpha))
        trained.calibration = None  # fitted to the old logit (train.calibration fits it again)
        trained.save(student_dir)
    return alpha, tried, start_score


def check_floor(config: TrainConfig, floor: FloorConfig, student_dir: Path, start: str, batch_size: int = 32) -> dict:
    """The student in `student_dir` and its start (`start`: the stage-1 start checkpoint) on the floor's split, with
    the standard error of their paired per-query difference: how much of a gap the split's size can tell apart."""
    from train.baselines import baseline_scores
    from train.score import load_for_inference, score_cases

    cases = floor_cases(config, floor, floor.split)
    student = score_cases(load_for_inference(student_dir), cases, batch_size)
    if floor.start == "embedding":  # the baseline of every evaluation, from the start's own weights when it has them
        model = start if config.student == "cross_encoder" else None
        begun = baseline_scores("embedding", cases, model)
    else:
        begun = score_cases(load_for_inference(start, config.student), cases, batch_size)
    ours, theirs = per_query(cases, student, floor.metric), per_query(cases, begun, floor.metric)
    gaps = ours - theirs
    return {
        "dataset": floor.dataset,
        "split": floor.split,
        "queries": len(cases),
        "metric": floor.metric,
        "start": floor.start,
        "student_score": float(ours.mean()),
        "start_score": float(theirs.mean()),
        "standard_error": float(gaps.std(ddof=1) / math.sqrt(len(gaps))) if len(gaps) > 1 else None,
        "tolerance": floor.tolerance,
        "kept": float(ours.mean()) >= float(theirs.mean()) - floor.tolerance,
    }


def per_query(cases: list[RerankCase], scored: list[ScoredCase], metric: str) -> np.ndarray:
    """`metric` of each case (all have positives), in case order."""
    by_id = {s.case_id: s.scores for s in scored}
    return np.array([case_metrics(rank(by_id[c.case_id], c.positives))[metric] for c in cases], dtype=float)


def floor_line(result: dict[str, Any]) -> str:
    verdict = "keeps" if result["kept"] else "ends below"
    return (
        f"the student {verdict} its start on {result['dataset']} {result['split']} ({result['queries']} queries): "
        f"{result['metric']} {result['student_score']:.4f} vs {result['start_score']:.4f} ({result['start']}; "
        f"standard error of the gap {_se(result)}, tolerance {result['tolerance']})"
    )


def _se(result: dict[str, Any]) -> str:
    se = result.get("standard_error")
    return "n/a" if se is None else f"{se:.4f}"


def interpolation_line(result: dict[str, Any]) -> str:
    what = "weights mixed with its start" if result.get("space") != "output" else "cross-encoder term scaled"
    return (
        f"{what}: alpha {result['alpha']:.1f} of the student, chosen on {result['split']} "
        f"({result['queries']} queries; {result['metric']} "
        + ", ".join(f"{t['alpha']:.1f}: {t[result['metric']]:.3f}" for t in result["tried"])
        + f"; start {result['start_score']:.3f})"
        + (
            f"; WARNING: the cross-encoder term is flat (its spread {result['cross_encoder_spread']:.3f} of the "
            "prior's): training added nothing, the student ranks as its start (add the probe stage, README)"
            if stalled(result)
            else ""
        )
    )
