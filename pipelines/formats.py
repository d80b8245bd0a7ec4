"""The dataset's rows in the forms other trainers read, rendered exactly as the teachers saw them.

- FlagEmbedding reranker JSONL, one query a line: `query`, `pos`, `neg`, `pos_scores`, `neg_scores`, `prompt`
  (+ `query_prompt`, the key FlagEmbedding's reranker dataset reads the per-query instruction from). `pos` are the
  scenario's gold candidates, `neg` the others, the scores their soft labels (for `--knowledge_distillation`).
  FlagEmbedding samples one positive and needs a negative per group, so a query without a gold candidate
  (the `unanswerable` skill) or without a non-gold one is left out and counted.
- sentence-transformers CrossEncoder pairs: columns `query`, `passage`, `score` (the soft label in [0, 1]), one row
  per (query, candidate): what `CrossEncoderTrainer` reads with `BinaryCrossEntropyLoss` or `MSELoss` (text pair
  columns first, then the label column). Unanswerable queries are kept: all their candidates are negatives.
- rows: the dataset rows themselves as JSON lines.

The query side is `render_query` (context turns, query time, question) and a passage is `render_memory`
(date, speaker, text), as in judging, training and scoring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from datasets import Dataset, Features, List, Value

from schemas import DatasetRow, Memory, RowCandidate, render_memory, render_query

FLAGEMBEDDING_FEATURES = Features(
    {
        "query": Value("string"),
        "pos": List(Value("string")),
        "neg": List(Value("string")),
        "pos_scores": List(Value("float64")),
        "neg_scores": List(Value("float64")),
        "prompt": Value("string"),
        "query_prompt": Value("string"),
    }
)
CROSS_ENCODER_FEATURES = Features({"query": Value("string"), "passage": Value("string"), "score": Value("float32")})


def query_text(row: DatasetRow) -> str:
    return render_query(row.query, row.context, datetime.fromisoformat(row.query_time))


def passage_text(candidate: RowCandidate) -> str:
    when = datetime.fromisoformat(candidate.timestamp) if candidate.timestamp else None
    memory = Memory(memory_id=candidate.memory_id, speaker=candidate.speaker, timestamp=when, text=candidate.text)
    return render_memory(memory)


def _score(label: float) -> float:
    return round(float(label), 6)  # the dataset keeps float32: drop its noise digits


def flagembedding_records(rows: Iterable[DatasetRow]) -> tuple[list[dict[str, Any]], Counter[str]]:
    """One record per query with a gold and a non-gold candidate, and the count of those left out, by reason."""
    records: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    for row in rows:
        pos = [c for c in row.candidates if c.gold]
        neg = [c for c in row.candidates if not c.gold]
        if not pos or not neg:
            skipped["no_positive" if not pos else "no_negative"] += 1
            continue
        records.append(
            {
                "query": query_text(row),
                "pos": [passage_text(c) for c in pos],
                "neg": [passage_text(c) for c in neg],
                "pos_scores": [_score(c.label) for c in pos],
                "neg_scores": [_score(c.label) for c in neg],
                "prompt": row.instruction,
                "query_prompt": row.instruction,
            }
        )
    return records, skipped


def cross_encoder_pairs(rows: Iterable[DatasetRow]) -> Dataset:
    """(query, passage, score) rows, in dataset order, with the features `CROSS_ENCODER_FEATURES`."""
    pairs: dict[str, list[Any]] = {"query": [], "passage": [], "score": []}
    for row in rows:
        query = query_text(row)
        for c in row.candidates:
            pairs["query"].append(query)
            pairs["passage"].append(passage_text(c))
            pairs["score"].append(float(c.label))
    return Dataset.from_dict(pairs, features=CROSS_ENCODER_FEATURES)
