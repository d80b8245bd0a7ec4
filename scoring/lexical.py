"""BM25 (Okapi, the ATIRE idf floor of rank_bm25's `BM25Okapi`) over a candidate set: the candidates are the
corpus, the query is scored against each of them.

The same formula and the same floats as `rank_bm25.BM25Okapi(docs).get_scores(query)` (a test holds it to that,
bit for bit), computed from term counts a caller can keep: a build scores ~20 queries per dialogue against pools
that share most of their turns, and rank_bm25 re-counts every document of every pool (a third of the candidates
stage's time). `term_counts` once per document, then `bm25_from_counts` per query.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import chain

import numpy as np

K1, B, EPSILON = 1.5, 0.75, 0.25


def term_counts(doc: Sequence[str]) -> Counter[str]:
    """A tokenized document's term counts; an empty doc is read as one token that matches nothing (as rank_bm25
    needs: a corpus of empty documents has no average length)."""
    return Counter(doc or [""])


def bm25_from_counts(query: Sequence[str], counts: Sequence[Mapping[str, int]]) -> np.ndarray:
    """BM25 score of the `query` tokens against each document given by its `term_counts` (the corpus)."""
    n = len(counts)
    if n == 0:
        return np.zeros(0)
    lengths = [sum(c.values()) for c in counts]
    # documents per word, in rank_bm25's insertion order, so the mean idf below sums in the same order
    documents_with = Counter(chain.from_iterable(c.keys() for c in counts))

    def idf(freq: int) -> float:
        return math.log(n - freq + 0.5) - math.log(freq + 0.5)

    by_freq = {f: idf(f) for f in set(documents_with.values())}  # a few dozen frequencies for ~1,400 words
    # summed one by one, left to right, as rank_bm25 does (`sum` compensates its float sums from Python 3.12)
    total = functools.reduce(operator.add, map(by_freq.__getitem__, documents_with.values()), 0.0)
    floor = EPSILON * (total / len(documents_with))
    norm = K1 * (1 - B + B * np.array(lengths) / (sum(lengths) / n))
    score = np.zeros(n)
    for word in query:
        if word in documents_with:  # a word in no document adds 0.0 everywhere
            weight = by_freq[documents_with[word]]
            weight = floor if weight < 0 else weight  # in more than half the documents: the floor
            freq = np.array([c.get(word, 0) for c in counts])
            score += weight * (freq * (K1 + 1) / (freq + norm))
    return score


def bm25_scores(query: Sequence[str], docs: Sequence[Sequence[str]]) -> np.ndarray:
    """BM25 score of the `query` tokens against each tokenized doc of `docs` (the corpus), as floats."""
    return bm25_from_counts(query, [term_counts(doc) for doc in docs])
