from __future__ import annotations

import itertools

import numpy as np
import pytest

from judges.anchor import NULL_ID
from judges.pairing import all_pairs_count, pointwise_judgments, select_pairs, standardize
from tests.judges.toy import guitar, porto


def test_all_pairs_both_orders_gives_n_times_n_minus_one():
    ex = porto()
    n = len(ex.candidates)
    (pairs,) = select_pairs([ex], "all", both_orders=True, seed=1)
    assert len(pairs) == n * (n - 1) == len(set(pairs))
    assert all(a != b for a, b in pairs)


def test_one_order_covers_each_unordered_pair_once_and_is_seeded():
    ex = porto()
    n = len(ex.candidates)
    (pairs,) = select_pairs([ex], "all", both_orders=False, seed=1)
    assert len(pairs) == n * (n - 1) // 2
    ids = [c.memory.memory_id for c in ex.candidates]
    assert {frozenset(p) for p in pairs} == {frozenset(p) for p in itertools.combinations(ids, 2)}
    assert select_pairs([ex], "all", False, seed=1) == select_pairs([ex], "all", False, seed=1)
    # the same query gets the same orders whatever else is in the batch
    assert select_pairs([guitar(), ex], "all", False, seed=1)[1] == pairs
    seeds = {tuple(select_pairs([ex], "all", False, seed=s)[0]) for s in range(6)}
    assert len(seeds) > 1


def test_unknown_pairing_is_an_error():
    with pytest.raises(ValueError, match="pairing"):
        select_pairs([porto()], "some", True, seed=0)
    with pytest.raises(ValueError, match="rounds"):  # active pairing is run by judges.judge
        select_pairs([porto()], "active", True, seed=0)


def test_null_anchor_pairs_every_candidate_with_the_null():
    ex = porto()
    n = len(ex.candidates)
    (plain,) = select_pairs([ex], "all", both_orders=True, seed=1)
    (pairs,) = select_pairs([ex], "all", both_orders=True, seed=1, null_anchor=True)
    assert len(pairs) == (n + 1) * n == all_pairs_count(n, both_orders=True, null_anchor=True) == len(set(pairs))
    assert pairs[: len(plain)] == plain  # candidate pairs first, unchanged
    null_pairs = pairs[len(plain) :]
    assert {(a, b) for a, b in null_pairs if b == NULL_ID} == {(c.memory.memory_id, NULL_ID) for c in ex.candidates}
    assert {(a, b) for a, b in null_pairs if a == NULL_ID} == {(NULL_ID, c.memory.memory_id) for c in ex.candidates}
    (one,) = select_pairs([ex], "all", both_orders=False, seed=1, null_anchor=True)
    assert len(one) == all_pairs_count(n, both_orders=False, null_anchor=True) == (n + 1) * n // 2
    assert sum(NULL_ID in p for p in one) == n


def test_pointwise_orders_sum_to_one_and_follow_scores():
    ex = porto()
    scores = np.array([3.0, 0.5, 1.0, 0.0, 0.2])
    (pairs,) = select_pairs([ex], "all", True, seed=0)
    js = pointwise_judgments("t", ex, scores, pairs, temperature=0.5)
    p = {(j.first, j.second): j.p_first for j in js}
    for (a, b), p_ab in p.items():
        assert p_ab + p[(b, a)] == pytest.approx(1.0, abs=1e-12)
    assert p[("m_gold", "m_cat")] > 0.9
    assert p[("m_film", "m_gold")] < 0.1
    assert js[0].raw.startswith("s1=")


def test_constant_scores_give_one_half():
    ex = guitar()
    (pairs,) = select_pairs([ex], "all", True, seed=0)
    js = pointwise_judgments("t", ex, np.full(4, 2.0), pairs, temperature=1.0)
    assert {j.p_first for j in js} == {0.5}
    assert standardize(np.array([1.0, 1.0])).tolist() == [0.0, 0.0]


def test_temperature_sharpens():
    ex = guitar()
    scores = np.array([0.0, 1.0, 0.2, 0.1])
    pairs = [("g_gold", "g_cook")]
    warm = pointwise_judgments("t", ex, scores, pairs, temperature=2.0)[0].p_first
    cold = pointwise_judgments("t", ex, scores, pairs, temperature=0.25)[0].p_first
    assert 0.5 < warm < cold
