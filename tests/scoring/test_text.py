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
