"""A tiny exported dataset: rows built from schemas.DatasetRow, saved as a DatasetDict."""

from __future__ import annotations

from pathlib import Path

from datasets import Dataset, DatasetDict

from schemas import ContextTurn, DatasetRow, RowCandidate

_SKILLS = ("temporal", "causal", "coreference")


def _row(i: int) -> DatasetRow:
    """Query i: candidate "g" says Porto (gold, label 0.9); "n1"/"n2" say Lyon/Paris (labels 0.1/0.2)."""
    day = f"2023-0{1 + i % 9}-1{i % 10}T10:00:00"
    return DatasetRow(
        query_id=f"q{i}",
        dialogue_id=f"d{i // 2}",
        skill=_SKILLS[i % 3],
        instruction="Given a question about a past conversation, judge whether the memory helps answer it",
        query=f"Where did Anna live in June? ({i})",
        context=[ContextTurn(speaker="Ben", text="Who is she?")] if i % 2 else [],
        query_time="2023-06-14T10:00:00",
        answer="Porto",
        candidates=[
            RowCandidate(
                memory_id="n1",
                text="Anna lived in Lyon for years.",
                speaker="Ben",
                timestamp=day,
                gold=0,
                label=0.1,
                tier=0,
                origin="retrieved:bm25",
            ),
            RowCandidate(
                memory_id="g",
                text="I moved to Porto in May.",
                speaker="Anna",
                timestamp=day,
                gold=1,
                label=0.9,
                tier=4,
                origin="evidence",
            ),
            RowCandidate(
                memory_id="n2",
                text="Anna lived in Paris once.",
                speaker=None,
                timestamp=None,
                gold=0,
                label=0.2,
                tier=1,
                origin="constructed:superseded",
            ),
        ],
    )


def toy_rows(n: int, start: int = 0) -> list[DatasetRow]:
    return [_row(i) for i in range(start, start + n)]


def build_toy_dataset(out: Path) -> Path:
    """train: 8 queries, validation: 2, test: 3; saved with save_to_disk at `out`."""
    splits = {"train": toy_rows(8), "validation": toy_rows(2, 8), "test": toy_rows(3, 10)}
    DatasetDict(
        {name: Dataset.from_list([r.model_dump(mode="json") for r in rows]) for name, rows in splits.items()}
    ).save_to_disk(str(out))
    return out
