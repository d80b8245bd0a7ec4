"""fit_calibration: pair recalibration, earned weights, the calibrator, and that it only ever sees its slice."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from judges import Calibration, aggregate, audit_labels, fit_calibration
from judges.pairing import all_pairs
from judges.teachers.scenario import ScenarioTeacher
from schemas import AggregateConfig, JudgeConfig, Judgment, TeacherConfig, grade_of
from scoring.metrics import ece
from tests.judges import sim

AGG = AggregateConfig(bootstrap=0)


def _config(*names: str, kind: str = "bm25") -> JudgeConfig:
    return JudgeConfig(teachers=[TeacherConfig(name=n, kind=kind) for n in names])


def _split(examples, judgments, n_slice: int):
    dialogues = sorted({ex.query.dialogue_id for ex in examples}, key=lambda d: int(d[1:]))
    slice_ids = set(dialogues[:n_slice])
    a = [ex for ex in examples if ex.query.dialogue_id in slice_ids]
    b = [ex for ex in examples if ex.query.dialogue_id not in slice_ids]
    qa = {ex.query.query_id for ex in a}
    return a, [j for j in judgments if j.query_id in qa], b, [j for j in judgments if j.query_id not in qa]


def _flat(examples, labels):
    label = {(s.query_id, s.memory_id): s.label for s in labels}
    p = np.array([label[(ex.query.query_id, c.memory.memory_id)] for ex in examples for c in ex.candidates])
    y = np.array([c.gold for ex in examples for c in ex.candidates], dtype=float)
    return p, y


def _renamed(judgments: list[Judgment], name: str) -> list[Judgment]:
    return [j.model_copy(update={"teacher": name}) for j in judgments]


def _inverted(judgments: list[Judgment], name: str) -> list[Judgment]:
    return [j.model_copy(update={"teacher": name, "p_first": 1.0 - j.p_first}) for j in judgments]


def test_earned_weights_rank_teachers_and_zero_the_worse_than_chance():
    exs = sim.examples(4, seed=0)
    perfect = sim.pairwise_teacher("perfect", exs, seed=1, sharpness=2.0, noise=0.0)
    noisy = sim.pairwise_teacher("noisy", exs, seed=2, sharpness=0.5, noise=1.5)
    contrary = _inverted(sim.pairwise_teacher("x", exs, seed=3, sharpness=1.0, noise=0.5), "contrary")
    lexical = sim.lexical(exs, seed=4)  # prefers the negatives it retrieved itself
    config = _config("perfect", "noisy", "contrary", "lexical")
    cal = fit_calibration(exs, perfect + noisy + contrary + lexical, config, AGG)
    t = cal.teachers
    assert t["perfect"].accuracy == 1.0 and t["perfect"].source == "gold"
    assert t["perfect"].weight > t["noisy"].weight > 0
    assert t["contrary"].accuracy < 0.2 and t["contrary"].weight == 0.0
    assert t["lexical"].accuracy < 0.5 and t["lexical"].weight == 0.0
    # config weights when asked for
    plain = fit_calibration(
        exs, perfect + contrary, _config("perfect", "contrary"), AGG.model_copy(update={"weights": "config"})
    )
    assert plain.teachers["contrary"].weight == 1.0 and plain.weights == "config"


def test_pair_temperature_is_fitted_not_guessed():
    exs = sim.examples(4, seed=0)
    timid = sim.pairwise_teacher("timid", exs, seed=1, sharpness=0.3, noise=0.0)  # right, but barely leaves 0.5
    cal = fit_calibration(exs, timid, _config("timid"), AGG)
    assert cal.teachers["timid"].slope > 3.0  # sharpened to match how often it is right
    loud = _renamed(sim.pairwise_teacher("x", exs, seed=1, sharpness=4.0, noise=3.0), "loud")  # confident, noisy
    assert fit_calibration(exs, loud, _config("loud"), AGG).teachers["loud"].slope < 1.0


def test_calibrated_labels_are_calibrated_on_held_out_dialogues_and_raw_win_rates_are_not():
    exs = sim.examples(36, seed=5)
    js = sim.similar(exs, seed=6)  # pointwise, no null pairs: relative strengths
    a, ja, b, jb = _split(exs, js, n_slice=12)
    config = _config("similar", kind="embedding")
    for kind in ("platt", "isotonic"):
        agg = AGG.model_copy(update={"calibrator": kind})
        cal = fit_calibration(a, ja, config, agg)
        assert cal.anchored is None and cal.relative is not None and cal.relative.kind == kind
        p, y = _flat(b, aggregate(b, jb, config, agg, cal))
        assert ece(p, y) < 0.04
        assert np.mean((p > 0.1) & (p < 0.9)) > 0.3  # a middling teacher gives middling probabilities
    raw, y = _flat(b, aggregate(b, jb, config, AGG))
    assert ece(raw, y) > 0.2  # win rates centre on 0.5, the base rate is ~0.15


def test_calibration_json_round_trip():
    exs = sim.examples(3, seed=0)
    js = sim.pairwise_teacher("scenario", exs, seed=1) + sim.similar(exs, seed=2)
    config = JudgeConfig(
        teachers=[TeacherConfig(name="scenario", kind="scenario"), TeacherConfig(name="similar", kind="embedding")]
    )
    for kind in ("platt", "isotonic"):
        cal = fit_calibration(exs, js, config, AGG.model_copy(update={"calibrator": kind}))
        assert cal.anchored is not None and cal.anchored.feature == "anchored"
        again = Calibration.from_json(cal.to_json())
        assert again == cal
        assert json.loads(again.to_json()) == json.loads(cal.to_json())
        assert cal.dialogues == ["d0", "d1", "d2"] and cal.n_queries == len(exs)


def test_the_calibrator_never_sees_reported_dialogues():
    exs = sim.examples(8, seed=2)
    js = sim.pairwise_teacher("scenario", exs, seed=3, sharpness=1.0, noise=0.8) + sim.similar(exs, seed=4)
    config = JudgeConfig(
        teachers=[TeacherConfig(name="scenario", kind="scenario"), TeacherConfig(name="similar", kind="embedding")]
    )
    a, ja, b, jb = _split(exs, js, n_slice=3)
    cal = fit_calibration(a, ja, config, AGG)
    assert not set(cal.dialogues) & {ex.query.dialogue_id for ex in b}
    # poison every judgment of the reported slice: the calibration (and its audit copy) does not move
    poisoned = [j.model_copy(update={"p_first": 1.0 - j.p_first}) for j in jb]
    assert fit_calibration(a, ja, config, AGG) == cal
    with pytest.raises(ValueError, match="not among the examples"):  # judgments of B cannot reach the fit
        fit_calibration(a, ja + poisoned, config, AGG)
    clean = aggregate(b, jb, config, AGG, cal)
    bad = aggregate(b, poisoned, config, AGG, cal)
    assert [s.label for s in clean] != [s.label for s in bad]
    reported = {ex.query.dialogue_id for ex in b}
    kwargs = dict(judge_config=config, aggregate_config=AGG, calibration_examples=a, calibration_judgments=ja)
    first = audit_labels(b, jb, clean, reported_dialogues=reported, **kwargs)
    second = audit_labels(b, poisoned, bad, reported_dialogues=reported, **kwargs)
    assert first["calibration"] == second["calibration"] == cal.model_dump(mode="json", exclude={"dialogues"})
    assert first["pooled"]["auc"] > 0.9 > second["pooled"]["auc"]
    # a calibration dialogue among the reported ones is refused
    with pytest.raises(ValueError, match="calibration-slice dialogues"):
        audit_labels(exs, js, aggregate(exs, js, config, AGG, cal), reported_dialogues=reported | {"d0"}, **kwargs)


def _with_grades(examples):
    """The sim's examples with the grades `schemas.grade_of` gives their origins (evidence 4 alone, 3 as a part)."""
    out = []
    for ex in examples:
        alone = len(ex.query.evidence) == 1
        graded = [c.model_copy(update={"grade": grade_of(c.origin, ex.query.skill, alone)}) for c in ex.candidates]
        out.append(ex.model_copy(update={"candidates": graded}))
    return out


