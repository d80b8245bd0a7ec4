from __future__ import annotations

import math

import pytest

from scoring.metrics import (
    average_precision,
    calibration,
    case_metrics,
    mean_metrics,
    ndcg,
    rank,
    recall,
    reciprocal_rank,
    threshold_filter,
    tier_table,
)

# positives at ranks 2 and 4 of 5
R = [False, True, False, True, False]


def test_average_precision_by_hand() -> None:
    assert average_precision(R) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert average_precision([True, True, False]) == 1.0
    assert average_precision([False, False, True]) == pytest.approx(1 / 3)


def test_reciprocal_rank_is_cut_at_k() -> None:
    assert reciprocal_rank(R) == 0.5
    assert reciprocal_rank([False] * 10 + [True]) == 0.0
    assert reciprocal_rank([False] * 9 + [True]) == pytest.approx(0.1)


def test_ndcg_by_hand() -> None:
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg(R) == pytest.approx(dcg / ideal)
    assert ndcg([True, True, False]) == 1.0
    # only the top k count, and the ideal is capped at k positives
    assert ndcg([False, False, True], k=2) == 0.0
    assert ndcg([True, True, True], k=2) == 1.0


def test_recall_at_k() -> None:
    assert recall(R, 2) == 0.5
    assert recall(R, 4) == 1.0
    assert recall([False] * 6 + [True, True], 5) == 0.0


def test_rank_sorts_by_score_and_breaks_ties_against_positives() -> None:
    scores = {"a": 0.1, "b": 0.9, "c": 0.5, "d": 0.5}
    assert rank(scores, ["c"]) == [False, False, True, False]  # b, d, c, a: c ties with d and goes after it
    assert rank({"x": 0.5, "y": 0.5, "z": 0.5}, ["x"]) == [False, False, True]
    assert rank(scores, ["b", "a"]) == [True, False, False, True]


def test_case_and_mean_metrics() -> None:
    m = case_metrics(R)
    assert m == {
        "map": pytest.approx(0.5),
        "mrr@10": 0.5,
        "ndcg@10": pytest.approx(ndcg(R)),
        "recall@1": 0.0,
        "recall@5": 1.0,
        "recall@10": 1.0,
    }
    perfect = case_metrics([True, False])
    mean = mean_metrics([m, perfect])
    assert mean["n"] == 2
    assert mean["map"] == pytest.approx(0.75)
    assert mean["mrr@10"] == pytest.approx(0.75)
    assert mean_metrics([])["map"] is None


def test_calibration_by_hand() -> None:
    # bin [0.8, 0.9): scores 0.8, 0.8 with one relevant -> |0.8 - 0.5| weighted 2/4; bin [0.1, 0.2): 0.1, 0.1 none
    scores, relevant = [0.8, 0.8, 0.1, 0.1], [True, False, False, False]
    got = calibration(scores, relevant)
    assert got["ece"] == pytest.approx(0.5 * 0.3 + 0.5 * 0.1)
    assert got["brier"] == pytest.approx((0.04 + 0.64 + 0.01 + 0.01) / 4)
    assert calibration([1.0, 0.0], [True, False]) == {"ece": 0.0, "brier": 0.0}
    assert calibration([], []) == {"ece": None, "brier": None}
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        calibration([1.5], [True])


def test_threshold_filter_precision_and_recall() -> None:
    scores, relevant = [0.9, 0.6, 0.4, 0.7], [True, False, True, True]
    assert threshold_filter(scores, relevant, 0.5) == {
        "precision@t": pytest.approx(2 / 3),
        "recall@t": pytest.approx(2 / 3),
    }
    assert threshold_filter(scores, relevant, 0.95) == {"precision@t": None, "recall@t": 0.0}


def test_tier_table_r_precision_tells_a_low_calibration_from_a_weak_ranking() -> None:
    grades = [4, 4, 0, 0]
    # scores all below tier 3: nothing kept, but the ranking puts both grade-4 candidates first
    low = tier_table([0.3, 0.25, 0.1, 0.05], grades)["at_tier"]["3"]
    assert low["precision"] is None and low["kept"] == 0.0 and low["r_precision"] == 1.0
    # nothing kept again, and a ranking that mixes them: R = 2, the two highest hold one grade-4 candidate
    mixed = tier_table([0.3, 0.1, 0.25, 0.05], grades)["at_tier"]["3"]
    assert mixed["r_precision"] == 0.5
    assert tier_table([0.9, 0.1], [0, 0])["at_tier"]["3"]["r_precision"] is None  # nothing of grade >= 3
