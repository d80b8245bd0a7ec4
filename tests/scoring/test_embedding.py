"""The one encoder: unit-length rows, one per text; stored rows read back exactly and not encoded again; a missing
model directory or a damaged record is one clear error."""

from __future__ import annotations

import os

import numpy as np
import pytest

from schemas import TextEmbeddings
from scoring import embedding

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def test_unit_length_rows_one_per_text():
    rows = embedding.encode(["Anna: I moved to Porto in May.", "Where did Anna live in June?"])
    assert rows.shape == (2, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_a_missing_model_directory_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a local model directory"):
        embedding.encode(["x"], str(tmp_path / "nope"))


TEXTS = ["[2023-05-02 (Tue) 10:00] Anna: I moved to Porto in May.", "Bob: ok", "Anna: We adopted a dog named Rex."]


def test_a_record_reads_back_the_exact_rows_and_they_are_not_encoded_again(monkeypatch):
    record = embedding.to_record("dlg-00000", TEXTS)
    back = embedding.rows_of(TextEmbeddings.model_validate_json(record.model_dump_json()))
    assert back.dtype == np.float32 and back.tobytes() == embedding.encode(TEXTS).tobytes()

    model = embedding.load_encoder(embedding.default_model_path())
    real = model.encode
    asked: list[list[str]] = []
    monkeypatch.setattr(model, "encode", lambda texts, **kw: asked.append(list(texts)) or real(texts, **kw))
    with embedding.reusing([record]):
        rows = embedding.encode([TEXTS[2], "Where did Anna live in June?", TEXTS[0], TEXTS[2]])
    assert asked == [["Where did Anna live in June?"]]  # only the text the record does not hold
    assert rows[0].tobytes() == rows[3].tobytes() == back[2].tobytes() and rows[2].tobytes() == back[0].tobytes()
    embedding.encode(TEXTS[:1])
    assert asked[-1] == TEXTS[:1]  # outside the block, encoded again
    assert embedding.encode([]).shape == (0, 384)


def test_a_damaged_record_is_one_clear_error():
    record = embedding.to_record("dlg-00007", TEXTS)
    cut = record.model_copy(update={"vectors": record.vectors[:-8]})
    with pytest.raises(ValueError, match=r"embeddings of dlg-00007: \d+ bytes of vectors for 3 texts x 384"):
        embedding.rows_of(cut)
    other = record.model_copy(update={"model": "some-other-model"})
    with (
        pytest.raises(ValueError, match="embeddings of dlg-00007: model 'some-other-model'"),
        embedding.reusing([other]),
    ):
        pass
