"""Active pairing: a sparse connected start, rounds chosen from the fit so far, within the per-query budget."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import pytest

from judges import judge
from judges.anchor import NULL_ID
from judges.bradley_terry import fit
from judges.pairing import ActivePlan, all_pairs_count
from schemas import JudgeConfig, Judgment, TeacherConfig
from tests.judges.test_scenario_teacher import ORIGINS, with_origins
from tests.judges.toy import guitar, porto

PANEL = [TeacherConfig(name="world", kind="scenario"), TeacherConfig(name="bm25", kind="bm25")]


def examples():
    return [with_origins(porto(), ORIGINS), with_origins(guitar(), {m: o for m, o in zip(
        ["g_cook", "g_gold", "g_rain", "g_car"], ["retrieved:bm25", "evidence", "constructed:other_time",
                                                  "constructed:lexical"], strict=True)})]  # fmt: skip


def asked(js: list[Judgment], query_id: str, teacher: str = "world") -> list[tuple[str, str]]:
    return [(j.first, j.second) for j in js if j.query_id == query_id and j.teacher == teacher]


def connected(nodes: list[str], edges: list[tuple[str, str]]) -> bool:
    seen, todo = {nodes[0]}, [nodes[0]]
    while todo:
        here = todo.pop()
        for a, b in edges:
            for x, y in ((a, b), (b, a)):
                if x == here and y not in seen:
                    seen.add(y)
                    todo.append(y)
    return seen == set(nodes)


def test_first_round_is_a_connected_path_with_the_null_at_its_end():
    ex = examples()[0]
    plan = ActivePlan.start(ex, 1.0, both_orders=True, seed=4, null_anchor=True)
    pairs = plan.first_round()
    ids = [c.memory.memory_id for c in ex.candidates]
    unordered = pairs[::2]
    assert pairs[1::2] == [(b, a) for a, b in unordered]  # both orders
    assert len(unordered) == len(ids)  # n - 1 path edges + one to the null
    candidate_edges = [p for p in unordered if NULL_ID not in p]
    assert connected(ids, candidate_edges)  # connected for teachers that skip the null too
    assert sum(NULL_ID in p for p in unordered) == 1
    assert max(Counter(m for p in candidate_edges for m in p).values()) <= 2  # a path


def test_next_round_asks_the_most_uncertain_open_pair():
    strengths = {"m_gold": 5.0, "m_cat": 0.01, "m_bike": 0.0, "m_film": -5.0, "m_job": -10.0}
    plan = ActivePlan(list(strengths), both_orders=False, budget=10, rng=random.Random(0))
    chosen = plan.next_round(strengths)
    assert len(chosen) == math.ceil(0.25 * 5)
    assert frozenset(chosen[0]) == frozenset(("m_cat", "m_bike"))
    # a pair with the null anchor counts for the share of teachers that can judge it
    null_strengths = {"a": 0.0, NULL_ID: 0.0, "b": 0.3, "c": 5.0}
    plan = ActivePlan(list(null_strengths), both_orders=False, budget=6, rng=random.Random(0), null_share=0.5)
    assert frozenset(plan.next_round(null_strengths)[0]) == frozenset(("a", "b"))
    plan = ActivePlan(list(null_strengths), both_orders=False, budget=6, rng=random.Random(0), null_share=1.0)
    assert frozenset(plan.next_round(null_strengths)[0]) == frozenset(("a", NULL_ID))
    # rounds go on until every pair is asked, then stop
    while plan.room:
        assert plan.next_round(null_strengths)
    assert plan.asked == {frozenset(p) for p in itertools.combinations(null_strengths, 2)}
    assert plan.next_round(null_strengths) == []


@pytest.mark.parametrize("budget", [0.2, 0.35, 0.6])
def test_active_spends_at_most_the_budget_of_all_pairs_calls(budget):
    exs = examples()
    config = JudgeConfig(teachers=PANEL, pairing="active", active_budget=budget)
    js = judge(exs, config, seed=5)
    for ex in exs:
        q = ex.query.query_id
        n = len(ex.candidates)
        mine = asked(js, q)
        total = all_pairs_count(n, both_orders=True, null_anchor=True)
        assert len(mine) == len(set(mine)) == 2 * math.floor(budget * total / 2 + 1e-9)
        assert len(mine) <= budget * total
        assert set(mine) == {(b, a) for a, b in mine}  # both orders of every asked pair
        # bm25 answers the same pairs except those with the null
        assert asked(js, q, "bm25") == [p for p in mine if NULL_ID not in p]
    # ordered by example, then teacher, then pair
    keys = [(j.query_id, j.teacher) for j in js]
    runs = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
    assert runs == [(ex.query.query_id, t.name) for ex in exs for t in PANEL]


def test_active_is_deterministic_and_independent_of_the_batch():
    exs = examples()
    config = JudgeConfig(teachers=PANEL, pairing="active", active_budget=0.4)
    js = judge(exs, config, seed=2)
    assert judge(exs, config, seed=2) == js
    alone = judge(exs[1:], config, seed=2)
    assert alone == [j for j in js if j.query_id == exs[1].query.query_id]
    others = {tuple(asked(judge(exs, config, seed=s), "q_porto")) for s in range(5)}
    assert len(others) > 1


def test_active_with_the_whole_budget_asks_every_pair():
    exs = examples()
    full = judge(exs, JudgeConfig(teachers=PANEL), seed=1)
    active = judge(exs, JudgeConfig(teachers=PANEL, pairing="active", active_budget=1.0), seed=1)
    assert sorted(full, key=lambda j: (j.query_id, j.teacher, j.first, j.second)) == sorted(
        active, key=lambda j: (j.query_id, j.teacher, j.first, j.second)
    )


def test_a_consistent_teacher_ranks_alike_with_half_the_calls():
    ex = examples()[0]
    ids = [c.memory.memory_id for c in ex.candidates]
    teachers = [TeacherConfig(name="bm25", kind="bm25")]

    def order(js: list[Judgment]) -> list[str]:
        s = fit(ids, [(j.first, j.second, j.p_first, 1.0) for j in js], prior=0.0, max_iter=2000)
        return sorted(ids, key=s.get)

    full = judge([ex], JudgeConfig(teachers=teachers), seed=0)
    half = judge([ex], JudgeConfig(teachers=teachers, pairing="active", active_budget=0.5), seed=0)
    assert len(half) == len(full) // 2
    assert order(half) == order(full)
