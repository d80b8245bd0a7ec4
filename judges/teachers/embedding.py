"""Cosine similarity of sentence embeddings (`scoring.embedding`; default: the packaged all-MiniLM-L6-v2), on CPU.

In a build the memories' rows are the ones the candidates stage stored (`scoring.embedding.reusing`), so only the
queries are encoded here; on its own (no stored rows) the teacher encodes every distinct text once.
"""

from __future__ import annotations

import numpy as np

from schemas import Example, render_memory, render_query
from scoring.embedding import encode


def embedding_scores(examples: list[Example], model_path: str | None = None) -> list[np.ndarray]:
    """One cosine similarity per candidate of each example."""
    if not examples:
        return []
    queries = [render_query(ex.query.text, ex.query.context, ex.query.query_time) for ex in examples]
    memories = [render_memory(c.memory) for ex in examples for c in ex.candidates]
    query_emb = encode(queries, model_path)
    memory_emb = encode(memories, model_path)
    out = []
    start = 0
    for ex, q in zip(examples, query_emb, strict=True):
        end = start + len(ex.candidates)
        out.append((memory_emb[start:end] @ q).astype(float))
        start = end
    return out
