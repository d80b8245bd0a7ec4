"""BM25 scores of a query's candidates, the corpus being those candidates (`scoring.lexical`)."""

from __future__ import annotations

import numpy as np

from schemas import Example, render_memory, render_query
from scoring.lexical import bm25_scores as bm25
from scoring.text import words


def bm25_scores(examples: list[Example]) -> list[np.ndarray]:
    """One BM25 score per candidate of each example: query with context against speaker and text.

    Dates stay out of lexical matching: weekday and day-number tokens would match by chance.
    """
    out = []
    for ex in examples:
        corpus = [words(render_memory(c.memory.model_copy(update={"timestamp": None}))) for c in ex.candidates]
        out.append(bm25(words(render_query(ex.query.text, ex.query.context)), corpus))
    return out
