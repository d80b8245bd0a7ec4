from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.engine import LocalEngine
from pipelines.shards import ShardError, read_shard, remove_stale_temps, write_shard
from pipelines.stages import run_stage
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


def test_binary_garbage_is_a_shard_error(tmp_path):
    path = tmp_path / "shard-00000.jsonl"
    path.write_bytes(b'{"memory_id": "a", "text": "ok"}\n\xff\xfe')
    with pytest.raises(ShardError, match=r"shard-00000.jsonl: not UTF-8"):
        read_shard(path, Memory)


def test_stale_temps_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".shard-00001.jsonl.tmp-{int(dead.stdout)}"
    mine = tmp_path / f".shard-00002.jsonl.tmp-{os.getpid()}"  # a live writer's: left alone
    for p in (stale, mine):
        p.write_text("{")
    write_shard(tmp_path / "shard-00000.jsonl", [])
    assert remove_stale_temps(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name, "shard-00000.jsonl"]


LOCAL = LocalEngine(clients={})


def test_stage_shows_the_postfix_and_recomputes_a_corrupt_shard(tmp_path, capsys, caplog):
    calls = []

    def compute(clients, failed, i):
        calls.append(i)
        return [Memory(memory_id=f"m{i}", text="t")]

    def args(i):
        return (i,)

    run_stage(tmp_path, "s", "k", Memory, [1, 1], compute, args, engine=LOCAL, unit="x", postfix=lambda: "$0.0125")
    assert "$0.0125" in capsys.readouterr().err
    (tmp_path / "s" / "k" / "shard-00001.jsonl").write_text("{broken")
    with caplog.at_level("WARNING", logger="pipelines.stages"):
        shards, stats = run_stage(tmp_path, "s", "k", Memory, [1, 1], compute, args, engine=LOCAL, unit="x", quiet=True)
    assert calls == [0, 1, 1] and stats.computed == 1 and stats.reused == 1
    assert shards == [[Memory(memory_id="m0", text="t")], [Memory(memory_id="m1", text="t")]]
    assert "shard-00001.jsonl:1: not a valid Memory" in caplog.text and "recomputing" in caplog.text
    assert capsys.readouterr().err == ""  # quiet: no bar
