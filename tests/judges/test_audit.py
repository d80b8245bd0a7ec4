"""Audit metrics checked by hand on toys, and the shape of `audit_labels(...)` on a simulated panel."""

from __future__ import annotations

import json

import numpy as np
import pytest

from judges import aggregate, audit_labels, fit_calibration
from judges.audit import label_metrics, per_reason, tiers
from judges.consistency import intransitive_triads
from schemas import AggregateConfig, JudgeConfig, Judgment, TeacherConfig
from scoring.metrics import auc, brier, ece, ece_adaptive, pairwise_accuracy
from tests.judges import sim
from tests.judges.toy import example

P = np.array([0.1, 0.4, 0.35, 0.8])
Y = np.array([0, 0, 1, 1])


def test_metrics_by_hand():
    # each score alone in its bin: (0.1 + 0.4 + 0.65 + 0.2) / 4
    assert ece(P, Y) == pytest.approx(0.3375)
    # two equal-mass bins {0.1, 0.35} and {0.4, 0.8}: (2 * |0.225 - 0.5| + 2 * |0.6 - 0.5|) / 4
    assert ece_adaptive(P, Y, bins=2) == pytest.approx(0.1875)
    assert brier(P, Y) == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    assert auc(P, Y) == pytest.approx(0.75)  # 0.35 loses to 0.4, the other three pairs are right
    assert auc(np.array([0.5, 0.5, 0.2]), np.array([1, 0, 0])) == pytest.approx(0.75)  # a tie counts half
    assert auc(P, np.zeros(4)) is None
    assert ece(np.array([1.0, 1.0]), np.array([1, 0])) == pytest.approx(0.5)  # 1.0 falls in the last bin
    assert pairwise_accuracy([(P, Y), (np.array([0.3, 0.3]), np.array([1, 0]))]) == pytest.approx((3 + 0.5) / 5)


def test_label_metrics_and_reasons_on_a_toy():
    ex = example("q", "?", {"g": "gold", "x": "near miss", "y": "far"}, gold=["g"])
    ex = ex.model_copy(
        update={
            "candidates": [
                ex.candidates[0],
                ex.candidates[1].model_copy(update={"origin": "constructed:superseded"}),
                ex.candidates[2],
            ]
        }
    )
    labels = {("q", "g"): 0.6, ("q", "x"): 0.7, ("q", "y"): 0.1}
    m = label_metrics([ex], labels)
    assert m["auc"] == pytest.approx(0.5) and m["pairwise_accuracy"] == pytest.approx(0.5)
    assert m["brier"] == pytest.approx((0.16 + 0.49 + 0.01) / 3)
    assert m["n"] == 3 and m["n_positive"] == 1
    reasons = per_reason([ex], labels)
    assert reasons["constructed:superseded"] == {
        "n": 1,
        "mean_label": 0.7,
        "mean_target": 0.0,  # no grade: 4 * gold
        "ece_graded": pytest.approx(0.7),
        "above_gold": 1.0,
    }
    assert reasons["retrieved:bm25"]["above_gold"] == 0.0
    assert reasons["evidence"]["above_gold"] is None


def test_graded_metrics_and_tiers_read_the_grades():
    ex = example("q", "?", {"g": "gold", "x": "near miss", "y": "far"}, gold=["g"])
    grades = {"g": 4, "x": 2, "y": 0}
    ex = ex.model_copy(
        update={"candidates": [c.model_copy(update={"grade": grades[c.memory.memory_id]}) for c in ex.candidates]}
    )
    labels = {("q", "g"): 0.9, ("q", "x"): 0.5, ("q", "y"): 0.2}
    m = label_metrics([ex], labels)
    assert m["spearman"] == pytest.approx(1.0) and m["auc"] == pytest.approx(1.0)
    # targets 1, .5, 0 in three bins: (.1 + 0 + .2) / 3
    assert m["ece_graded"] == pytest.approx(0.1)
    t = tiers([ex], labels)
    assert t["share_grade"] == {
        "0": pytest.approx(1 / 3),
        "1": 0.0,
        "2": pytest.approx(1 / 3),
        "3": 0.0,
        "4": pytest.approx(1 / 3),
    }
    assert t["share_tier"]["1"] == pytest.approx(1 / 3)  # 0.2 is nearest grade 1
    assert t["at_tier"]["1"] == {
        "precision": pytest.approx(2 / 3),
        "recall": 1.0,
        "kept": 1.0,
        "precision_evidence": pytest.approx(1 / 3),
        "r_precision": 1.0,
    }
    assert t["at_tier"]["4"]["precision"] == 1.0 and t["at_tier"]["4"]["recall"] == 1.0
    swapped = {("q", "g"): 0.5, ("q", "x"): 0.9, ("q", "y"): 0.2}
    assert label_metrics([ex], swapped)["spearman"] == pytest.approx(0.5)


