"""aggregate: position bias, the null anchor, bootstrap intervals, calibration checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from judges import aggregate, fit_calibration, position_flip_rate
from judges.anchor import NULL_ID
from judges.pooling import sigmoid
from schemas import AggregateConfig, Example, JudgeConfig, Judgment, TeacherConfig
from schemas.grade import tier_of
from tests.judges import sim
from tests.judges.toy import example

AGG = AggregateConfig(bootstrap=0)
TRUTH = {"a": 2.0, "b": 1.2, "c": 0.5, "d": -0.3, "e": -1.0, "f": -2.2}


def _config(*names: str) -> JudgeConfig:
    return JudgeConfig(teachers=[TeacherConfig(name=n, kind="scenario") for n in names])


def _six():
    return example("q6", "Which?", {m: f"memory {m}" for m in TRUTH}, gold=["a"])


def _teacher(name: str, bias: float, both_orders: bool = True) -> list[Judgment]:
    """p_first = sigmoid(s_first - s_second + bias): bias > 0 prefers whatever is shown first."""
    ids = list(TRUTH)
    pairs = [(x, y) for i, x in enumerate(ids) for y in ids[i + 1 :]]
    if both_orders:
        pairs += [(y, x) for x, y in pairs]
    else:  # the weaker candidate always shown first: a biased teacher then ranks them backwards
        pairs = [(y, x) for x, y in pairs]
    return [
        Judgment(teacher=name, query_id="q6", first=x, second=y, p_first=float(sigmoid(TRUTH[x] - TRUTH[y] + bias)))
        for x, y in pairs
    ]


def _ranking(labels) -> list[str]:
    return [s.memory_id for s in sorted(labels, key=lambda s: -s.label)]


def test_position_bias_asked_in_both_orders_gives_the_unbiased_ranking():
    ex = _six()
    fair = aggregate([ex], _teacher("t", 0.0), _config("t"), AGG)
    biased_js = _teacher("t", 3.0)
    assert position_flip_rate(biased_js)["t"] > 0.5  # most verdicts flip with the order
    biased = aggregate([ex], biased_js, _config("t"), AGG)
    assert _ranking(biased) == _ranking(fair) == list(TRUTH)


def test_position_bias_of_one_order_is_removed_by_the_fitted_recalibration():
    ex = _six()
    one_order = _teacher("t", 3.0, both_orders=False)
    assert _ranking(aggregate([ex], one_order, _config("t"), AGG)) != list(TRUTH)  # uncorrected: wrong
    # fit the teacher's bias on a calibration slice of queries like this one, asked in both orders
    slice_exs = sim.examples(3, seed=0)
    slice_js = sim.pairwise_teacher("t", slice_exs, seed=1, sharpness=1.0, noise=0.3, first_bias=3.0)
    cal = fit_calibration(slice_exs, slice_js, _config("t"), AGG)
    assert cal.teachers["t"].bias == pytest.approx(-3.0 * cal.teachers["t"].slope, rel=0.1)
    assert _ranking(aggregate([ex], one_order, _config("t"), AGG, cal)) == list(TRUTH)


def _all_negative() -> Example:
    ex = example("q_none", "What is Anna's dog called?", {f"n{i}": f"memory {i}" for i in range(5)}, gold=["n0"])
    query = ex.query.model_copy(update={"skill": "unanswerable", "evidence": []})
    return Example(query=query, candidates=[c.model_copy(update={"gold": 0}) for c in ex.candidates])


def _unanswerable_judgments(with_null: bool) -> list[Judgment]:
    """A teacher that ranks the negatives n0 > n1 > ... and puts every one of them below having no memory."""
    grade = {f"n{i}": 1.0 - 0.4 * i for i in range(5)} | {NULL_ID: 2.0}
    ids = list(grade) if with_null else [m for m in grade if m != NULL_ID]
    return [
        Judgment(teacher="t", query_id="q_none", first=x, second=y, p_first=float(sigmoid(grade[x] - grade[y])))
        for x in ids
        for y in ids
        if x != y
    ]


def test_null_anchor_makes_every_label_of_an_all_negative_query_low():
    ex = _all_negative()
    relative = {s.memory_id: s.label for s in aggregate([ex], _unanswerable_judgments(False), _config("t"), AGG)}
    assert relative["n0"] > 0.6  # without the anchor the best negative looks good
    anchored = aggregate([ex], _unanswerable_judgments(True), _config("t"), AGG)
    assert [s.memory_id for s in anchored] == [f"n{i}" for i in range(5)]  # the null never becomes a label
    assert max(s.label for s in anchored) < 0.35
    assert _ranking(anchored) == [f"n{i}" for i in range(5)]
    assert all(s.strength < 0 for s in anchored)  # strength over the null
    # and with a calibration fitted on a slice where evidence beats the null and negatives lose to it
    slice_exs = sim.examples(3, seed=0)
    cal = fit_calibration(slice_exs, sim.pairwise_teacher("t", slice_exs, seed=1), _config("t"), AGG)
    calibrated = aggregate([ex], _unanswerable_judgments(True), _config("t"), AGG, cal)
    assert max(s.label for s in calibrated) < 0.1


def test_bootstrap_intervals_contain_the_label_and_are_deterministic():
    exs = sim.examples(1, seed=3)
    js = sim.pairwise_teacher("scenario", exs, seed=4, sharpness=1.0, noise=1.0) + sim.similar(exs, seed=5)
    config = JudgeConfig(
        teachers=[TeacherConfig(name="scenario", kind="scenario"), TeacherConfig(name="similar", kind="embedding")]
    )
    agg = AggregateConfig(bootstrap=30)
    cal = fit_calibration(exs, js, config, agg)
    for calibration in (None, cal):
        labels = aggregate(exs, js, config, agg, calibration, seed=1)
        assert all(s.interval[0] <= s.label <= s.interval[1] for s in labels)
        assert any(s.interval[1] - s.interval[0] > 0.01 for s in labels)
        again = aggregate(exs, js, config, agg, calibration, seed=1)
        assert json.dumps([s.model_dump(mode="json") for s in labels]) == json.dumps(
            [s.model_dump(mode="json") for s in again]
        )
        other_seed = aggregate(exs, js, config, agg, calibration, seed=2)
        assert [s.label for s in other_seed] == [s.label for s in labels]  # the seed moves intervals only
        assert [s.interval for s in other_seed] != [s.interval for s in labels]
    assert all(s.interval is None for s in aggregate(exs, js, config, AGG))


def test_earned_weights_ignore_a_contrary_teacher():
    exs = sim.examples(2, seed=6)
    good = sim.pairwise_teacher("good", exs, seed=7, sharpness=1.0, noise=0.5)
    contrary = [j.model_copy(update={"teacher": "contrary", "p_first": 1.0 - j.p_first}) for j in good]
    config = _config("good", "contrary")
    cal = fit_calibration(exs, good + contrary, config, AGG)
    pooled = aggregate(exs, good + contrary, config, AGG, cal)
    alone = aggregate(exs, good, _config("good"), AGG, fit_calibration(exs, good, _config("good"), AGG))
    assert [s.label for s in pooled] == pytest.approx([s.label for s in alone], abs=1e-9)
    flat = aggregate(exs, good + contrary, config, AGG)  # config weights: they cancel out
    assert np.ptp([s.label for s in flat]) < 0.05


def test_labels_stay_probabilities_and_tiers_follow_them():
    exs = sim.examples(2, seed=8)
    js = sim.pairwise_teacher("t", exs, seed=9, sharpness=3.0, noise=0.0)
    labels = aggregate(exs, js, _config("t"), AGG, fit_calibration(exs, js, _config("t"), AGG))
    assert all(0.0 < s.label < 1.0 for s in labels)
    assert all(s.tier == tier_of(s.label) for s in labels)  # the nearest grade of 4 * label
    assert all(s.tier == round(4 * s.label) for s in labels if abs(4 * s.label % 1 - 0.5) > 1e-9)
    assert {s.tier for s in labels} >= {0, 4}


def test_calibration_must_match_the_config():
    exs = sim.examples(1, seed=0)
    js = sim.pairwise_teacher("t", exs, seed=1)
    cal = fit_calibration(exs, js, _config("t"), AGG)
    with pytest.raises(ValueError, match=r"aggregate\.weights"):
        aggregate(exs, js, _config("t"), AGG.model_copy(update={"weights": "config"}), cal)
    with pytest.raises(ValueError, match=r"no fit for teachers \['u'\]"):
        aggregate(exs, js, _config("t", "u"), AGG, cal)
