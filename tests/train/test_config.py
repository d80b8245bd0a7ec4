from __future__ import annotations

from pathlib import Path

import pytest

from train.config import TrainConfigError, load_train_config, parse_train_config

REPO = Path(__file__).resolve().parents[2]
STAGE = {"name": "bce", "loss": "bce"}


@pytest.mark.parametrize(
    ("name", "losses", "trains"),
    [  # the CPU recipe: a head-only probe, then the whole model (README: the stall it avoids)
        ("train.toml", ["bce", "bce"], ["head", "all"]),
        ("train_qwen3.toml", ["bce", "infonce"], ["all", "all"]),
        ("train_general.toml", ["bce", "infonce"], ["all", "all"]),
    ],
)
def test_shipped_configs_load(name: str, losses: list[str], trains: list[str]) -> None:
    config = load_train_config(REPO / "configs" / name)
    assert [s.loss for s in config.stages] == losses
    assert [s.train for s in config.stages] == trains
    assert all(s.negatives >= 1 for s in config.stages if s.loss == "infonce")


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


def test_set_overrides_reach_a_stage_by_name() -> None:
    config = load_train_config(
        REPO / "configs" / "train_qwen3.toml",
        ["stages.infonce.max_tokens=4096", 'evaluation.baselines=["bm25"]', "engine.packing=true", "seed=3"],
    )
    assert config.stages[1].max_tokens == 4096 and config.stages[0].max_tokens == 16384
    assert config.evaluation.baselines == ["bm25"] and config.engine.packing is True and config.seed == 3
    with pytest.raises(TrainConfigError, match="no stage named 'mse'"):
        load_train_config(REPO / "configs" / "train_qwen3.toml", ["stages.mse.lr=1"])
    with pytest.raises(TrainConfigError, match=r"stages\.1\.max_tokens"):
        load_train_config(REPO / "configs" / "train_qwen3.toml", ["stages.infonce.max_tokens=0"])
    with pytest.raises(TrainConfigError, match="expected key=value"):
        load_train_config(REPO / "configs" / "train_qwen3.toml", ["seed"])


def test_distill_imports_no_minilm_and_no_sentence_transformers() -> None:
    """A GPU environment may lack the packaged MiniLM: the Qwen3 path must not import it (nor ST) at import time."""
    import subprocess
    import sys

    code = (
        "import sys, train.distill, train.score; "
        "print(sorted(m for m in sys.modules if 'minilm' in m or m.startswith('sentence_transformers')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
