from __future__ import annotations

from pathlib import Path

import pytest

from train.config import TrainConfigError, load_train_config, parse_train_config

REPO = Path(__file__).resolve().parents[2]
STAGE = {"name": "bce", "loss": "bce"}


@pytest.mark.parametrize("name", ["train.toml", "train_qwen3.toml"])
def test_shipped_configs_load(name: str) -> None:
    config = load_train_config(REPO / "configs" / name)
    assert [s.loss for s in config.stages] == ["bce", "infonce"]
    assert config.stages[1].negatives >= 1


def test_unknown_key_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('student = "qwen3"\n[[stages]]\nname = "a"\nloss = "bce"\nlearning_rate = 1e-5\n')
    with pytest.raises(TrainConfigError) as err:
        load_train_config(path)
    message = str(err.value)
    assert "stages.0.learning_rate" in message and str(path) in message and "\n" not in message


def test_bad_values_are_named() -> None:
    with pytest.raises(TrainConfigError, match=r"stages\.0\.loss"):
        parse_train_config({"stages": [{"name": "a", "loss": "mse"}]})
    with pytest.raises(TrainConfigError, match=r"unknown dataset 'general'"):
        parse_train_config({"stages": [{**STAGE, "data": {"main": 1.0, "general": 0.5}}]})
    with pytest.raises(TrainConfigError, match=r"data\.main: weight must be > 0"):
        parse_train_config({"stages": [{**STAGE, "data": {"main": 0.0}}]})
    with pytest.raises(TrainConfigError, match="names repeat"):
        parse_train_config({"stages": [STAGE, STAGE]})
    with pytest.raises(TrainConfigError, match=r"stages: List should have at least 1 item"):
        parse_train_config({"stages": []})
    with pytest.raises(TrainConfigError, match="file not found"):
        load_train_config("/nonexistent/train.toml")
