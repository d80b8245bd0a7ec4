from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.engine import LocalEngine
from pipelines.shards import ShardError, read_shard, remove_stale_temps, write_shard
from pipelines.stages import TooManyFailures, run_stage
from schemas import Failure, Memory


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
    assert "shard-00001.jsonl: 1 records, sha256" in caplog.text and "where the stage index says" in caplog.text
    assert "recomputing" in caplog.text and stats.repaired == 1
    assert capsys.readouterr().err == ""  # quiet: no bar


def memories(clients, failed, i):
    return [Memory(memory_id=f"m{i}-{k}", text="t") for k in range(3)]


def stage(tmp_path, task=memories, **kwargs):
    return run_stage(tmp_path, "s", "k", Memory, [1, 1], task, lambda i: (i,), engine=LOCAL, unit="x", quiet=True,
                     **kwargs)  # fmt: skip


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",  # emptied
        lambda data: data[: data.rindex(b"\n", 0, -1) + 1],  # lost its last line, still ends in a newline
        lambda data: data + data.splitlines(keepends=True)[0],  # a record twice
        lambda data: data.replace(b"m1-1", b"m1-9"),  # edited in place, same length
    ],
    ids=["emptied", "last-line-cut", "duplicated-line", "edited"],
)
@pytest.mark.parametrize("keep", [True, False], ids=["kept", "streamed"])
def test_a_damaged_shard_that_still_parses_is_recomputed_never_reused(tmp_path, caplog, damage, keep):
    """Streamed (`keep=False`), a reused shard is verified by its hash, not parsed: the same damage is caught."""
    first, _ = stage(tmp_path)
    path = tmp_path / "s" / "k" / "shard-00001.jsonl"
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level("WARNING", logger="pipelines.stages"):
        again, stats = stage(tmp_path, keep=keep)
    assert [again[i] for i in range(2)] == first and (stats.reused, stats.computed, stats.repaired) == (1, 1, 1)
    assert caplog.text.count("WARNING") == 1 and f"{path}: " in caplog.text and "recomputing the shard" in caplog.text
    assert stage(tmp_path)[1].computed == 0  # the recomputed shard is listed again


def test_a_streamed_shard_edited_with_its_index_line_is_one_line_naming_it_when_read(tmp_path):
    """Reuse trusts a hash that matches (it is not parsed again); a shard edited together with its index entry is
    refused, naming the file, when a later stage reads it."""
    import json

    from pipelines.shards import digest

    stage(tmp_path)
    folder = tmp_path / "s" / "k"
    path = folder / "shard-00001.jsonl"
    path.write_bytes(b'{"memory_id": "m1"}\n')  # not a valid Memory (no text)
    index = [json.loads(line) for line in (folder / "index.jsonl").read_text().splitlines()]
    for entry in index:
        if entry["shard"] == path.name:
            entry.update(records=1, sha256=digest(path.read_bytes()))
    (folder / "index.jsonl").write_text("".join(json.dumps(e) + "\n" for e in index))
    shards, stats = stage(tmp_path, keep=False)
    assert (stats.reused, stats.computed, stats.repaired) == (2, 0, 0)
    with pytest.raises(ShardError, match=r"shard-00001.jsonl:1: not a valid Memory: .*; remove the shard and run"):
        shards[1]


def test_a_shard_the_index_does_not_list_is_recomputed(tmp_path, caplog):
    stage(tmp_path)
    (tmp_path / "s" / "k" / "index.jsonl").unlink()  # an older build's folder
    with caplog.at_level("WARNING", logger="pipelines.stages"):
        _, stats = stage(tmp_path)
    assert stats.computed == 2 and caplog.text.count("WARNING") == 1 and "no stage index" in caplog.text
    index = tmp_path / "s" / "k" / "index.jsonl"
    index.write_bytes(index.read_bytes()[:-5])  # a kill mid-append: the torn line lists nothing
    _, stats = stage(tmp_path)
    assert (stats.reused, stats.computed) == (1, 1)


def test_duplicate_records_are_an_error_in_the_reader(tmp_path):
    path = tmp_path / "shard-00000.jsonl"
    write_shard(path, [Memory(memory_id="a", text="x"), Memory(memory_id="a", text="y")])
    with pytest.raises(ShardError, match=r"shard-00000.jsonl:2: duplicate Memory 'a' \(first at .*:1\)"):
        read_shard(path, Memory)


def test_items_kept_aside_are_retried_next_run_and_too_many_stop_the_stage(tmp_path):
    flaky = {"fail": True}

    def task(clients, failed, i):
        if flaky["fail"] and i == 1:
            failed.append(Failure(stage="s", item=f"m{i}-2", error="HTTP 500 after 4 retries"))
            return memories(clients, failed, i)[:2]
        return memories(clients, failed, i)

    shards, stats = stage(tmp_path, task)  # 1 of 6 items failed: within the default share (no bound)
    assert len(stats.failures) == 1 and [len(s) for s in shards] == [3, 2]
    assert (tmp_path / "s" / "k" / "failures-00001.jsonl").exists()
    with pytest.raises(TooManyFailures, match=r"s: 1 of 6 items failed \(17% > max_failed_share 0.1\), e.g. m1-2: "
                                              r"HTTP 500 after 4 retries; what is done is kept"):  # fmt: skip
        stage(tmp_path, task, max_failed_share=0.1)
    flaky["fail"] = False
    shards, stats = stage(tmp_path, task, max_failed_share=0.1)
    assert (stats.reused, stats.retried, stats.computed, stats.failures) == (1, 1, 1, [])
    assert [len(s) for s in shards] == [3, 3] and not (tmp_path / "s" / "k" / "failures-00001.jsonl").exists()


