"""From the exported dataset and case files to what a reranker reads: (instruction, query side, document) triples.

The rendering here is the one judging uses (`schemas.render_memory`, `schemas.render_query`), so a student
reads exactly what its teachers read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from datasets import DatasetDict, load_from_disk
from pydantic import ValidationError

from schemas import (
    DEFAULT_INSTRUCTION,
    CaseCandidate,
    DatasetRow,
    RerankCase,
    ScoredCase,
    render_memory,
    render_query,
)
from scoring.rerankers.base import Triple


class CaseFileError(ValueError):
    """A case or score file that cannot be read; the message names the file and line."""


def _iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def to_triple(case: RerankCase, candidate: CaseCandidate) -> Triple:
    """The one place a (case, candidate) becomes the strings a reranker reads."""
    instruction = case.instruction or DEFAULT_INSTRUCTION
    query_side = render_query(case.query, case.context, case.query_time)
    return instruction, query_side, render_memory(candidate.as_memory())


def case_triples(case: RerankCase) -> list[Triple]:
    """One triple per candidate, in candidate order."""
    return [to_triple(case, c) for c in case.candidates]


def row_to_case(row: DatasetRow) -> RerankCase:
    """A dataset row as a reranking case: positives are the gold candidates, meta carries the skill (and the graded
    relevance of each candidate, `grades`, when the row has it)."""
    return RerankCase(
        case_id=row.query_id,
        query=row.query,
        instruction=row.instruction or None,
        context=row.context,
        query_time=_iso(row.query_time),
        candidates=[
            CaseCandidate(id=c.memory_id, text=c.text, speaker=c.speaker, date_time=_iso(c.timestamp))
            for c in row.candidates
        ],
        positives=[c.memory_id for c in row.candidates if c.gold == 1],
        meta={"skill": row.skill, "dialogue_id": row.dialogue_id} | _grades(row),
    )


def _grades(row: DatasetRow) -> dict[str, dict[str, int]]:
    """`{"grades": {memory_id: grade}}` when every candidate of the row carries its graded relevance, else {}."""
    if any(c.grade is None for c in row.candidates):
        return {}
    return {"grades": {c.memory_id: int(c.grade) for c in row.candidates if c.grade is not None}}


def load_dataset_dir(path: str | Path, what: str) -> DatasetDict:
    """`load_from_disk(path)`; a `ValueError` naming `what` and the folder when it is missing or damaged (a truncated
    arrow file, a missing state.json), never a library traceback."""
    if not Path(path).is_dir():
        raise ValueError(f"{what} {path}: not a directory")
    try:
        dataset = load_from_disk(str(path))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ValueError(f"{what} {path}: not a readable dataset ({str(exc).splitlines()[0]})") from None
    if not isinstance(dataset, DatasetDict):
        raise ValueError(f"{what} {path}: a single Dataset, not a DatasetDict with splits")
    return dataset


def read_rows(split: Iterable[Mapping[str, Any]], name: str = "split") -> list[DatasetRow]:
    """Validate the rows of a dataset split (a `datasets.Dataset` or any iterable of dicts)."""
    rows = []
    for i, raw in enumerate(split):
        try:
            rows.append(DatasetRow.model_validate(dict(raw)))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{name} row {i}: {where}: {first['msg']}") from None
    return rows


def rows_to_cases(split: Iterable[Mapping[str, Any]], name: str = "split") -> list[RerankCase]:
    """One reranking case per dataset row; `CaseFileError` when the split is empty or a query id repeats."""
    cases = [row_to_case(r) for r in read_rows(split, name)]
    check_cases(cases, lambda i: f"{name} row {i}" if i >= 0 else name)
    return cases


def training_examples(split: Iterable[Mapping[str, Any]], name: str = "train") -> list[dict[str, Any]]:
    """Flatten a split into one example per (query, candidate): instruction, query, document, soft label."""
    examples = []
    for row in read_rows(split, name):
        triples = case_triples(row_to_case(row))
        for (instruction, query, document), cand in zip(triples, row.candidates, strict=True):
            examples.append({"instruction": instruction, "query": query, "document": document, "label": cand.label})
    return examples


def check_cases(records: Sequence[RerankCase | ScoredCase], where: Callable[[int], str]) -> None:
    """The one validation of what evaluation reads: at least one record, case ids unique, every score finite.

    `where(i)` names record i's place (a file and line, a split and row); `CaseFileError` names the first problem.
    """
    if not records:
        raise CaseFileError(f"{where(-1)}: no cases")
    seen: dict[str, int] = {}
    for i, record in enumerate(records):
        if record.case_id in seen:
            raise CaseFileError(f"{where(i)}: case {record.case_id!r} repeats (first at {where(seen[record.case_id])})")
        seen[record.case_id] = i
        if isinstance(record, ScoredCase):
            bad = sorted(cid for cid, score in record.scores.items() if not math.isfinite(score))
            if bad:
                raise CaseFileError(f"{where(i)}: case {record.case_id!r}: non-finite score for candidates {bad[:5]}")


def _read_jsonl(path: Path, record: type[RerankCase] | type[ScoredCase]) -> list[Any]:
    if not path.is_file():
        raise CaseFileError(f"{path}: file not found")
    out = []
    lines: list[int] = []
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CaseFileError(f"{path}:{lineno}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
            if not line.strip():
                continue
            try:
                out.append(record.model_validate_json(line))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "(line)"
                raise CaseFileError(f"{path}:{lineno}: {where}: {first['msg']}") from None
            lines.append(lineno)
    check_cases(out, lambda i: f"{path}:{lines[i]}" if i >= 0 else str(path))
    return out


def read_cases(path: str | Path) -> list[RerankCase]:
    """Read reranking cases, one JSON object a line; a bad line, a repeated case id or an empty file raises one
    error naming the file and line."""
    return _read_jsonl(Path(path), RerankCase)


def read_scores(path: str | Path) -> list[ScoredCase]:
    """Read scores (from `train.score`); a repeated case id, a non-finite score or an empty file is an error."""
    return _read_jsonl(Path(path), ScoredCase)


def write_jsonl(path: str | Path, records: Sequence[CaseCandidate | RerankCase | ScoredCase]) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(r.model_dump_json(exclude_none=False) + "\n")
