"""The floor: a student that ends below its start on a held-out split exits 4 and says so in its card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets import Dataset, DatasetDict, load_from_disk

from train import distill
from train.config import TrainConfigError, parse_train_config
from train.data import read_rows
from train.groups import binary_targets


def _flipped(toy_dataset_dir: Path, out: Path) -> Path:
    """The toy train split with every label inverted: a student fitted to it ranks the gold Porto memory last."""
    rows = read_rows(load_from_disk(str(toy_dataset_dir))["train"])
    flipped = [
        r.model_copy(update={"candidates": [c.model_copy(update={"label": 1.0 - c.label}) for c in r.candidates]})
        for r in rows
    ]
    DatasetDict({"train": Dataset.from_list([r.model_dump(mode="json") for r in flipped])}).save_to_disk(str(out))
    return out


def _config_file(tmp_path: Path, model: Path, held: Path, extra: str = "") -> Path:
    path = tmp_path / "train.toml"
    path.write_text(
        f"""student = "qwen3"
model = "{model}"
seed = 5
[datasets.held]
path = "{held}"
split = "train"
[[stages]]
name = "bce"
loss = "bce"
max_steps = 30
lr = 3e-3
batch_size = 8
warmup = 0
[evaluation.floor]
dataset = "held"
split = "test"
start = "model"
{extra}""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("flip", [False, True], ids=["learns", "unlearns"])
def test_the_floor_passes_a_student_that_learned_and_stops_one_that_unlearned(
    flip: bool, tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _flipped(toy_dataset_dir, tmp_path / "flipped") if flip else toy_dataset_dir
    out = tmp_path / "out"
    code = distill.main(["--config", str(_config_file(tmp_path, tiny_qwen_dir, toy_dataset_dir)), "--data",
                         str(data), "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    floor = json.loads((out / "distill_summary.json").read_text())["floor"]
    assert floor["queries"] == 3 and floor["start"] == "model" and floor["metric"] == "map"
    assert 1 / 3 < floor["start_score"] < 1.0  # the random start ranks the gold neither first nor last everywhere
    card = (out / "README.md").read_text()
    if flip:
        assert code == 4
        assert floor["kept"] is False and floor["student_score"] == pytest.approx(1 / 3)
        assert err.count("error:") == 1
        assert err.splitlines()[-1].startswith("error: the student ends below its start on held test (3 queries): map")
        assert "Floor: kept what it started with?\n**No**" in card
        assert (out / "model.safetensors").is_file()  # kept for inspection, marked in its card
    else:
        assert code == 0, err
        assert floor["kept"] is True and floor["student_score"] == 1.0
        assert "Floor: kept what it started with?\nYes" in card
    # the paired gap's noise: the student is 1 (or 1/3) on every query, so it is the start's spread alone
    from train.floor import floor_cases, per_query
    from train.score import load_for_inference, score_cases

    config = distill.load_train_config(tmp_path / "train.toml")
    cases = floor_cases(config, config.evaluation.floor, "test")
    start = per_query(cases, score_cases(load_for_inference(tiny_qwen_dir, "qwen3"), cases), "map")
    assert start.mean() == pytest.approx(floor["start_score"])
    assert floor["standard_error"] == pytest.approx(start.std(ddof=1) / 3**0.5) and floor["standard_error"] > 0
    assert f"standard error of the gap {floor['standard_error']:.4f}, tolerance 0.0)" in card


def test_a_gap_within_the_tolerance_passes(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path) -> None:
    data = _flipped(toy_dataset_dir, tmp_path / "flipped")
    config_file = _config_file(tmp_path, tiny_qwen_dir, toy_dataset_dir, "tolerance = 0.9\n")
    out = tmp_path / "out"
    assert distill.main(["--config", str(config_file), "--data", str(data), "--out", str(out)]) == 0
    floor = json.loads((out / "distill_summary.json").read_text())["floor"]
    assert floor["kept"] is True and floor["student_score"] < floor["start_score"] and floor["tolerance"] == 0.9


@pytest.mark.parametrize("flip", [False, True], ids=["learns", "unlearns"])
def test_interpolation_mixes_in_the_start_until_the_floor_holds_where_it_is_chosen(
    flip: bool, tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path
) -> None:
    from train.evaluate import evaluate_scores
    from train.floor import floor_cases
    from train.score import load_for_inference, score_cases

    data = _flipped(toy_dataset_dir, tmp_path / "flipped") if flip else toy_dataset_dir
    config_file = _config_file(tmp_path, tiny_qwen_dir, toy_dataset_dir, 'interpolate = "validation"\n')
    out = tmp_path / "out"
    code = distill.main(["--config", str(config_file), "--data", str(data), "--out", str(out)])
    summary = json.loads((out / "distill_summary.json").read_text())
    mix, floor = summary["interpolation"], summary["floor"]
    assert mix["split"] == "validation" and mix["queries"] == 2 and mix["tried"][0]["alpha"] == 1.0
    assert mix["tried"][-1]["alpha"] == mix["alpha"] and mix["tried"][-1]["map"] >= mix["start_score"]
    assert all(t["map"] < mix["start_score"] for t in mix["tried"][:-1])  # the first alpha that holds is kept
    # what was chosen is what was saved: the final model scores the choosing split as the chosen mix did
    config = distill.load_train_config(config_file)
    cases = floor_cases(config, config.evaluation.floor, "validation")
    saved = evaluate_scores(cases, score_cases(load_for_inference(out), cases))["overall"]["map"]
    assert saved == pytest.approx(mix["tried"][-1]["map"])
    assert "weights mixed with its start: alpha" in (out / "README.md").read_text()
    if flip:  # fitted to inverted labels: it needs its start back
        assert mix["alpha"] < 1.0
    else:
        assert mix["alpha"] == 1.0 and len(mix["tried"]) == 1 and code == 0 and floor["kept"]


def test_a_floor_names_a_declared_dataset_and_a_split_held_out_from_training(tiny_qwen_dir: Path) -> None:
    base = {"student": "qwen3", "model": str(tiny_qwen_dir), "stages": [{"name": "bce", "loss": "bce"}]}
    with pytest.raises(TrainConfigError, match=r"evaluation\.floor\.dataset: unknown dataset 'general'"):
        parse_train_config({**base, "evaluation": {"floor": {"dataset": "general"}}})
    held = {"datasets": {"general": {"path": "x", "split": "train"}}}
    with pytest.raises(TrainConfigError, match=r"evaluation\.floor\.split: 'train' is what datasets\.general trains"):
        parse_train_config({**base, **held, "evaluation": {"floor": {"dataset": "general", "split": "train"}}})
    config = parse_train_config({**base, **held, "evaluation": {"floor": {"dataset": "general"}}})
    assert config.evaluation.floor.split == "test" and config.evaluation.floor.start == "embedding"
    mixed = {"dataset": "general", "interpolate": "validation"}
    with pytest.raises(TrainConfigError, match=r'evaluation\.floor\.interpolate: needs start = "model"'):
        parse_train_config({**base, **held, "evaluation": {"floor": mixed}})
    with pytest.raises(TrainConfigError, match=r"evaluation\.floor\.interpolate: 'test' is the floor's own split"):
        parse_train_config(
            {**base, **held, "evaluation": {"floor": {**mixed, "start": "model", "interpolate": "test"}}}
        )


def test_binary_targets_fit_gold_instead_of_the_teachers_labels(toy_dataset_dir: Path) -> None:
    rows = read_rows(load_from_disk(str(toy_dataset_dir))["train"])
    assert [c.label for c in rows[0].candidates] == pytest.approx([0.1, 0.9, 0.2])
    binary = binary_targets(rows)
    assert [c.label for c in binary[0].candidates] == [0.0, 1.0, 0.0]
    assert [c.grade for c in binary[0].candidates] == [c.grade for c in rows[0].candidates]
    assert [c.label for c in rows[0].candidates] == pytest.approx([0.1, 0.9, 0.2])  # the input is left as it was
