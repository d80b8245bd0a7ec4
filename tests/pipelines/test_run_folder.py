"""A run folder that cannot silently lose data: damaged shards are recomputed (never a smaller dataset with exit 0),
the build never deletes what it did not write, one build at a time, and every stop is one line and an exit code."""

from __future__ import annotations

import json
import shutil

import pytest

import pipelines.build
from pipelines.audit import main as audit_main
from pipelines.build import main
from pipelines.runfolder import lock
from tests.pipelines.fast_run import FAST, TINY, fast_build


def cli(out, *extra: str) -> list[str]:
    return ["--config", str(TINY), "--out", str(out), *[x for s in FAST for x in ("--set", s)], *extra]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run = tmp_path_factory.mktemp("ref") / "run"
    return run, fast_build(run)


def copy(reference, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(reference[0], run)
    return run


def cut_last_line(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:-1])


DAMAGE = {
    "candidates emptied": ("candidates", lambda d: b""),
    "candidates lost its last line": ("candidates", cut_last_line),
    "aggregate lost 10 lines": ("aggregate", lambda d: b"".join(d.splitlines(keepends=True)[:-10])),
    "generate lost its last line": ("generate", cut_last_line),
    "judge line duplicated": ("judge", lambda d: d + d.splitlines(keepends=True)[3]),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_shard_is_recomputed_to_the_same_dataset(reference, tmp_path, capsys, case):
    stage, damage = DAMAGE[case]
    run = copy(reference, tmp_path)
    shard = next(run.glob(f"{stage}/*/shard-00001.jsonl"))
    shard.write_bytes(damage(shard.read_bytes()))
    if stage != "generate":  # the audit reads the damage too: one line, no traceback
        assert audit_main([str(run)]) == 2
        err = capsys.readouterr().err.strip()
        assert f"{shard}: " in err and "where the stage index says" in err and "\n" not in err

    assert main(cli(run)) == 0
    err = capsys.readouterr().err  # (the stage bars share the lines)
    assert err.count("WARNING: ") == 1 and f"WARNING: {shard}: " in err and "recomputing the shard" in err
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["stages"][stage]["shards_repaired"] == 1
    assert manifest["counts"] == reference[1]["counts"]
    assert manifest["dataset"]["fingerprints"] == reference[1]["dataset"]["fingerprints"]


def test_a_file_of_the_user_in_dataset_is_refused_and_kept(reference, tmp_path, capsys):
    run = copy(reference, tmp_path)
    note = run / "dataset" / "notes.txt"
    note.write_text("mine")
    assert main(cli(run)) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {note}: not written by a build; move it out of {run / 'dataset'}, which is replaced"
    assert note.read_text() == "mine"
    note.unlink()
    (run / "student").mkdir()  # beside the dataset, the user's files are theirs: never touched
    assert main(cli(run)) == 0 and (run / "student").is_dir()


def test_an_out_that_is_not_a_run_folder_or_a_file_is_refused(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("x")
    assert main(cli(home)) == 2
    assert "holds 'thesis.tex' (+0 more) and no manifest.json: not a run folder" in capsys.readouterr().err
    assert sorted(p.name for p in home.iterdir()) == ["thesis.tex"]
    assert main(cli(home / "thesis.tex")) == 2
    assert capsys.readouterr().err.strip() == f"error: --out {home / 'thesis.tex'}: not a folder"


def test_a_second_build_on_the_same_folder_stops_naming_the_holder(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    with lock(run):
        assert main(cli(run)) == 5
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {run}: in use by build pid ") and "wait for it to finish" in err
    assert not (run / "generate").exists()


def test_interrupt_and_disk_full_are_one_line(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipelines.build, "_build", interrupted)
    assert main(cli(tmp_path / "a")) == 130
    assert capsys.readouterr().err.strip() == "interrupted; re-run the same command to resume"

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "a" / "x.jsonl"))

    monkeypatch.setattr(pipelines.build, "_build", full)
    assert main(cli(tmp_path / "a")) == 1
    assert capsys.readouterr().err.strip() == (
        f"error: {tmp_path / 'a' / 'x.jsonl'}: No space left on device; what is done is kept: fix it and run the "
        "same command"
    )


@pytest.mark.parametrize(
    ("setting", "needle"),
    [
        ("generate.dialogues=true", "generate.dialogues: Value error, expected a number, not a boolean (got True)"),
        ("aggregate.bootstrap=1e9", "aggregate.bootstrap: Input should be less than or equal to 10000"),
        ("generate.queries_per_skill=1000000", "generate.queries_per_skill: Input should be less than or equal"),
        ("max_failed_share=2", "max_failed_share: Input should be less than or equal to 1"),
    ],
)
def test_configs_that_could_only_fail_late_fail_at_load_time(tmp_path, capsys, setting, needle):
    assert main(cli(tmp_path / "r", "--set", setting)) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and not (tmp_path / "r").exists()
