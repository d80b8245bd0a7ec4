from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

import generators
from generators.retrieve import bm25_ranking, embedding_rankings, interleave
from schemas import REASON_GRADE, BuildConfig, ContextTurn, GeneratedDialogue, Memory, Query
from tests.generators.helpers import answering_ids, digests_across_hash_seeds

# the skills `answering_ids` recomputes gold for (the other writers have their own tests)
SKILLS = ["temporal", "causal", "coreference"]


def make_config(seed: int = 13, **candidates) -> BuildConfig:
    return BuildConfig.model_validate(
        {"seed": seed, "generate": {"skills": SKILLS, "queries_per_skill": 2}, "candidates": candidates}
    )


@pytest.fixture(scope="module")
def config() -> BuildConfig:
    return make_config()


@pytest.fixture(scope="module")
def dialogues(config) -> list[GeneratedDialogue]:
    return [generators.generate_dialogue(config, i) for i in range(8)]


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


def test_grades_follow_the_scenario(dialogues, examples):
    """Evidence that states every answer is 4, one part of several (or a speaker_swap turn) 3; negatives by reason."""
    seen = set()
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            needed = answering_ids(g, e.query.query_id) & set().union(*(said[c.memory.memory_id] for c in e.candidates))
            for c in e.candidates:
                kind, _, reason = c.origin.partition(":")
                if kind == "evidence":
                    alone = needed <= said[c.memory.memory_id] and e.query.skill != "speaker_swap"
                    assert c.grade == (4 if alone else 3), (e.query.skill, c)
                else:
                    assert c.grade == (REASON_GRADE[reason] if kind == "constructed" else 0)
                seen.add(c.grade)
    assert seen == {0, 1, 2, 3, 4}


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
                    if reason in ("other_query", "same_topic", "filler"):
                        continue  # whole-dialogue negatives: test_whole_dialogue_negatives
                    reasons[reason] += 1
                    if reason == "lexical":
                        assert not said[c.memory.memory_id]
                    else:
                        assert by_reason[reason] & said[c.memory.memory_id]
    assert len(reasons) >= 5, reasons
    assert {"superseded", "other_time", "wrong_referent", "effect_for_cause", "lexical"} <= set(reasons)


def test_whole_dialogue_negatives_are_other_queries_evidence(dialogues, examples, config):
    counted = 0
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            needed = answering_ids(g, e.query.query_id)
            others = {t for q in g.queries if q.query_id != e.query.query_id for t in q.evidence}
            assert len(e.candidates) <= max(config.candidates.max_candidates, len(e.query.evidence))
            for c in e.candidates:
                if c.origin == "constructed:other_query":
                    counted += 1
                    assert c.memory.memory_id in others and not needed & said[c.memory.memory_id]
                elif c.origin == "constructed:same_topic":
                    assert said[c.memory.memory_id] and not needed & said[c.memory.memory_id]
    assert counted >= len(dialogues) * 3


def test_filler_negatives_state_nothing_and_none_unless_asked_for(dialogues, examples):
    config = make_config(filler=1)
    fillers, pools = 0, 0
    for g in dialogues[:3]:
        said = expresses(g)
        for e in generators.build_candidates(g, config):
            for c in e.candidates:
                if c.origin == "constructed:filler":  # a turn that states nothing, said before the query
                    fillers += 1
                    assert not said[c.memory.memory_id] and c.memory.timestamp <= e.query.query_time
            pools += 1
        assert not any(c.origin == "constructed:filler" for e in examples[g.dialogue.dialogue_id] for c in e.candidates)
    assert fillers == pools  # one a pool: room is never that short in these dialogues


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
    assert checked >= 1


def test_causal_queries_offer_the_other_end_of_the_link_as_a_negative(dialogues, examples):
    """ "Why did B happen?" offers B's turn (effect for cause); "what came of A?" offers A's (cause for effect)."""
    checked = Counter()
    for g in dialogues:
        said = expresses(g)
        for e in examples[g.dialogue.dialogue_id]:
            about = g.world["query_plans"][e.query.query_id]["about"]
            if e.query.skill != "causal" or about.get("ask") not in ("cause", "effects"):
                continue
            other, reason = (
                (about["effect"], "effect_for_cause")
                if about["ask"] == "cause"
                else (about["cause"], "cause_for_effect")
            )
            origins = {c.memory.memory_id: c.origin for c in e.candidates}
            assert any(origins.get(t) == f"constructed:{reason}" for t, ids in said.items() if other in ids)
            checked[about["ask"]] += 1
    assert sum(checked.values()) == 2 * len(dialogues) and len(checked) == 2, checked


