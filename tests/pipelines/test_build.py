"""End to end: the tiny config through every stage into a dataset that `datasets` loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import load_from_disk

from pipelines.build import build, main
from schemas import SKILLS, DatasetRow, load_config
from tests.pipelines.fast_run import fast_build

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "configs" / "tiny.toml"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[Path, dict]:
    run_dir = tmp_path_factory.mktemp("runs") / "tiny"
    body = build(load_config(TINY), run_dir, quiet=True)
    return run_dir, body


def test_dataset_has_splits_skills_and_columns(tiny_run):
    run_dir, body = tiny_run
    ds = load_from_disk(str(run_dir / "dataset"))
    assert set(ds) == {"train", "validation", "test"}
    assert all(len(ds[s]) > 0 for s in ds)
    assert set(ds["train"].column_names) == set(DatasetRow.model_fields)
    skills = {row["skill"] for split in ds.values() for row in split}
    assert skills == set(load_config(TINY).generate.skills)
    assert skills <= set(SKILLS)
    seen: dict[str, str] = {}
    for name, split in ds.items():
        for dialogue_id in split["dialogue_id"]:
            assert seen.setdefault(dialogue_id, name) == name, f"{dialogue_id} in two splits"
    for row in ds["train"]:
        DatasetRow.model_validate(row)
        assert any(c["gold"] == 1 for c in row["candidates"]) == (row["skill"] != "unanswerable")
        assert all(0.0 <= c["label"] <= 1.0 and 0 <= c["tier"] <= 4 for c in row["candidates"])
    assert body["counts"]["queries"] == sum(len(s) for s in ds.values())


def test_manifest_and_card(tiny_run):
    run_dir, _ = tiny_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["config"]["name"] == "tiny"
    assert manifest["config_hash"] == load_config(TINY).config_hash()
    assert manifest["counts"]["dialogues"] == 6
    assert set(manifest["stages"]) == {"generate", "embed", "candidates", "judge", "aggregate"}
    card = (run_dir / "dataset" / "README.md").read_text()
    assert card.startswith("---\nlicense: cc-by-4.0")
    for needle in ("## Splits", "## Skill mix", "## Labels", "## Teachers", "temporal", "minilm"):
        assert needle in card


def test_gold_outranks_the_rest_on_average(tiny_run):
    run_dir, _ = tiny_run
    ds = load_from_disk(str(run_dir / "dataset"))
    cands = [c for split in ds.values() for row in split for c in row["candidates"]]
    gold = [c["label"] for c in cands if c["gold"]]
    other = [c["label"] for c in cands if not c["gold"]]
    assert sum(gold) / len(gold) > sum(other) / len(other)


def test_same_seed_same_fingerprint_and_resume(tiny_run, tmp_path):
    run_dir, body = tiny_run
    again = build(load_config(TINY), tmp_path / "again", quiet=True)
    assert again["dataset"]["fingerprints"] == body["dataset"]["fingerprints"]
    for name in ("train", "validation", "test"):
        a = (run_dir / "dataset" / name / "data-00000-of-00001.arrow").read_bytes()
        b = (tmp_path / "again" / "dataset" / name / "data-00000-of-00001.arrow").read_bytes()
        assert a == b

    # a re-run reuses every shard; a lost shard is recomputed alone, to the same dataset
    rerun = build(load_config(TINY), run_dir, quiet=True)
    assert all(s["shards_computed"] == 0 for s in rerun["stages"].values())
    lost = sorted((run_dir / "judge").glob("*/shard-00001.jsonl"))
    assert lost
    lost[0].unlink()
    # the stored embeddings the judge reads: lost too, recomputed to the same bytes before the judge reads them
    (embedded,) = sorted((run_dir / "embed").glob("*/shard-00001.jsonl"))
    stored = embedded.read_bytes()
    embedded.unlink()
    resumed = build(load_config(TINY), run_dir, quiet=True)
    assert resumed["stages"]["judge"]["shards_computed"] == 1
    assert resumed["stages"]["embed"]["shards_computed"] == 1
    assert resumed["stages"]["generate"]["shards_computed"] == 0
    assert resumed["stages"]["candidates"]["shards_computed"] == 0
    assert embedded.read_bytes() == stored
    assert resumed["dataset"]["fingerprints"] == body["dataset"]["fingerprints"]


def test_changed_section_recomputes_only_downstream(tiny_run):
    run_dir, _ = tiny_run
    changed = build(load_config(TINY, ["aggregate.prior=0.5"]), run_dir, quiet=True)
    stages = changed["stages"]
    assert stages["generate"]["shards_computed"] == 0 and stages["judge"]["shards_computed"] == 0
    assert stages["aggregate"]["shards_computed"] == 3 and stages["aggregate"]["shards_reused"] == 0


def test_other_seed_other_dataset(tiny_run, tmp_path):
    _, body = tiny_run
    other = build(load_config(TINY, ["generate.dialogues=3", "seed=99"]), tmp_path / "o", quiet=True)
    assert other["dataset"]["fingerprints"] != body["dataset"]["fingerprints"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--config", "nope.toml"], "nope.toml: file not found"),
        (["--config", str(TINY), "--set", "generate.colour=red"], "generate.colour: Extra inputs"),
        (["--config", str(TINY), "--set", "generate.dialogues=lots"], "generate.dialogues"),
    ],
)
def test_bad_config_exits_nonzero_with_one_line(capsys, args, needle):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err


def test_cli_runs_as_module(tmp_path):
    out = tmp_path / "cli"
    args = ["--config", str(TINY), "--out", str(out), "--quiet", "--set", "generate.dialogues=3"]
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.build", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "dataset" / "dataset_dict.json").exists()
    assert "built " in proc.stderr


def test_teacher_weight_reaggregates_without_rejudging(tiny_run):
    run_dir, _ = tiny_run
    teachers = (
        '[{name="scenario", kind="scenario"}, {name="minilm", kind="embedding"}, '
        '{name="bm25", kind="bm25", weight=0.7}]'
    )
    changed = build(load_config(TINY, [f"judge.teachers={teachers}"]), run_dir, quiet=True)
    assert changed["stages"]["judge"]["shards_computed"] == 0
    assert changed["stages"]["aggregate"]["shards_computed"] == 3


def test_the_audit_is_reused_while_the_labels_are_and_redone_when_they_change(tmp_path):
    first = fast_build(tmp_path)
    audit = tmp_path / "audit" / "audit.json"
    audit.write_text(audit.read_text() + " ")  # marks this copy: a reused report keeps the mark
    assert fast_build(tmp_path)["calibration"] == first["calibration"] and audit.read_text().endswith(" ")
    changed = fast_build(tmp_path, 'judge.teachers=[{name="scenario", kind="scenario"}, {name="bm25", kind="bm25", '
                                   'weight=0.5}]')  # fmt: skip
    assert changed["stage_keys"]["aggregate"] != first["stage_keys"]["aggregate"]
    assert (
        not audit.read_text().endswith(" ")
        and (tmp_path / "audit" / "audit.key").read_text() == changed["stage_keys"]["aggregate"]
    )
