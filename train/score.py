"""`python -m train.score --model DIR --cases FILE --out FILE`: score every candidate of every reranking case.

Writes one `{"case_id", "scores": {candidate id: score in [0, 1]}}` per line, in case order.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from schemas import RerankCase, ScoredCase
from scoring.rerankers import KINDS, Student, default_device, load_student
from train.data import CaseFileError, case_triples, read_cases, write_jsonl

log = logging.getLogger("train.score")


def score_cases(
    student: Student, cases: Sequence[RerankCase], batch_size: int = 16, progress: bool = False
) -> list[ScoredCase]:
    """Score all candidates of all cases in shared batches; one ScoredCase per case, in order."""
    triples = [t for case in cases for t in case_triples(case)]
    return per_case(cases, student.score(triples, batch_size=batch_size, progress=progress))


def per_case(cases: Sequence[RerankCase], flat: Sequence[float]) -> list[ScoredCase]:
    """`flat` (one score per candidate, cases in order, as `case_triples` lists them) cut back into ScoredCases."""
    out: list[ScoredCase] = []
    start = 0
    for case in cases:
        ids = [c.id for c in case.candidates]
        out.append(ScoredCase(case_id=case.case_id, scores=dict(zip(ids, flat[start : start + len(ids)], strict=True))))
        start += len(ids)
    if start != len(flat):
        raise ValueError(f"{len(flat)} scores for {start} candidates")
    return out


def load_for_inference(model: str | Path, kind: str | None = None) -> Student:
    """A student on the best device, in bf16 on a GPU that supports it, float32 otherwise."""
    device = default_device()
    dtype = torch.bfloat16 if device.type == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
    return load_student(kind, model, dtype=dtype, device=device)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train.score", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="a student directory (kind detected from its config)")
    p.add_argument("--cases", required=True, type=Path, help="reranking cases, JSONL")
    p.add_argument("--out", required=True, type=Path, help="scores, JSONL")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--kind", choices=KINDS, default=None, help="student kind (default: detect)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        cases = read_cases(args.cases)
    except CaseFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    student = load_for_inference(args.model, args.kind)
    scored = score_cases(student, cases, batch_size=args.batch_size, progress=True)
    write_jsonl(args.out, scored)
    log.info("scored %d cases (%d candidates) -> %s", len(scored), sum(len(s.scores) for s in scored), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