def test_retrieved_negatives_come_from_both_retrievers(examples):
    origins = Counter(c.origin for exs in examples.values() for e in exs for c in e.candidates)
    assert origins["retrieved:bm25"] > 0 and origins["retrieved:embedding"] > 0


def test_gold_is_not_always_first(examples):
    firsts = [e.candidates[0].gold for exs in examples.values() for e in exs]
    assert 0 < sum(firsts) < len(firsts)


@pytest.mark.parametrize(("constructed", "retrieved", "max_candidates"), [(3, 3, 4), (0, 2, 8), (2, 0, 8), (5, 5, 20)])
def test_candidates_respect_config(dialogues, constructed, retrieved, max_candidates):
    config = make_config(
        constructed=constructed, retrieved=retrieved, max_candidates=max_candidates, retrievers=["bm25"], dialogue=0
    )
    for g in dialogues[:4]:
        for e in generators.build_candidates(g, config):
            kinds = Counter(c.origin.split(":")[0] for c in e.candidates)
            assert kinds["evidence"] == len(e.query.evidence)
            assert kinds["constructed"] <= constructed and kinds["retrieved"] <= retrieved
            assert len(e.candidates) <= max(max_candidates, len(e.query.evidence))
            if max_candidates == 4 and len(e.query.evidence) < 4 and len(e.candidates) < 4:
                # not filled up to the cap only when BM25 (the one retriever here) ran out of lexical hits: every
                # earlier memory sharing a content word with the query is already a candidate
                taken = {c.memory.memory_id for c in e.candidates}
                before = [m for m in g.dialogue.memories() if m.timestamp <= e.query.query_time]
                assert set(bm25_ranking(e.query, before, ignore=g.dialogue.speakers)) <= taken


def test_candidate_order_depends_on_the_seed(dialogues):
    g = dialogues[0]
    a = generators.build_candidates(g, make_config(retrievers=["bm25"], dialogue=0))
    b = generators.build_candidates(g, make_config(seed=99, retrievers=["bm25"], dialogue=0))
    orders = [[c.memory.memory_id for c in e.candidates] for e in a]
    assert orders != [[c.memory.memory_id for c in e.candidates] for e in b]
    assert [sorted(o) for o in orders] == [sorted(c.memory.memory_id for c in e.candidates) for e in b]


def test_missing_plan_is_a_clear_error(config, dialogues):
    g = dialogues[0]
    broken = g.model_copy(update={"world": {k: v for k, v in g.world.items() if k != "query_plans"}})
    with pytest.raises(ValueError, match="query_plans"):
        generators.build_candidates(broken, config)


@pytest.mark.parametrize("retrievers", [["bm25"], ["embedding"]])
def test_only_the_configured_retrievers_retrieve(dialogues, retrievers):
    config = make_config(retrievers=retrievers)
    origins = Counter(
        c.origin for g in dialogues[:2] for e in generators.build_candidates(g, config) for c in e.candidates
    )
    retrieved = {o for o in origins if o.startswith("retrieved:")}
    assert retrieved == {f"retrieved:{retrievers[0]}"}


def test_retrieval_takes_every_memory_before_the_query_except_the_answering_ones(dialogues):
    """With room for all, the embedding retriever (which ranks every memory) offers the whole past but the
    evidence; BM25 hits come first and no memory appears twice."""
    config = make_config(constructed=0, retrieved=1000, max_candidates=1000, dialogue=0)
    g = dialogues[0]
    said = {t.turn_id: (s.date_time, set(t.expresses)) for s in g.dialogue.sessions for t in s.turns}
    origins: set[str] = set()
    for e in generators.build_candidates(g, config):
        answers = set(g.world["query_plans"][e.query.query_id]["answers"])
        before = {i for i, (when, _) in said.items() if when <= e.query.query_time}
        retrieved = [c for c in e.candidates if c.origin.startswith("retrieved:")]
        assert {c.memory.memory_id for c in retrieved} == before - set(e.query.evidence)
        assert not any(answers & said[c.memory.memory_id][1] for c in retrieved)
        origins |= {c.origin for c in retrieved}
    # a query whose only content words are a month and a name may have no lexical hit but its evidence
    assert origins == {"retrieved:bm25", "retrieved:embedding"}