def _j(teacher: str, first: str, second: str, p: float) -> Judgment:
    return Judgment(teacher=teacher, query_id="q", first=first, second=second, p_first=p)


def test_intransitive_triads():
    cycle = [_j("rock", "a", "b", 0.9), _j("rock", "b", "c", 0.8), _j("rock", "c", "a", 0.7)]
    order = [_j("sane", "a", "b", 0.9), _j("sane", "b", "c", 0.8), _j("sane", "a", "c", 0.7), _j("sane", "c", "a", 0.4)]
    tie = [_j("tie", "a", "b", 0.5), _j("tie", "b", "c", 0.8), _j("tie", "a", "c", 0.7)]
    null = [_j("sane", "a", "__none__", 0.1), _j("sane", "__none__", "b", 0.1)]  # left out
    got = intransitive_triads(cycle + order + tie + null)
    assert got["rock"] == {"triads": 1, "intransitive": 1, "rate": 1.0}
    assert got["sane"] == {"triads": 1, "intransitive": 0, "rate": 0.0}
    assert got["tie"] == {"triads": 0, "intransitive": 0, "rate": None}


@pytest.fixture(scope="module")
def report():
    exs = sim.examples(6, seed=11)
    js = (
        sim.pairwise_teacher("scenario", exs, seed=12, sharpness=1.0, noise=0.8)
        + sim.similar(exs, seed=13)
        + sim.lexical(exs, seed=14)
    )
    config = JudgeConfig(
        teachers=[
            TeacherConfig(name="scenario", kind="scenario"),
            TeacherConfig(name="minilm", kind="embedding"),
            TeacherConfig(name="bm25", kind="bm25"),
        ]
    )
    js = [
        j.model_copy(update={"teacher": {"similar": "minilm", "lexical": "bm25"}.get(j.teacher, j.teacher)}) for j in js
    ]
    agg = AggregateConfig(bootstrap=0)
    slice_ids = {"d0", "d1"}
    a = [ex for ex in exs if ex.query.dialogue_id in slice_ids]
    qa = {ex.query.query_id for ex in a}
    ja = [j for j in js if j.query_id in qa]
    labels = aggregate(exs, js, config, agg, fit_calibration(a, ja, config, agg))
    reported = {"d2", "d3", "d4", "d5"}
    out = audit_labels(
        exs,
        js,
        labels,
        judge_config=config,
        aggregate_config=agg,
        calibration_examples=a,
        calibration_judgments=ja,
        reported_dialogues=reported,
    )
    return exs, labels, out


def test_audit_keys_and_figures(report):
    exs, labels, out = report
    json.dumps(out, allow_nan=False)  # JSON-serialisable, no NaN
    for key in ("ece", "ece_adaptive", "brier", "auc", "pairwise_accuracy"):
        assert key in out["pooled"] and key in out["pooled_without_scenario"]
    assert set(out["per_skill"]) == set(sim.SKILLS)
    assert out["per_skill"]["unanswerable"]["auc"] is None
    assert set(out["per_teacher"]) == {"scenario", "minilm", "bm25"}
    assert out["counts"]["reported_dialogues"] == 4 and out["counts"]["calibration_dialogues"] == 2
    reported = [ex for ex in exs if ex.query.dialogue_id not in {"d0", "d1"}]
    assert out["counts"]["queries"] == len(reported)
    assert sum(out["label_histogram"]["counts"]) == out["counts"]["candidates"] == out["pooled"]["n"]
    # the pooled figures are the labels of the reported dialogues against gold, nothing else
    mine = {(s.query_id, s.memory_id): s.label for s in labels}
    assert out["pooled"]["ece"] == pytest.approx(label_metrics(reported, mine)["ece"])
    assert out["pooled"]["auc"] > 0.97 and out["pooled"]["ece"] < 0.08
    # the panel without the scenario teacher is worse, and hard negatives fool it more than retrieved ones
    without = out["pooled_without_scenario"]
    assert without["teachers"] == ["minilm", "bm25"] and without["auc"] < out["pooled"]["auc"]
    reasons = without["per_reason"]
    assert reasons["constructed:superseded"]["above_gold"] > reasons["retrieved:embedding"]["above_gold"]
    teachers = out["per_teacher"]
    assert teachers["bm25"]["weight"] == 0.0 and teachers["bm25"]["uncalibrated"]["auc"] < 0.5
    assert teachers["scenario"]["weight"] > teachers["minilm"]["weight"] > 0
    assert teachers["minilm"]["position_flip_rate"] == 0.0 and teachers["scenario"]["position_flip_rate"] > 0
    assert set(out["agreement"]["pairs"]) == {"bm25~minilm", "bm25~scenario", "minilm~scenario"}
    assert out["agreement"]["pairs"]["minilm~scenario"] > out["agreement"]["pairs"]["bm25~scenario"]
