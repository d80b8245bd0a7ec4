"""`python -m train.evaluate`: ranking and calibration metrics of a student (or saved scores), with baselines.

Cases come from the exported dataset (`--data DIR --split test`), a case file (`--cases`), or a LoCoMo JSON
(`--locomo`, candidates as turns, session summaries or observations, optionally fixed pools of N). Reports MAP,
MRR@10, NDCG@10, Recall@1/5/10 (per case, averaged), and for probability scores ECE, Brier and precision/recall
of keeping the candidates scored >= --threshold (pooled over candidates), and the tier table
(`scoring.metrics.tier_table`: score tier = nearest grade to 4 x score; precision and recall of keeping tier >= k
against graded gold, which is the dataset's `grade` or, for cases with binary positives such as LoCoMo's, 4 for a
positive and 0 otherwise) with the within-case Spearman against it; `length_rho`, the within-case Spearman between
a system's scores and the candidates' lengths in words (a shortcut check: a student that ranks long turns first
whatever the question fails on real histories with long assistant replies); overall and per skill (dataset) or per
LoCoMo category. `--baselines bm25,embedding` scores the same cases with BM25 and the MiniLM bi-encoder. Cases
without positives are skipped and counted. Prints a table to stderr and the JSON report to stdout and --out.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from schemas import RerankCase, ScoredCase
from scoring.metrics import (
    CALIBRATION,
    calibration,
    case_metrics,
    mean_metrics,
    rank,
    spearman_within,
    threshold_filter,
    tier_table,
)
from train.baselines import BASELINES, baseline_scores
from train.data import CaseFileError, check_cases, load_dataset_dir, read_cases, read_scores, rows_to_cases, write_jsonl
from train.locomo import CANDIDATE_KINDS, LocomoError, load_locomo

log = logging.getLogger("train.evaluate")

TABLE_COLUMNS: tuple[str, ...] = (
    "map",
    "mrr@10",
    "ndcg@10",
    "recall@1",
    "recall@5",
    "recall@10",
    "spearman",
    "length_rho",
    "ece",
    "brier",
)


def group_of(case: RerankCase) -> str:
    """The slice a case is reported under: its skill, else its LoCoMo category, else "all"."""
    meta = case.meta
    return str(meta.get("skill") or meta.get("category_name") or meta.get("category") or "all")


def _pooled(pairs: list[tuple[float, bool, int]], calibrated: bool, threshold: float) -> dict[str, Any]:
    """Calibration and filtering figures of (score, relevant, grade) triples (None unless `calibrated`)."""
    if not calibrated:
        return {**dict.fromkeys(CALIBRATION), "tiers": None}
    scores, relevant = [s for s, _, _ in pairs], [r for _, r, _ in pairs]
    tiers = tier_table(scores, [g for _, _, g in pairs])
    return {**calibration(scores, relevant), **threshold_filter(scores, relevant, threshold), "tiers": tiers}


def grades_of(case: RerankCase) -> dict[str, int]:
    """Graded relevance per candidate: the case's `meta["grades"]`, else 4 for a positive and 0 otherwise."""
    given = case.meta.get("grades") or {}
    positives = set(case.positives or [])
    return {c.id: int(given.get(c.id, 4 if c.id in positives else 0)) for c in case.candidates}


def check_finite(scored: Sequence[ScoredCase]) -> None:
    """Refuse NaN or infinite scores (a diverged model's) with one line naming the case, rather than report them."""
    for case in scored:
        bad = [cid for cid, score in case.scores.items() if not math.isfinite(score)]
        if bad:
            raise ValueError(f"case {case.case_id!r}: non-finite score for candidates {bad[:5]}")


def evaluate_scores(
    cases: Sequence[RerankCase], scored: Sequence[ScoredCase], *, calibrated: bool = True, threshold: float = 0.5
) -> dict[str, Any]:
    """Metrics overall and per group; every candidate of every case with positives must have a score.

    `calibrated`: the scores are probabilities (a student's), so ECE, Brier and precision/recall at `threshold`
    are reported; otherwise (BM25, cosine) they are None.
    """
    check_finite(scored)
    by_id = {s.case_id: s.scores for s in scored}
    per_group: dict[str, list[dict[str, float]]] = defaultdict(list)
    pooled: dict[str, list[tuple[float, bool, int]]] = defaultdict(list)
    graded: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    lengths: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    overall: list[dict[str, float]] = []
    skipped: dict[str, int] = defaultdict(int)
    for case in cases:
        group = group_of(case)
        if not case.positives:
            skipped[group] += 1
            continue
        scores = by_id.get(case.case_id)
        if scores is None:
            raise ValueError(f"case {case.case_id!r} has no scores")
        missing = [c.id for c in case.candidates if c.id not in scores]
        if missing:
            raise ValueError(f"case {case.case_id!r}: no score for candidates {missing[:5]}")
        metrics = case_metrics(rank({c.id: scores[c.id] for c in case.candidates}, case.positives))
        overall.append(metrics)
        per_group[group].append(metrics)
        positives = set(case.positives)
        grades = grades_of(case)
        pooled[group] += [(scores[c.id], c.id in positives, grades[c.id]) for c in case.candidates]
        values = np.array([scores[c.id] for c in case.candidates])
        graded[group].append((values, np.array([grades[c.id] for c in case.candidates])))
        lengths[group].append((values, np.array([len(c.text.split()) for c in case.candidates])))
    groups = sorted(set(per_group) | set(skipped))
    everything = [pair for g in groups for pair in pooled[g]]
    return {
        "cases": len(cases),
        "evaluated": len(overall),
        "skipped_no_positives": sum(skipped.values()),
        "threshold": threshold,
        "overall": {
            **mean_metrics(overall),
            "spearman": spearman_within([x for g in groups for x in graded[g]]),
            "length_rho": spearman_within([x for g in groups for x in lengths[g]]),
            **_pooled(everything, calibrated, threshold),
        },
        "by_group": {
            g: {
                **mean_metrics(per_group[g]),
                "spearman": spearman_within(graded[g]),
                "length_rho": spearman_within(lengths[g]),
                **_pooled(pooled[g], calibrated, threshold),
                "skipped_no_positives": skipped[g],
            }
            for g in groups
        },
    }


