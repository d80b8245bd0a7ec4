"""Active pairing: a sparse connected start, rounds chosen from the fit so far, within the per-query budget."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import numpy as np
import pytest

from judges import judge
from judges.anchor import NULL_ID
from judges.bradley_terry import fit
from judges.pairing import ActivePlan, all_pairs_count
from schemas import JudgeConfig, Judgment, TeacherConfig
from tests.judges.test_scenario_teacher import ORIGINS, with_origins
from tests.judges.toy import guitar, porto

PANEL = [TeacherConfig(name="world", kind="scenario"), TeacherConfig(name="bm25", kind="bm25")]
WEIGHTS = {"grade": 1.0, "sim": 1.0}


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
    plan = ActivePlan.start(ex, 1.0, both_orders=True, seed=4, null_anchor=True, weights=WEIGHTS)
    pairs = plan.first_round()
    ids = [c.memory.memory_id for c in ex.candidates]
    unordered = pairs[::2]
    assert pairs[1::2] == [(b, a) for a, b in unordered]  # both orders
    assert len(unordered) == len(ids)  # n - 1 path edges + one to the null
    candidate_edges = [p for p in unordered if NULL_ID not in p]
    assert connected(ids, candidate_edges)  # connected for teachers that skip the null too
    assert sum(NULL_ID in p for p in unordered) == 1
    assert max(Counter(m for p in candidate_edges for m in p).values()) <= 2  # a path


def simulated_query(rng: np.random.Generator, n: int = 7) -> dict[str, dict[str, float]]:
    """Two consistent teachers that disagree, like the keyless panel: graded usefulness (with the null anchor) and a
    similarity that only partly follows it."""
    grades = rng.choice([3.0, 1.0, 0.0, 0.0], size=n)
    ids = [f"m{k}" for k in range(n)]
    return {
        "grade": {**dict(zip(ids, grades.tolist(), strict=True)), NULL_ID: 1.5},
        "sim": dict(zip(ids, (0.5 * grades + rng.normal(0.0, 1.0, n)).tolist(), strict=True)),
    }


def verdicts(truth: dict[str, dict[str, float]], pairs: list[tuple[str, str]]) -> list[Judgment]:
    return [
        Judgment(teacher=t, query_id="q", first=a, second=b, p_first=1.0 / (1.0 + math.exp(s[b] - s[a])))
        for t, s in truth.items()
        for a, b in pairs
        if a in s and b in s
    ]


def pooled(items: list[str], js: list[Judgment]) -> dict[str, float]:
    return fit(items, [(j.first, j.second, j.p_first, WEIGHTS[j.teacher]) for j in js], prior=0.1, max_iter=100)


def tau(x: dict[str, float], y: dict[str, float], ids: list[str]) -> float:
    pairs = list(itertools.combinations(ids, 2))
    return sum(np.sign(x[a] - x[b]) * np.sign(y[a] - y[b]) for a, b in pairs) / len(pairs)


def run_plan(truth: dict[str, dict[str, float]], seed: int, budget: float, informed: bool) -> float:
    """Kendall tau (over the real items) of the pooled fit of what the plan asked against that of all pairs."""
    items = [*truth["sim"], NULL_ID]
    total = len(items) * (len(items) - 1) // 2
    plan = ActivePlan(items, True, math.floor(budget * total), random.Random(seed), WEIGHTS, frozenset({"grade"}))
    js = verdicts(truth, plan.first_round())
    while plan.room:
        if informed:
            js += verdicts(truth, plan.next_round(js))
        else:  # the same budget spent on open pairs drawn at random
            open_pairs = [p for p in itertools.combinations(items, 2) if frozenset(p) not in plan.asked]
            js += verdicts(truth, plan._ask([plan.rng.choice(open_pairs)]))
    reference = pooled(items, verdicts(truth, list(itertools.permutations(items, 2))))
    return tau(reference, pooled(items, js), list(truth["sim"]))


def test_rounds_aim_at_the_all_pairs_ranking_of_disagreeing_teachers():
    rng = np.random.default_rng(0)
    queries = [simulated_query(rng) for _ in range(40)]
    informed = [run_plan(truth, k, 0.35, informed=True) for k, truth in enumerate(queries)]
    at_random = [run_plan(truth, k, 0.35, informed=False) for k, truth in enumerate(queries)]
    assert np.mean(informed) >= 0.95
    assert np.mean(informed) > np.mean(at_random) + 0.05


def test_rounds_go_on_until_every_pair_is_asked_then_stop():
    truth = simulated_query(np.random.default_rng(1), n=5)
    items = [*truth["sim"], NULL_ID]
    plan = ActivePlan(items, False, 15, random.Random(0), WEIGHTS, frozenset({"grade"}))
    js = verdicts(truth, plan.first_round())
    assert len(plan.asked) == 5
    sizes = []
    while plan.room:
        asked = plan.next_round(js)
        assert len(asked) == len({frozenset(p) for p in asked}) == math.ceil(0.25 * len(items))  # one order each
        sizes.append(len(asked))
        js += verdicts(truth, asked)
    assert sum(sizes) == 10
    assert plan.asked == {frozenset(p) for p in itertools.combinations(items, 2)}
    assert plan.next_round(js) == []


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
