"""`python -m train.evaluate`: ranking metrics of a student (or of saved scores) on reranking cases.

Cases come from the exported dataset (`--data DIR --split test`), a case file (`--cases`), or a LoCoMo JSON
(`--locomo`). Reports MAP, MRR@10, NDCG@10, Recall@5, Recall@10 overall and per skill (dataset) or per LoCoMo
category; cases without positives are skipped and counted. Prints the JSON report and writes it to --out.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datasets import load_from_disk

from schemas import RerankCase, ScoredCase
from train.data import CaseFileError, read_cases, read_scores, rows_to_cases, write_jsonl
from train.locomo import LocomoError, load_locomo
from train.metrics import case_metrics, mean_metrics, rank
from train.score import load_for_inference, score_cases

log = logging.getLogger("train.evaluate")


def group_of(case: RerankCase) -> str:
    """The slice a case is reported under: its skill, else its LoCoMo category, else "all"."""
    meta = case.meta
    return str(meta.get("skill") or meta.get("category_name") or meta.get("category") or "all")


def evaluate_scores(cases: Sequence[RerankCase], scored: Sequence[ScoredCase]) -> dict[str, Any]:
    """Metrics overall and per group; every candidate of every case with positives must have a score."""
    by_id = {s.case_id: s.scores for s in scored}
    per_group: dict[str, list[dict[str, float]]] = defaultdict(list)
    overall: list[dict[str, float]] = []
    skipped: dict[str, int] = defaultdict(int)
    for case in cases:
        if not case.positives:
            skipped[group_of(case)] += 1
            continue
        scores = by_id.get(case.case_id)
        if scores is None:
            raise ValueError(f"case {case.case_id!r} has no scores")
        missing = [c.id for c in case.candidates if c.id not in scores]
        if missing:
            raise ValueError(f"case {case.case_id!r}: no score for candidates {missing[:5]}")
        metrics = case_metrics(rank({c.id: scores[c.id] for c in case.candidates}, case.positives))
        overall.append(metrics)
        per_group[group_of(case)].append(metrics)
    groups = sorted(set(per_group) | set(skipped))
    return {
        "cases": len(cases),
        "evaluated": len(overall),
        "skipped_no_positives": sum(skipped.values()),
        "overall": mean_metrics(overall),
        "by_group": {g: {**mean_metrics(per_group[g]), "skipped_no_positives": skipped[g]} for g in groups},
    }


def load_cases(args: argparse.Namespace) -> tuple[list[RerankCase], dict[str, Any]]:
    """The cases named on the command line, and a description of where they came from."""
    if args.data is not None:
        if not args.data.is_dir():
            raise ValueError(f"--data {args.data}: not a directory")
        dataset = load_from_disk(str(args.data))
        if args.split not in dataset:
            raise ValueError(f"--data {args.data}: no split {args.split!r} (found {list(dataset)})")
        cases = rows_to_cases(dataset[args.split], name=f"{args.data} {args.split}")
        return cases, {"data": str(args.data), "split": args.split, "group_by": "skill"}
    if args.cases is not None:
        return read_cases(args.cases), {"cases": str(args.cases), "group_by": "skill"}
    cases, counts = load_locomo(args.locomo)
    return cases, {"locomo": str(args.locomo), "group_by": "category", "locomo_counts": counts}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train.evaluate", description=__doc__.splitlines()[0])
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--model", help="a student directory (kind detected from its config)")
    who.add_argument("--scores", type=Path, help="precomputed scores JSONL (from train.score) instead of a model")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, help="exported DatasetDict directory")
    src.add_argument("--cases", type=Path, help="reranking cases JSONL")
    src.add_argument("--locomo", type=Path, help="LoCoMo-format JSON")
    p.add_argument("--split", default="test", help="split of --data (default: test)")
    p.add_argument("--out", required=True, type=Path, help="where to write the JSON report")
    p.add_argument("--scores-out", type=Path, default=None, help="also write the model's scores here (JSONL)")
    p.add_argument("--batch-size", type=int, default=16)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        cases, source = load_cases(args)
        scored = read_scores(args.scores) if args.scores is not None else None
    except (ValueError, CaseFileError, LocomoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if scored is None:
        student = load_for_inference(args.model)
        scored = score_cases(student, [c for c in cases if c.positives], args.batch_size, progress=True)
        if args.scores_out is not None:
            write_jsonl(args.scores_out, scored)
    try:
        report = evaluate_scores(cases, scored)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = {"model": args.model, "scores": str(args.scores) if args.scores else None, **source, **report}
    text = json.dumps(report, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