def test_a_teacher_that_reads_the_grades_keeps_every_tier_beside_weak_teachers():
    exs = _with_grades(sim.examples(24, seed=7))
    pairs = [all_pairs(ex, both_orders=True, rng=random.Random(0), null_anchor=True) for ex in exs]
    js = ScenarioTeacher("scenario").judge(exs, pairs) + sim.similar(exs, seed=8) + sim.lexical(exs, seed=9)
    a, ja, b, jb = _split(exs, js, n_slice=8)
    config = JudgeConfig(
        teachers=[
            TeacherConfig(name="scenario", kind="scenario"),
            TeacherConfig(name="similar", kind="embedding"),
            TeacherConfig(name="lexical", kind="bm25"),
        ]
    )
    cal = fit_calibration(a, ja, config, AGG)
    # fitted to graded pair targets, the grade reader keeps one logit per grade (binary targets saturate it at 50)
    assert cal.teachers["scenario"].slope == pytest.approx(1.0, abs=0.05)
    labels = {(s.query_id, s.memory_id): s for s in aggregate(b, jb, config, AGG, cal)}
    tiers = np.array([labels[(ex.query.query_id, c.memory.memory_id)].tier for ex in b for c in ex.candidates])
    grades = np.array([c.graded() for ex in b for c in ex.candidates])
    assert set(grades) == {0, 1, 2, 3, 4}
    assert np.mean(tiers == grades) > 0.95  # every grade lands in its own tier, the top one included
