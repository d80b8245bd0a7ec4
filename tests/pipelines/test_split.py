from __future__ import annotations

import pytest

from pipelines.split import assign_splits
from schemas import SplitConfig


def test_split_is_by_dialogue_deterministic_and_complete():
    ids = [f"dlg-{i:05d}" for i in range(20)]
    a = assign_splits(ids, SplitConfig(), seed=1)
    assert a == assign_splits(list(reversed(ids)), SplitConfig(), seed=1)
    assert set(a) == set(ids)
    assert sorted(a.values()).count("test") == 3 and sorted(a.values()).count("validation") == 3
    assert a != assign_splits(ids, SplitConfig(), seed=2)


def test_small_runs_still_get_every_split():
    a = assign_splits(["a", "b", "c"], SplitConfig(), seed=0)
    assert sorted(a.values()) == ["test", "train", "validation"]


def test_too_few_dialogues_for_the_fractions():
    with pytest.raises(ValueError, match="too few"):
        assign_splits(["a", "b", "c"], SplitConfig(validation=0.45, test=0.5), seed=0)
