"""Bad input never gives a silent wrong dataset: a recompute of just that part, or one clear line."""

from __future__ import annotations

import json
import sqlite3

import pytest

from pipelines.build import main
from schemas import SCHEMA_VERSION
from tests.pipelines.fast_run import FAST, TINY, fast_build


def cli(out, *extra: str) -> list[str]:
    return ["--config", str(TINY), "--out", str(out), *[x for s in FAST for x in ("--set", s)], *extra]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    run = tmp_path_factory.mktemp("bad") / "run"
    return run, fast_build(run)


def test_corrupt_shards_are_recomputed_alone_with_a_warning(built, capsys):
    run, body = built
    garbage = next(run.glob("candidates/*/shard-00001.jsonl"))
    garbage.write_bytes(b"\xff\xfe not utf-8 \x00")
    cut = next(run.glob("judge/*/shard-00002.jsonl"))
    cut.write_bytes(cut.read_bytes()[:-40])  # truncated in the middle of its last record
    calibration = next(run.glob("calibrate/*/calibration.json"))
    calibration.write_text('{"teachers": ')

    assert main(cli(run)) == 0
    err = capsys.readouterr().err
    assert f"WARNING: {garbage}: 1 records, sha256 " in err and "recomputing the shard" in err
    assert f"WARNING: {cut}:" in err and f"WARNING: {calibration}: not a readable calibration" in err
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["stages"]["candidates"]["shards_computed"] == 1
    assert manifest["stages"]["judge"]["shards_computed"] == 1  # shard 2 only: shard 1's judgments are unchanged
    assert manifest["stages"]["generate"]["shards_computed"] == 0
    assert manifest["dataset"]["fingerprints"] == body["dataset"]["fingerprints"]
    assert cut.read_bytes().endswith(b"}\n")

    cut.write_bytes(cut.read_bytes()[:-40])
    assert main(cli(run, "--quiet")) == 0  # --quiet: the warning is not shown, the final line is
    assert capsys.readouterr().err.startswith("built ")


def test_run_folder_of_another_schema_version_is_refused(tmp_path, capsys):
    out = tmp_path / "old"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"schema_version": "0", "config_hash": "x"}))
    assert main(cli(out)) == 2
    err = capsys.readouterr().err.strip()
    assert f"schema version '0', this code writes '{SCHEMA_VERSION}'; use a new --out" in err and "\n" not in err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]  # nothing written


def test_an_unreadable_manifest_does_not_abandon_the_run(built, capsys):
    run, body = built
    (run / "manifest.json").write_text("{not json")
    assert main(cli(run)) == 0  # the shards (verified) and the paid-answer cache are kept; the manifest rewritten
    err = capsys.readouterr().err
    assert "manifest.json: not valid JSON" in err and "; building on (every shard is verified)" in err
    manifest = json.loads((run / "manifest.json").read_text())
    assert all(s["shards_computed"] == 0 for s in manifest["stages"].values())
    assert manifest["dataset"]["fingerprints"] == body["dataset"]["fingerprints"]


def test_another_config_in_the_same_folder_writes_under_new_keys(built, capsys):
    run, body = built
    assert main(cli(run, "--set", "seed=99")) == 0
    other = json.loads((run / "manifest.json").read_text())
    assert other["stages"]["generate"]["shards_computed"] == 3 and other["config"]["seed"] == 99
    assert len(list(run.glob("generate/*"))) == 2  # the first config's shards are kept beside
    assert main(cli(run)) == 0  # and the first config again recomputes nothing
    back = json.loads((run / "manifest.json").read_text())
    assert all(s["shards_computed"] == 0 for s in back["stages"].values())
    assert back["dataset"]["fingerprints"] == body["dataset"]["fingerprints"]


def test_truncated_cache_is_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    db = sqlite3.connect(out / "cache.sqlite")
    db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(str(i), "x" * 500) for i in range(200)])
    db.commit()
    db.close()
    data = (out / "cache.sqlite").read_bytes()
    (out / "cache.sqlite").write_bytes(data[: len(data) // 3])
    provider = 'providers.stand_in={kind="offline", model="x"}'
    assert main(cli(out, "--set", provider)) == 1
    err = capsys.readouterr().err.strip()
    assert f"error: response cache {out / 'cache.sqlite'}: " in err and "\n" not in err


def test_unreadable_config_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe\x00name = 1")
    assert main(["--config", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: config {bad}: not valid TOML") and "\n" not in err
    assert not (tmp_path / "o").exists()