def test_a_streamed_stage_reads_its_shards_back_from_disk_when_asked(tmp_path):
    kept, _ = stage(tmp_path)
    streamed, stats = stage(tmp_path, keep=False)
    assert stats.reused == 2 and len(streamed) == 2 and list(streamed) == kept
    (tmp_path / "s" / "k" / "shard-00000.jsonl").unlink()  # read at access, not held in memory
    with pytest.raises(FileNotFoundError):
        streamed[0]


def test_a_streamed_stage_lets_go_of_a_shard_before_it_computes_the_next(tmp_path):
    import gc
    import weakref

    alive = []

    def task(clients, failed, i):
        gc.collect()
        alive.append([ref() is not None for ref in refs])  # what earlier shards still hold while this one runs
        made = memories(clients, failed, i)
        refs.extend(weakref.ref(m) for m in made)
        return made

    refs: list[weakref.ref] = []
    run_stage(tmp_path, "s", "k", Memory, [1, 1, 1], task, lambda i: (i,), engine=LOCAL, unit="x", quiet=True,
              keep=False)  # fmt: skip
    assert alive == [[], [False] * 3, [False] * 6]


def test_a_streamed_stage_reads_one_shard_at_a_time(tmp_path, monkeypatch):
    import gc
    import weakref

    from pipelines import stages

    stage(tmp_path)
    streamed, _ = stage(tmp_path, keep=False)
    first = weakref.ref(streamed[0][0])
    freed_before_reading = []
    read = stages.parse_shard

    def parse(*args):
        gc.collect()
        freed_before_reading.append(first() is None)
        return read(*args)

    monkeypatch.setattr(stages, "parse_shard", parse)
    assert [m.memory_id for m in streamed[1]] == ["m1-0", "m1-1", "m1-2"]
    assert freed_before_reading == [True]


class _Shard(list):
    """A list that can be weakly referenced."""


class _Tracked:
    """Shards as `OnDisk` hands them out, recording how many earlier ones are still alive when the next is read."""

    def __init__(self, shards):
        self.shards, self.refs, self.alive = shards, [], []

    def __len__(self):
        return len(self.shards)

    def __getitem__(self, i):
        import gc
        import weakref

        if not 0 <= i < len(self.shards):
            raise IndexError(i)
        gc.collect()
        self.alive.append(sum(ref() is not None for ref in self.refs))
        shard = _Shard(self.shards[i])
        self.refs.append(weakref.ref(shard))
        return shard


def test_readers_of_streamed_shards_hold_one_shard_at_a_time():
    """`for shard in shards` would keep the last shard in its loop variable while the next one is read."""
    from pipelines.build import select_queries
    from pipelines.stages import records

    tracked = _Tracked([[Memory(memory_id=f"m{i}-{k}", text="t") for k in range(2)] for i in range(3)])
    assert [m.memory_id for m in records(tracked)] == ["m0-0", "m0-1", "m1-0", "m1-1", "m2-0", "m2-1"]
    assert tracked.alive == [0, 0, 0]

    import generators
    from schemas import load_config

    config = load_config("configs/tiny.toml")
    tracked = _Tracked([[generators.generate_dialogue(config, i)] for i in range(3)])
    n_queries, _, _, ids = select_queries(config, tracked, None)
    assert ids == ["dlg-00000", "dlg-00001", "dlg-00002"] and n_queries > 0
    assert tracked.alive == [0, 0, 0]


def test_queries_read_back_as_a_view_select_the_same_as_whole_records(tmp_path):
    """`select_queries` reads generate shards as `GeneratedQueries` (turns and world skipped): the same counts,
    near-duplicates and dialogue ids as from the whole records, and a repeated dialogue is still refused."""
    import generators
    from pipelines.build import select_queries
    from pipelines.stages import OnDisk, read_as
    from schemas import GeneratedDialogue, GeneratedQueries, load_config

    config = load_config("configs/tiny.toml")
    shards = [[generators.generate_dialogue(config, 2 * i), generators.generate_dialogue(config, 2 * i + 1)]
              for i in range(2)]  # fmt: skip
    for i, shard in enumerate(shards):
        write_shard(tmp_path / f"shard-{i:05d}.jsonl", shard)
    whole = OnDisk(tmp_path, GeneratedDialogue, 2)
    view = read_as(whole, GeneratedQueries)
    assert isinstance(view[0][0], GeneratedQueries) and view[1][1].queries == shards[1][1].queries
    assert select_queries(config, view, None) == select_queries(config, whole, None)
    assert select_queries(config, view, None)[3] == ["dlg-00000", "dlg-00001", "dlg-00002", "dlg-00003"]
    assert read_as(shards, GeneratedQueries) is shards  # in memory: the whole records serve

    path = tmp_path / "shard-00001.jsonl"
    path.write_text(path.read_text().splitlines()[0] + "\n" + path.read_text().splitlines()[0] + "\n")
    with pytest.raises(ShardError, match="duplicate GeneratedQueries 'dlg-00002'"):
        read_as(whole, GeneratedQueries)[1]  # a new view: `view` keeps the shard it read last
