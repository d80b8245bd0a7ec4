from __future__ import annotations

import numpy as np
import pytest

from judges.consistency import position_flip_rate, teacher_agreement
from judges.labels import fallback_labels, tier, win_rate_labels
from judges.pooling import QueryFit
from schemas import Judgment


def test_win_rate_labels_order_and_range():
    labels = win_rate_labels({"a": 2.0, "b": 0.0, "c": -2.0})
    assert labels["a"] > labels["b"] > labels["c"]
    assert labels["b"] == pytest.approx(0.5)
    assert sum(labels.values()) == pytest.approx(1.5)  # win rates of a round robin average 1/2
    assert win_rate_labels({"only": 3.0}) == {"only": 0.5}


def test_tiers_are_the_nearest_grade():
    assert [tier(x) for x in (0.0, 0.12, 0.13, 0.37, 0.5, 0.62, 0.63, 0.87, 0.88, 1.0)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def _j(teacher: str, first: str, second: str, p: float) -> Judgment:
    return Judgment(teacher=teacher, query_id="q", first=first, second=second, p_first=p)


def test_agreement_is_kendall_tau_between_teachers():
    same = [_j("t1", "a", "b", 0.9), _j("t1", "b", "c", 0.8), _j("t2", "a", "b", 0.6), _j("t2", "b", "c", 0.7)]
    assert teacher_agreement(same, ["a", "b", "c"]) == pytest.approx(1.0)
    flipped = [*same[:2], _j("t2", "a", "b", 0.1), _j("t2", "b", "c", 0.2)]
    assert teacher_agreement(flipped, ["a", "b", "c"]) == pytest.approx(-1.0)
    assert teacher_agreement(same[:2], ["a", "b", "c"]) is None


def test_position_flip_rate():
    js = [
        _j("sym", "a", "b", 0.8),
        _j("sym", "b", "a", 0.2),
        _j("biased", "a", "b", 0.8),
        _j("biased", "b", "a", 0.7),  # prefers whatever is shown first
        _j("biased", "a", "c", 0.9),
        _j("biased", "c", "a", 0.1),
        _j("one_order", "a", "b", 0.9),
    ]
    assert position_flip_rate(js) == {"biased": 0.5, "sym": 0.0}


def test_fallback_labels_use_the_null_anchor_when_there_is_one():
    anchored = fallback_labels(QueryFit(["a", "b"], np.array([1.0, -2.0]), null=0.0))
    assert anchored == pytest.approx([1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(2.0))])
    relative = fallback_labels(QueryFit(["a", "b"], np.array([1.0, -1.0]), null=None))
    assert relative == pytest.approx([1 / (1 + np.exp(-2.0)), 1 / (1 + np.exp(2.0))])