def _cell(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def format_table(systems: Mapping[str, Mapping[str, Any]], columns: Sequence[str] = TABLE_COLUMNS) -> str:
    """A markdown table, one line per system (overall), then one block per group."""
    lines = ["| system | n | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    for name, report in systems.items():
        row = report["overall"]
        lines.append(f"| {name} | {row['n']} | " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    groups = sorted({g for report in systems.values() for g in report["by_group"]})
    for group in groups:
        lines.append(f"| **{group}** | | " + " | " * (len(columns) - 1) + " |")
        for name, report in systems.items():
            row = report["by_group"].get(group)
            if row is None:
                continue
            lines.append(f"| {name} | {row['n']} | " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def evaluate_systems(
    cases: Sequence[RerankCase],
    student: Sequence[ScoredCase] | None,
    baselines: Sequence[str] = (),
    *,
    threshold: float = 0.5,
    embedding_model: str | None = None,
    student_name: str = "student",
) -> dict[str, dict[str, Any]]:
    """Reports by system name: the student's (when given) and each baseline's, on the same cases."""
    evaluable = [c for c in cases if c.positives]
    systems: dict[str, dict[str, Any]] = {}
    if student is not None:
        systems[student_name] = evaluate_scores(cases, student, calibrated=True, threshold=threshold)
    for name in baselines:
        scored = baseline_scores(name, evaluable, embedding_model)
        systems[name] = evaluate_scores(cases, scored, calibrated=False, threshold=threshold)
    return systems


def load_cases(args: argparse.Namespace) -> tuple[list[RerankCase], dict[str, Any]]:
    """The cases named on the command line, and a description of where they came from."""
    if args.data is not None:
        dataset = load_dataset_dir(args.data, "--data")
        if args.split not in dataset:
            raise ValueError(f"--data {args.data}: no split {args.split!r} (found {list(dataset)})")
        cases = rows_to_cases(dataset[args.split], name=f"{args.data} {args.split}")
        return cases, {"data": str(args.data), "split": args.split, "group_by": "skill"}
    if args.cases is not None:
        return read_cases(args.cases), {"cases": str(args.cases), "group_by": "skill"}
    cases, counts = load_locomo(args.locomo, candidates=args.locomo_candidates, pool=args.pool, seed=args.seed)
    check_cases(cases, lambda i: f"{args.locomo} case {i}" if i >= 0 else str(args.locomo))
    source = {"locomo": str(args.locomo), "group_by": "category", "locomo_candidates": args.locomo_candidates}
    return cases, {**source, "pool": args.pool, "locomo_counts": counts}


def _baselines(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if name not in BASELINES:
            raise argparse.ArgumentTypeError(f"unknown baseline {name!r} (choose from {', '.join(BASELINES)})")
    return names


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train.evaluate", description=__doc__.splitlines()[0])
    who = p.add_mutually_exclusive_group()
    who.add_argument("--model", help="a student directory (kind detected from its config)")
    who.add_argument("--scores", type=Path, help="precomputed scores JSONL (from train.score) instead of a model")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, help="exported DatasetDict directory")
    src.add_argument("--cases", type=Path, help="reranking cases JSONL")
    src.add_argument("--locomo", type=Path, help="LoCoMo-format JSON")
    p.add_argument("--split", default="test", help="split of --data (default: test)")
    p.add_argument("--locomo-candidates", choices=CANDIDATE_KINDS, default="turns")
    p.add_argument("--pool", type=int, default=None, help="LoCoMo: fixed pools of N (positives + BM25-hard negatives)")
    p.add_argument("--seed", type=int, default=13, help="seed of the pools")
    p.add_argument("--baselines", type=_baselines, default=[], help="comma-separated: bm25,embedding")
    p.add_argument("--embedding-model", default=None, help="bi-encoder of the embedding baseline (default: MiniLM)")
    p.add_argument("--threshold", type=float, default=0.5, help="keep candidates scored >= it (precision/recall)")
    p.add_argument("--out", required=True, type=Path, help="where to write the JSON report")
    p.add_argument("--scores-out", type=Path, default=None, help="also write the model's scores here (JSONL)")
    p.add_argument("--batch-size", type=int, default=16)
    args = p.parse_args(argv)
    if args.model is None and args.scores is None and not args.baselines:
        p.error("give --model or --scores, or --baselines")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        cases, source = load_cases(args)
        scored = read_scores(args.scores) if args.scores is not None else None
    except (ValueError, CaseFileError, LocomoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if scored is None and args.model is not None:
        from train.score import load_for_inference, score_cases

        student = load_for_inference(args.model)
        scored = score_cases(student, [c for c in cases if c.positives], args.batch_size, progress=True)
        if args.scores_out is not None:
            write_jsonl(args.scores_out, scored)
    try:
        systems = evaluate_systems(
            cases, scored, args.baselines, threshold=args.threshold, embedding_model=args.embedding_model
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    main_report = systems.get("student") or next(iter(systems.values()))
    report = {
        "model": args.model,
        "scores": str(args.scores) if args.scores else None,
        **source,
        **main_report,
        "baselines": {name: systems[name] for name in args.baselines},
    }
    text = json.dumps(report, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(format_table(systems), file=sys.stderr)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
