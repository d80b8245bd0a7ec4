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
- LoCoMo JSON (`locomo_samples`): one sample per dialogue, its whole conversation (every turn, from the generate
  stage: the rows carry only each query's candidates) and one `qa` item per row, in the public LoCoMo schema, so a
  build is evaluated by the code that evaluates real LoCoMo files (`train.locomo.load_locomo`, every turn a
  candidate). `evidence` is the row's gold turns; `category` is LoCoMo's number for the skill
  (`LOCOMO_CATEGORIES`); `query_id`, `skill`, `context`, `query_time` and `instruction` are extension fields that
  LoCoMo's own tools ignore and `load_locomo` reads.

In the FlagEmbedding and CrossEncoder forms the query side is `render_query` (context turns, query time, question) and
a passage is `render_memory` (date, speaker, text), as in judging, training and scoring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from datasets import Dataset, Features, List, Value

from schemas import DatasetRow, Dialogue, Memory, RowCandidate, render_memory, render_query

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
LOCOMO_CATEGORIES: dict[str, int] = {
    "multi_hop": 1,
    "temporal": 2,
    "causal": 3,
    "coreference": 4,
    "knowledge_update": 4,
    "unanswerable": 5,
    "single_hop": 4,
    "feeling": 3,
    "aggregation": 1,
    "speaker_swap": 5,
}
"""Skill -> LoCoMo category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial): the nearest one."""
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


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


def locomo_date(when: datetime) -> str:
    """LoCoMo's session date, `datetime(2023, 3, 3, 19, 5)` -> "7:05 pm on 3 March, 2023" (to the minute, English
    month names whatever the locale)."""
    hour = when.hour % 12 or 12
    half = "am" if when.hour < 12 else "pm"
    return f"{hour}:{when.minute:02d} {half} on {when.day} {_MONTHS[when.month - 1]}, {when.year}"


def locomo_turn_ids(dialogue: Dialogue) -> dict[str, str]:
    """Turn id -> LoCoMo's "D<session>:<turn>", numbering sessions and turns from 1 in order: the identity for the
    ids our generators write, and a valid LoCoMo id for any other."""
    return {t.turn_id: f"D{i}:{k}" for i, s in enumerate(dialogue.sessions, 1) for k, t in enumerate(s.turns, 1)}


def _locomo_conversation(dialogue: Dialogue) -> dict[str, Any]:
    conversation: dict[str, Any] = {"speaker_a": dialogue.speakers[0], "speaker_b": dialogue.speakers[1]}
    ids = locomo_turn_ids(dialogue)
    for i, session in enumerate(dialogue.sessions, 1):
        conversation[f"session_{i}_date_time"] = locomo_date(session.date_time)
        conversation[f"session_{i}"] = [
            {"speaker": t.speaker, "dia_id": ids[t.turn_id], "text": t.text} for t in session.turns
        ]
    return conversation


def _locomo_qa(row: DatasetRow, ids: dict[str, str]) -> dict[str, Any]:
    gold = {c.memory_id for c in row.candidates if c.gold}
    missing = sorted(gold - ids.keys())
    if missing:
        raise ValueError(
            f"query {row.query_id!r}: gold memories {missing} are not turns of dialogue {row.dialogue_id!r}"
        )
    return {
        "question": row.query,
        "answer": row.answer,
        "evidence": [ids[t] for t in ids if t in gold],  # in the conversation's order
        "category": LOCOMO_CATEGORIES[row.skill],
        "query_id": row.query_id,
        "skill": row.skill,
        "context": [turn.model_dump(mode="json") for turn in row.context],
        "query_time": row.query_time,
        "instruction": row.instruction,
    }


def locomo_samples(rows: Iterable[DatasetRow], dialogues: Iterable[Dialogue]) -> list[dict[str, Any]]:
    """One LoCoMo sample per dialogue the rows ask about (in the order the rows first name them): `sample_id` (the
    dialogue id), `conversation` (every turn) and `qa` (its rows, in their order). `ValueError` when a row names a
    dialogue that is not given, or a gold memory that is not one of its turns."""
    by_id = {d.dialogue_id: d for d in dialogues}
    grouped: dict[str, list[DatasetRow]] = {}
    for row in rows:
        if row.dialogue_id not in by_id:
            raise ValueError(f"query {row.query_id!r}: dialogue {row.dialogue_id!r} is not among the generated ones")
        grouped.setdefault(row.dialogue_id, []).append(row)
    samples = []
    for dialogue_id, part in grouped.items():
        dialogue = by_id[dialogue_id]
        ids = locomo_turn_ids(dialogue)
        qa = [_locomo_qa(row, ids) for row in part]
        samples.append({"sample_id": dialogue_id, "conversation": _locomo_conversation(dialogue), "qa": qa})
    return samples
