"""Write the labelled rows as a `datasets` DatasetDict with explicit features and a dataset card."""

from __future__ import annotations

import shutil
from pathlib import Path

from datasets import Dataset, DatasetDict, Features, List, Value

from pipelines.shards import write_atomic
from pipelines.split import SPLITS
from schemas import DatasetRow

FEATURES = Features(
    {
        "query_id": Value("string"),
        "dialogue_id": Value("string"),
        "skill": Value("string"),
        "instruction": Value("string"),
        "query": Value("string"),
        "context": List({"speaker": Value("string"), "text": Value("string")}),
        "query_time": Value("string"),
        "answer": Value("string"),
        "candidates": List(
            {
                "memory_id": Value("string"),
                "text": Value("string"),
                "speaker": Value("string"),
                "timestamp": Value("string"),
                "gold": Value("int8"),
                "label": Value("float32"),
                "tier": Value("int8"),
                "origin": Value("string"),
            }
        ),
    }
)


def to_dataset_dict(splits: dict[str, list[DatasetRow]]) -> DatasetDict:
    """The non-empty splits (`datasets` cannot load back an empty split it saved; a build of fewer than three
    dialogues has some)."""
    return DatasetDict(
        {
            name: Dataset.from_list([r.model_dump(mode="json") for r in splits[name]], features=FEATURES)
            for name in SPLITS
            if splits.get(name)
        }
    )


def save_dataset(dataset: DatasetDict, card: str, folder: Path) -> None:
    """Save to a sibling temporary folder, then swap it in, so `folder` is always a whole dataset or absent."""
    tmp = folder.with_name(folder.name + ".tmp")
    old = folder.with_name(folder.name + ".old")
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    dataset.save_to_disk(str(tmp))
    write_atomic(tmp / "README.md", card.encode())
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    if old.exists():
        shutil.rmtree(old)
