from __future__ import annotations

import os

import pytest

from judges.anchor import NULL_ID
from judges.teachers import PointwiseTeacher, make_teacher
from judges.teachers.bm25 import bm25_scores
from judges.teachers.embedding import embedding_scores
from schemas import TeacherConfig
from tests.judges.toy import example, guitar, porto

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _by_id(ex, scores):
    return {c.memory.memory_id: float(s) for c, s in zip(ex.candidates, scores, strict=True)}


def test_bm25_ranks_shared_words_above_unrelated():
    ex = porto()
    (scores,) = bm25_scores([ex])
    s = _by_id(ex, scores)
    assert s["m_gold"] == max(s.values())
    assert s["m_gold"] > s["m_cat"]


def test_bm25_teacher_judgments_prefer_shared_words():
    ex = porto()
    teacher = make_teacher(TeacherConfig(name="bm25", kind="bm25"))
    js = teacher.judge([ex], [[("m_gold", "m_film"), ("m_film", "m_gold")]])
    assert [j.teacher for j in js] == ["bm25", "bm25"]
    assert js[0].p_first > 0.5 > js[1].p_first
    assert js[0].p_first + js[1].p_first == pytest.approx(1.0)


def test_embedding_ranks_paraphrase_above_unrelated():
    # no words shared with the question beyond the rendering: relevance is only in meaning
    ex = example(
        "q_job",
        "What does Anna do for a living?",
        {
            "e_gold": "I work as a nurse at the city hospital, night shifts mostly.",
            "e_cat": "My cat knocked a glass off the kitchen table this morning.",
            "e_rain": "It rained all weekend so we stayed inside.",
        },
        gold=["e_gold"],
    )
    scores = embedding_scores([ex, guitar()])
    s = _by_id(ex, scores[0])
    assert s["e_gold"] > s["e_cat"]
    assert s["e_gold"] > s["e_rain"]
    g = _by_id(guitar(), scores[1])
    assert g["g_gold"] == max(g.values())
    assert all(-1.0 <= v <= 1.0 + 1e-6 for v in [*s.values(), *g.values()])


def test_embedding_scores_do_not_depend_on_batch():
    alone = embedding_scores([porto()])[0]
    together = embedding_scores([guitar(), porto()])[1]
    assert alone == pytest.approx(together, abs=1e-5)


def test_embedding_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a local model directory"):
        embedding_scores([porto()], model_path=str(tmp_path / "nope"))


def test_pointwise_teachers_skip_the_null_and_score_each_example_once():
    calls: list[list[str]] = []

    def scorer(examples):
        calls.append([ex.query.query_id for ex in examples])
        return bm25_scores(examples)

    teacher = PointwiseTeacher(name="counted", temperature=1.0, score=scorer)
    ex, other = porto(), guitar()
    pairs = [("m_gold", "m_cat"), ("m_cat", NULL_ID), (NULL_ID, "m_gold")]
    js = teacher.judge([ex, other], [pairs, []], [])
    assert [(j.first, j.second) for j in js] == [("m_gold", "m_cat")]  # no judgment, no failure for the null
    assert calls == [["q_porto"]]  # an example with no pairs is not scored
    again = teacher.judge([ex, other], [[("m_cat", "m_gold")], [("g_gold", "g_car")]], [])
    assert calls == [["q_porto"], ["q_guitar"]]  # porto's scores were kept
    assert again[0].p_first == pytest.approx(1 - js[0].p_first)


def test_local_model_teachers_need_a_model_dir(tmp_path):
    for kind in ("cross_encoder", "yes_no"):
        with pytest.raises(ValueError, match="needs `model`"):
            make_teacher(TeacherConfig(name="t", kind=kind))
        teacher = make_teacher(TeacherConfig(name="t", kind=kind, model=str(tmp_path / "nope")))
        with pytest.raises(ValueError, match="not a local model directory"):
            teacher.judge([porto()], [[("m_gold", "m_cat")]], [])