def test_interleave_alternates_and_skips_what_another_retriever_took():
    ranked = {"bm25": ["a", "b", "c"], "embedding": ["a", "d", "b", "e"]}
    assert interleave(ranked, 10) == [
        ("a", "bm25"),
        ("d", "embedding"),
        ("b", "bm25"),
        ("e", "embedding"),
        ("c", "bm25"),
    ]
    assert interleave(ranked, 3) == [("a", "bm25"), ("d", "embedding"), ("b", "bm25")]
    assert interleave(ranked, 0) == []
    assert interleave({"embedding": ["x"], "bm25": []}, 3) == [("x", "embedding")]


def _query(text: str, context: list[ContextTurn] | None = None) -> Query:
    return Query(
        query_id="q1",
        dialogue_id="d",
        skill="temporal",
        instruction="Find it",
        text=text,
        context=context or [],
        query_time=datetime(2023, 9, 1, 10),
        answer="x",
        evidence=["m0"],
    )


def _memories(*texts: str) -> list[Memory]:
    when = datetime(2023, 8, 14, 9)
    return [Memory(memory_id=f"m{k}", speaker="Kevin", timestamp=when, text=t) for k, t in enumerate(texts)]


def test_bm25_ignores_stopwords_and_dates():
    pool = _memories("Hang in there.", "We met on the 14th, a Monday.", "Kathryn started at Acme in August.")
    query = _query("In August 2023, where was Kathryn working on Monday?")
    assert bm25_ranking(query, pool) == ["m2", "m1"]  # "in"/"there" match nothing; the date stamp neither
    assert bm25_ranking(_query("Where was Kevin working?"), pool) == ["m0", "m1", "m2"]  # the speaker matches
    assert bm25_ranking(_query("Where was Kevin working?"), pool, ignore=["Kevin"]) == []
    coref = _query("Where does she work?", [ContextTurn(speaker="Justin", text="How is Kathryn?")])
    assert bm25_ranking(coref, pool)[0] == "m2"  # the context counts


def test_embedding_ranks_a_paraphrase_above_unrelated_text():
    pool = _memories(
        "The weather has been awful all week.",
        "My sister is employed as a nurse at the city hospital.",
        "I finally fixed the kitchen sink.",
    )
    queries = [_query("What does my sister do for a living?"), _query("Did anything break at home?")]
    ranked = embedding_rankings(queries, [pool, pool[:1] + pool[2:]])
    assert ranked[0][0] == "m1" and sorted(ranked[0]) == ["m0", "m1", "m2"]
    assert ranked[1] == ["m2", "m0"]


def test_retrieved_negatives_lean_to_the_evidence_length():
    # a retriever that ranks the short turns first: the ones picked are those nearest the evidence's length,
    # so turn length alone cannot tell the gold from the retrieved negatives
    from generators.candidates import _length_matched

    short = [f"m{k}" for k in range(1, 21)]
    texts = ["gold " * 20] + ["ok then"] * 20 + ["long enough " * 10] * 3
    by_id = {m.memory_id: m for m in _memories(*texts)}
    ranking = [*short, "m21", "m22", "m23"]
    chosen = _length_matched(ranking, _query("where?"), by_id, limit=3)[:3]
    assert chosen == ["m21", "m22", "m23"]
    assert sorted(_length_matched(ranking, _query("where?"), by_id, limit=3)) == sorted(ranking)


def test_same_candidates_in_another_process():
    """Retrieved and look-alike negatives are ranked by float scores: summed in an order that does not follow the
    process's string hashing, they come out the same under any PYTHONHASHSEED."""
    code = (
        "import generators\nfrom schemas import BuildConfig\n"
        "c = BuildConfig.model_validate({'candidates': {'retrievers': ['bm25']}})\n"
        "made = [generators.generate_dialogue(c, i) for i in (3, 4)]"
    )
    text = "''.join(e.to_json() for g in made for e in generators.build_candidates(g, c))"
    assert len(digests_across_hash_seeds(code, text)) == 1
