from __future__ import annotations

import pytest

from scoring.lexical import bm25_scores
from scoring.text import content_words, words


def test_words_lowercase_in_order():
    assert words("Anna: I moved to PORTO, in May!") == ["anna", "i", "moved", "to", "porto", "in", "may"]


def test_content_words_drop_function_words():
    assert content_words("In August 2023, where was Anna?") == ["august", "2023", "anna"]


def test_bm25_scores_the_shared_word_first_and_reads_empty_docs():
    scores = bm25_scores(["porto"], [["anna", "moved", "porto"], ["cat", "sleeps"], []])
    assert scores[0] > 0
    assert scores[1] == scores[2] == pytest.approx(0.0)


def test_bm25_gives_rank_bm25s_floats_bit_for_bit():
    """Our counts-based BM25 is rank_bm25's BM25Okapi, the same floats in the same order (the build's retrieved
    negatives, and so its bytes, depend on them), including the idf floor of words in most documents."""
    import random

    from rank_bm25 import BM25Okapi

    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(40)]
    for _ in range(200):
        docs = [
            [rng.choice(vocab[: rng.randint(2, 40)]) for _ in range(rng.randint(0, 12))]
            for _ in range(rng.randint(1, 30))
        ]
        query = [rng.choice(vocab) for _ in range(rng.randint(0, 6))] + ["never"]
        expected = BM25Okapi([d or [""] for d in docs]).get_scores(query)
        assert bm25_scores(query, docs).tobytes() == expected.tobytes()
