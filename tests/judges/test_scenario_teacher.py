"""The scenario teacher: graded usefulness from how each candidate was made."""

from __future__ import annotations

import math

import pytest

from judges import judge
from judges.anchor import NULL_ID
from judges.teachers import make_teacher
from judges.teachers.scenario import FULL_ANSWER, LINK, NEAR, NEIGHBOUR, NULL_GRADE, UNRELATED, grades
from schemas import Candidate, Example, JudgeConfig, TeacherConfig
from tests.judges.toy import porto


def with_origins(ex: Example, origins: dict[str, str], skill: str = "temporal") -> Example:
    """`ex` with candidate origins replaced (gold follows `evidence`), and the query's skill and evidence set."""
    candidates = [
        Candidate(
            memory=c.memory, gold=int(origins[c.memory.memory_id] == "evidence"), origin=origins[c.memory.memory_id]
        )
        for c in ex.candidates
    ]
    evidence = [m for m, o in origins.items() if o == "evidence"]
    query = ex.query.model_copy(update={"skill": skill, "evidence": evidence})
    return Example(query=query, candidates=candidates)


ORIGINS = {
    "m_gold": "evidence",
    "m_cat": "constructed:superseded",
    "m_bike": "constructed:lexical",
    "m_film": "retrieved:bm25",
    "m_job": "constructed:wrong_referent",
}


def test_grades_full_answer_near_miss_null_and_unrelated():
    g = grades(with_origins(porto(), ORIGINS))
    assert g == {
        "m_gold": FULL_ANSWER,
        "m_cat": NEAR,
        "m_bike": UNRELATED,
        "m_film": UNRELATED,
        "m_job": NEIGHBOUR,
        NULL_ID: NULL_GRADE,
    }
    assert FULL_ANSWER > LINK > NULL_GRADE > NEAR > NEIGHBOUR > UNRELATED


def test_a_candidate_grade_from_the_scenario_wins_over_its_origin():
    ex = with_origins(porto(), ORIGINS)
    graded = [c.model_copy(update={"grade": 3}) if c.gold else c for c in ex.candidates]
    assert grades(ex.model_copy(update={"candidates": graded}))["m_gold"] == LINK


def test_multi_hop_links_sit_below_a_full_answer():
    chain = with_origins(porto(), {**ORIGINS, "m_job": "evidence"}, skill="multi_hop")
    g = grades(chain)
    assert g["m_gold"] == g["m_job"] == LINK
    # a multi_hop query whose one evidence turn holds the whole chain: that turn is a full answer
    assert grades(with_origins(porto(), ORIGINS, skill="multi_hop"))["m_gold"] == FULL_ANSWER
    # without a scenario grade, one evidence turn of several is a part of the answer, whatever the skill
    assert grades(with_origins(porto(), {**ORIGINS, "m_job": "evidence"}))["m_job"] == LINK
    assert grades(with_origins(porto(), ORIGINS, skill="speaker_swap"))["m_gold"] == LINK


def test_unanswerable_query_puts_the_null_above_every_candidate():
    ex = with_origins(porto(), {**ORIGINS, "m_gold": "constructed:other_person"}, skill="unanswerable")
    g = grades(ex)
    assert all(g[NULL_ID] > v for m, v in g.items() if m != NULL_ID)


def test_pair_probability_is_a_sigmoid_of_the_grade_gap():
    ex = with_origins(porto(), ORIGINS)
    pairs = [("m_gold", "m_film"), ("m_film", "m_gold"), ("m_cat", NULL_ID), ("m_bike", "m_film")]
    for temperature in (1.0, 2.0):
        teacher = make_teacher(TeacherConfig(name="world", kind="scenario", temperature=temperature))
        js = teacher.judge([ex], [pairs], [])
        p = {(j.first, j.second): j.p_first for j in js}
        assert p[("m_gold", "m_film")] == pytest.approx(1 / (1 + math.exp(-4.0 / temperature)))
        assert p[("m_gold", "m_film")] + p[("m_film", "m_gold")] == pytest.approx(1.0)
        assert p[("m_cat", NULL_ID)] == pytest.approx(1 / (1 + math.exp(0.5 / temperature)))  # superseded: 2
        assert p[("m_bike", "m_film")] == 0.5
        assert js[0].raw == "g1=4 g2=0" and all(j.teacher == "world" for j in js)


def test_unknown_origin_is_a_clear_error():
    ex = with_origins(porto(), {**ORIGINS, "m_cat": "constructed:invented"})
    with pytest.raises(ValueError, match="constructed:invented"):
        grades(ex)


def test_judge_with_the_scenario_teacher_includes_the_null_pairs():
    ex = with_origins(porto(), ORIGINS)
    n = len(ex.candidates)
    config = JudgeConfig(teachers=[TeacherConfig(name="world", kind="scenario")])
    js = judge([ex], config, seed=0)
    assert len(js) == (n + 1) * n
    assert sum(NULL_ID in (j.first, j.second) for j in js) == 2 * n
    off = judge([ex], config.model_copy(update={"null_anchor": False}), seed=0)
    assert len(off) == n * (n - 1) and not any(NULL_ID in (j.first, j.second) for j in off)
    assert js == judge([ex], config, seed=0)
