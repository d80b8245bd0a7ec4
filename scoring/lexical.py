"""One BM25 (rank_bm25's Okapi) over a candidate set: the candidates are the corpus, the query is scored against
each of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi


def bm25_scores(query: Sequence[str], docs: Sequence[Sequence[str]]) -> np.ndarray:
    """BM25 score of the `query` tokens against each tokenized doc of `docs` (the corpus), as floats.

    An empty doc is read as one token that matches nothing (rank_bm25 cannot score a corpus of empty documents).
    """
    return np.asarray(BM25Okapi([list(doc) or [""] for doc in docs]).get_scores(list(query)), dtype=float)
