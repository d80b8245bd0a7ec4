from __future__ import annotations

from datasets import load_from_disk

from pipelines.export import FEATURES, save_dataset, to_dataset_dict
from schemas import DatasetRow, RowCandidate


def _row(i: int) -> DatasetRow:
    cand = RowCandidate(memory_id="D1:1", text="t", speaker=None, timestamp=None, gold=1, label=0.9, tier=4,
                        origin="evidence")  # fmt: skip
    return DatasetRow(query_id=f"q{i}", dialogue_id="d", skill="causal", instruction="i", query="why?", context=[],
                      query_time="2023-01-01T00:00:00", answer="a", candidates=[cand])  # fmt: skip


def test_empty_splits_are_left_out_and_the_folder_swaps_whole(tmp_path):
    folder = tmp_path / "dataset"
    save_dataset(to_dataset_dict({"train": [_row(1), _row(2)]}), "card v1", folder)
    save_dataset(to_dataset_dict({"train": [_row(3)]}), "card v2", folder)
    ds = load_from_disk(str(folder))
    assert len(ds["train"]) == 1 and ds["train"][0]["query_id"] == "q3"
    assert list(ds) == ["train"] and ds["train"].features == FEATURES
    assert (folder / "README.md").read_text() == "card v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]
