from __future__ import annotations

from collections import Counter

import pytest

import generators
from schemas import BuildConfig, GeneratedDialogue
from tests.generators.helpers import answering_ids, make_config


@pytest.fixture(scope="module")
def examples(config, dialogues):
    return {g.dialogue.dialogue_id: generators.build_candidates(g, config) for g in dialogues}


def expresses(g: GeneratedDialogue) -> dict[str, set[str]]:
    return {t.turn_id: set(t.expresses) for s in g.dialogue.sessions for t in s.turns}


def test_gold_is_exactly_the_evidence_and_candidates_precede_the_query(dialogues, examples):
    for g in dialogues:
        exs = examples[g.dialogue.dialogue_id]
        assert [e.query for e in exs] == g.queries
        for e in exs:
            assert {c.memory.memory_id for c in e.candidates if c.gold} == set(e.query.evidence)
            assert all(c.origin == "evidence" for c in e.candidates if c.gold)
            assert all(c.memory.timestamp <= e.query.query_time for c in e.candidates)


def test_no_negative_expresses_an_answer(dialogues, examples):
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            needed = answering_ids(g, e.query.query_id)
            for c in e.candidates:
                if not c.gold:
                    assert not needed & said[c.memory.memory_id], (e.query.text, c)


def test_constructed_reasons_are_varied_and_match_the_scenario(dialogues, examples):
    reasons = Counter()
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            plan = g.world["query_plans"][e.query.query_id]
            by_reason = {n["reason"]: set(n["ids"]) for n in plan["negatives"]}
            for c in e.candidates:
                if c.origin.startswith("constructed:"):
                    reason = c.origin.split(":", 1)[1]
                    reasons[reason] += 1
                    if reason == "lexical":
                        assert not said[c.memory.memory_id]
                    else:
                        assert by_reason[reason] & said[c.memory.memory_id]
    assert len(reasons) >= 5, reasons
    assert {"superseded", "other_time", "wrong_referent", "effect_for_cause", "lexical"} <= set(reasons)


def test_superseded_fact_is_a_constructed_negative_of_temporal_queries(dialogues, examples):
    checked = 0
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            plan = g.world["query_plans"][e.query.query_id]
            old = [set(n["ids"]) for n in plan["negatives"] if n["reason"] == "superseded"]
            if e.query.skill != "temporal" or not old:
                continue
            origins = {c.memory.memory_id: c.origin for c in e.candidates}
            old_turns = [t for t, ids in said.items() if ids & old[0] and t in origins]
            assert old_turns and all(origins[t] == "constructed:superseded" for t in old_turns)
            checked += 1
    assert checked >= 2


def test_causal_effect_turn_is_a_negative(dialogues, examples):
    checked = 0
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            if e.query.skill != "causal":
                continue
            effect = g.world["query_plans"][e.query.query_id]["about"]["effect"]
            origins = {c.memory.memory_id: c.origin for c in e.candidates}
            effect_turns = [t for t, ids in said.items() if effect in ids]
            assert any(origins.get(t) == "constructed:effect_for_cause" for t in effect_turns)
            checked += 1
    assert checked == 2 * len(dialogues)


def test_retrieved_negatives_come_from_bm25(examples):
    origins = Counter(c.origin for exs in examples.values() for e in exs for c in e.candidates)
    assert origins["retrieved:bm25"] > 0


def test_gold_is_not_always_first(examples):
    firsts = [e.candidates[0].gold for exs in examples.values() for e in exs]
    assert 0 < sum(firsts) < len(firsts)


@pytest.mark.parametrize(("constructed", "retrieved", "max_candidates"), [(3, 3, 4), (0, 2, 8), (2, 0, 8), (5, 5, 20)])
def test_candidates_respect_config(dialogues, constructed, retrieved, max_candidates):
    config = BuildConfig.model_validate(
        {
            "seed": 13,
            "generate": {"queries_per_skill": 2},
            "candidates": {"constructed": constructed, "retrieved": retrieved, "max_candidates": max_candidates},
        }
    )
    for g in dialogues[:4]:
        for e in generators.build_candidates(g, config):
            kinds = Counter(c.origin.split(":")[0] for c in e.candidates)
            assert kinds["evidence"] == len(e.query.evidence)
            assert kinds["constructed"] <= constructed and kinds["retrieved"] <= retrieved
            assert len(e.candidates) <= max(max_candidates, len(e.query.evidence))
            if max_candidates == 4 and len(e.query.evidence) < 4:
                assert len(e.candidates) == 4  # filled up to the cap


def test_candidate_order_depends_on_the_seed(dialogues):
    g = dialogues[0]
    a = generators.build_candidates(g, make_config(queries_per_skill=2))
    b = generators.build_candidates(g, make_config(queries_per_skill=2).model_copy(update={"seed": 99}))
    orders = [[c.memory.memory_id for c in e.candidates] for e in a]
    assert orders != [[c.memory.memory_id for c in e.candidates] for e in b]
    assert [sorted(o) for o in orders] == [sorted(c.memory.memory_id for c in e.candidates) for e in b]


def test_missing_plan_is_a_clear_error(config, dialogues):
    g = dialogues[0]
    broken = g.model_copy(update={"world": {k: v for k, v in g.world.items() if k != "query_plans"}})
    with pytest.raises(ValueError, match="query_plans"):
        generators.build_candidates(broken, config)
