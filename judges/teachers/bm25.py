"""BM25 scores of a query's candidates, the corpus being those candidates (rank_bm25's BM25Okapi)."""

from __future__ import annotations

import re

import numpy as np
from rank_bm25 import BM25Okapi

from schemas import Example, render_memory, render_query

_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def bm25_scores(examples: list[Example]) -> list[np.ndarray]:
    """One BM25 score per candidate of each example: query with context against speaker and text.

    Dates stay out of lexical matching: weekday and day-number tokens would match by chance.
    """
    out = []
    for ex in examples:
        corpus = [tokenize(render_memory(c.memory.model_copy(update={"timestamp": None}))) for c in ex.candidates]
        query = tokenize(render_query(ex.query.text, ex.query.context))
        out.append(np.asarray(BM25Okapi(corpus).get_scores(query), dtype=float))
    return out
