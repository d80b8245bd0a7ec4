from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from datasets import load_from_disk
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, TrainerCallback

from scoring.rerankers import load_student
from train import distill
from train.config import parse_train_config
from train.data import read_rows
from train.groups import infonce_groups


def _config(model: Path, stages: list[dict[str, Any]], **extra: Any) -> Any:
    return parse_train_config({"student": "qwen3", "model": str(model), "seed": 3, **extra, "stages": stages})


def _positive_rank(model_dir: Path, toy_dataset_dir: Path) -> float:
    """Mean rank (1 = first) of the gold candidate among each training group's members."""
    groups = infonce_groups(read_rows(load_from_disk(str(toy_dataset_dir))["train"]), negatives=7)
    student = load_student(None, model_dir)
    ranks = []
    for g in groups:
        scores = student.score([(g["instruction"], g["query"], d) for d in g["documents"]])
        ranks.append(1 + sum(s >= scores[0] for s in scores[1:]))
    return sum(ranks) / len(ranks)


def test_infonce_raises_the_positives_rank(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path) -> None:
    before = _positive_rank(tiny_qwen_dir, toy_dataset_dir)
    stage = {"name": "nce", "loss": "infonce", "max_steps": 12, "lr": 3e-3, "batch_size": 4, "negatives": 2}
    config = _config(tiny_qwen_dir, [{**stage, "temperature": 0.5}], evaluation={"split": None})
    summary = distill.run(config, toy_dataset_dir, tmp_path / "out")
    assert summary["stages"][0]["examples"] == 8  # one group per training row
    after = _positive_rank(tmp_path / "out", toy_dataset_dir)
    assert before > 1.5
    assert after == 1.0
    assert summary["last_loss"] < summary["first_loss"]


class _Kill(TrainerCallback):
    """Stops the run like a kill right after the checkpoint of `at_step` is written."""

    def __init__(self, at_step: int):
        self.at_step = at_step

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step == self.at_step:
            raise KeyboardInterrupt("killed")


def test_a_killed_run_resumes_from_its_checkpoint(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path) -> None:
    stage = {"name": "bce", "loss": "bce", "max_steps": 6, "lr": 3e-3, "batch_size": 4, "warmup": 0}
    config = _config(
        tiny_qwen_dir, [stage], engine={"save_steps": 2, "save_total_limit": 5}, evaluation={"split": None}
    )
    whole = distill.run(config, toy_dataset_dir, tmp_path / "whole")

    out = tmp_path / "killed"
    with pytest.raises(KeyboardInterrupt):
        distill.run(config, toy_dataset_dir, out, callbacks=[_Kill(at_step=4)])
    checkpoints = out / "stages" / "bce" / "checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint-2", "checkpoint-4"]
    assert not (out / "model.safetensors").exists()

    resumed = distill.run(config, toy_dataset_dir, out, resume=True)
    assert resumed["steps"] == whole["steps"] == 6
    state = json.loads((checkpoints / "checkpoint-6" / "trainer_state.json").read_text())
    assert state["global_step"] == 6
    # the first logged steps come from the checkpoint: the resumed run did not start over
    assert resumed["first_loss"] == pytest.approx(whole["first_loss"])
    a, b = load_file(tmp_path / "whole" / "model.safetensors"), load_file(out / "model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6)


def test_two_stage_config_runs_end_to_end(
    tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "train.toml"
    toml.write_text(
        f"""
student = "qwen3"
model = "{tiny_qwen_dir}"
seed = 5

[datasets.general]
path = "{toy_dataset_dir}"
split = "validation"

[[stages]]
name = "pointwise"
loss = "bce"
data = {{ main = 1.0, general = 0.5 }}
max_steps = 3
lr = 3e-3
batch_size = 8

[[stages]]
name = "listwise"
loss = "infonce"
max_steps = 2
lr = 1e-3
batch_size = 4
negatives = 2
kl_weight = 0.5
bce_weight = 1.0

[evaluation]
split = "test"
baselines = ["bm25"]
"""
    )
    out = tmp_path / "out"
    argv = ["--config", str(toml), "--data", str(toy_dataset_dir), "--out", str(out)]
    assert distill.main(argv) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [s["name"] for s in summary["stages"]] == ["pointwise", "listwise"]
    assert summary["stages"][0]["examples"] == (8 + 1) * 3  # main's 8 rows + half of general's 2, 3 candidates each
    assert summary["stages"][1]["steps"] == 2
    assert set(summary["evaluation"]) == {"student", "bm25"}
    # stage 2 started from stage 1's model, which is kept; the final model loads in plain transformers
    first = load_file(out / "stages" / "pointwise" / "model.safetensors")
    base = load_file(tiny_qwen_dir / "model.safetensors")
    final = load_file(out / "model.safetensors")
    key = "model.layers.0.mlp.up_proj.weight"
    assert not torch.equal(first[key], base[key]) and not torch.equal(final[key], first[key])
    AutoModelForCausalLM.from_pretrained(out)
    card = (out / "README.md").read_text()
    assert "## Evaluation" in card and "| student | 3 |" in card and "| bm25 | 3 |" in card
    assert "| pointwise | bce | 27 | 3 |" in card

    # --resume after a finished run skips both stages and leaves the model as it is
    assert distill.main([*argv, "--resume"]) == 0
    assert torch.equal(load_file(out / "model.safetensors")[key], final[key])


def test_lora_stage_saves_a_merged_plain_model(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("peft")
    stage = {"name": "bce", "loss": "bce", "max_steps": 3, "lr": 1e-2, "batch_size": 8}
    lora = {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}
    config = _config(tiny_qwen_dir, [stage], engine={"lora": lora}, evaluation={"split": None})
    distill.run(config, toy_dataset_dir, tmp_path / "out")
    saved = load_file(tmp_path / "out" / "model.safetensors")
    base = load_file(tiny_qwen_dir / "model.safetensors")
    assert not any("lora" in k for k in saved)
    key = "model.layers.0.self_attn.q_proj.weight"
    assert not torch.equal(saved[key], base[key])
    assert torch.equal(saved["model.layers.0.mlp.up_proj.weight"], base["model.layers.0.mlp.up_proj.weight"])
