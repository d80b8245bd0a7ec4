"""The one encoder: unit-length rows, one per text; a missing model directory is one clear error."""

from __future__ import annotations

import os

import numpy as np
import pytest

from scoring import embedding

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def test_unit_length_rows_one_per_text():
    rows = embedding.encode(["Anna: I moved to Porto in May.", "Where did Anna live in June?"])
    assert rows.shape == (2, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_a_missing_model_directory_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a local model directory"):
        embedding.encode(["x"], str(tmp_path / "nope"))
