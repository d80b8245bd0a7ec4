from __future__ import annotations

import pytest

from pipelines.shards import ShardError, read_shard, write_shard
from schemas import Memory


def test_round_trip_and_no_temp_left(tmp_path):
    recs = [Memory(memory_id=f"m{i}", text=f"text {i}") for i in range(3)]
    path = tmp_path / "s" / "shard-00000.jsonl"
    write_shard(path, recs)
    assert read_shard(path, Memory) == recs
    assert [p.name for p in path.parent.iterdir()] == ["shard-00000.jsonl"]


def test_corrupt_shard_names_file_and_line(tmp_path):
    path = tmp_path / "shard-00000.jsonl"
    path.write_text('{"memory_id": "a", "text": "ok"}\n{"memory_id": "b"\n')
    with pytest.raises(ShardError, match=r"shard-00000.jsonl:2"):
        read_shard(path, Memory)
