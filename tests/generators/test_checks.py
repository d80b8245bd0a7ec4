from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from generators.checks import _shingles, diversity, near_duplicates, template_of
from schemas import Candidate, ContextTurn, Dialogue, Example, GeneratedDialogue, Memory, Query, Session, Turn

CONTEXT = [
    ContextTurn(speaker="Kevin", text="I had dinner with my sister Kathryn last night, at the new place downtown."),
    ContextTurn(speaker="Justin", text="Oh nice, how is she doing these days?"),
]


def query(qid: str, text: str, context=(), dialogue: str = "d1", skill: str = "temporal", evidence=("t1",)) -> Query:
    return Query(
        query_id=qid,
        dialogue_id=dialogue,
        skill=skill,
        instruction="Find the memory",
        text=text,
        context=list(context),
        query_time=datetime(2024, 1, 1),
        answer="a",
        evidence=list(evidence),
    )


def test_a_one_word_rewording_is_a_near_duplicate():
    queries = [
        query("q1", "Which company is she working for at the moment?", CONTEXT),
        query("q2", "Which firm is she working for at the moment?", CONTEXT),  # one word changed
        query("q3", "Where does she live now?", CONTEXT),
        query("q4", "Which company is she working for at the moment?", CONTEXT[:1]),  # less context
    ]
    assert near_duplicates(queries) == ["q2"]
    assert near_duplicates(queries, threshold=0.99) == []


def test_distinct_short_queries_are_kept():
    queries = [
        query("q1", "Where did Anna live in March 2023?"),
        query("q2", "Where did Anna live in August 2023?"),
        query("q3", "Where did Ben live in March 2023?"),
        query("q4", "Did Anna move before Ben?"),
        query("q5", "Did Ben move before Anna?"),  # same words, other order
    ]
    assert near_duplicates(queries) == []
    assert near_duplicates([*queries, query("q6", "where did anna live in MARCH 2023")]) == ["q6"]


def test_the_first_in_input_order_is_kept_and_scope_is_the_dialogue():
    a = query("a", "Which company is she working for at the moment?", CONTEXT)
    b = query("b", "Which company is she working for at the moment?", CONTEXT)
    other = query("c", "Which company is she working for at the moment?", CONTEXT, dialogue="d2")
    assert near_duplicates([a, b, other]) == ["b"]
    assert near_duplicates([b, a, other]) == ["a"]
    assert near_duplicates([a, b, other], across_dialogues=True) == ["b", "c"]
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates([a], threshold=0)


def test_near_duplicates_matches_brute_force():
    """The prefix filter misses no pair: same result as comparing every query with every kept one."""
    rng = random.Random(7)
    vocab = [f"w{k}" for k in range(12)]
    base = [[rng.choice(vocab) for _ in range(rng.randint(4, 14))] for _ in range(30)]
    queries = []
    for k in range(400):
        words = list(rng.choice(base))
        for _ in range(rng.randint(0, 2)):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        queries.append(query(f"q{k}", " ".join(words), dialogue=f"d{k % 3}"))
    for threshold in (0.5, 0.8, 0.9):
        kept: list[Query] = []
        expected = []
        for q in queries:
            a = _shingles(q)
            if any(
                p.dialogue_id == q.dialogue_id and len(a & _shingles(p)) / len(a | _shingles(p)) >= threshold
                for p in kept
            ):
                expected.append(q.query_id)
            else:
                kept.append(q)
        assert near_duplicates(queries, threshold) == expected
        assert expected  # the test means something


def test_template_masks_names_relations_pronouns_months_and_numbers():
    masks = {"<name>": ["Anna", "Anna Lee", "Porto"], "<rel>": ["best friend"]}
    assert template_of("Why did Anna Lee's best friend leave Porto in May 2023? She said", masks) == (
        "why did <name> ' s <rel> leave <name> in <month> <num> ? <pron> said"
    )
    assert template_of("Annabel sold the porto", masks) == "annabel sold the <name>"


def _generated(dialogue_id: str, turns: list[str], sessions: int, queries: list[tuple[str, str, bool]], names):
    per = [turns[k::sessions] for k in range(sessions)]
    dialogue = Dialogue(
        dialogue_id=dialogue_id,
        speakers=("A", "B"),
        sessions=[
            Session(
                index=k + 1,
                date_time=datetime(2023, 1, k + 1),
                turns=[Turn(turn_id=f"{dialogue_id}-s{k}t{j}", speaker="A", text=t) for j, t in enumerate(ts)],
            )
            for k, ts in enumerate(per)
        ],
    )
    first = dialogue.sessions[0].turns[0].turn_id
    qs = [
        query(f"{dialogue_id}-q{k}", text, CONTEXT if ctx else (), dialogue_id, skill, (first,))
        for k, (skill, text, ctx) in enumerate(queries)
    ]
    world = {"people": [{"name": n, "surname": None, "relation": None} for n in names]}
    return GeneratedDialogue(dialogue=dialogue, queries=qs, world=world)


def test_diversity_figures_on_a_tiny_set():
    g1 = _generated(
        "d1",
        ["a b a", "a b c"],
        1,
        [("temporal", "Where does Anna live?", False), ("coreference", "Where does she live?", True)],
        ["Anna"],
    )
    g2 = _generated("d2", ["x y", "x y", "z"], 2, [("temporal", "Where does Ben live?", False)], ["Ben"])
    ex = Example(
        query=g2.queries[0],
        candidates=[
            Candidate(memory=Memory(memory_id="d2-s0t0", text="x y"), gold=1, origin="evidence"),
            Candidate(memory=Memory(memory_id="d2-s1t0", text="x y"), gold=0, origin="retrieved:bm25"),
        ],
    )
    figures = diversity([g1, g2], [ex])
    # turn words: a b a | a b c | x y | x y | z  -> 11 unigrams, 6 distinct (a b c x y z)
    # bigrams: ab ba | ab bc | xy | xy -> 6, 4 distinct; trigrams: aba | abc -> 2, 2 distinct
    assert figures["turn_distinct"] == {
        "distinct_1": round(6 / 11, 4),
        "distinct_2": round(4 / 6, 4),
        "distinct_3": 1.0,
    }
    # queries: where does anna live | where does she live | where does ben live: 12 unigrams, 6 distinct
    assert figures["query_distinct"]["distinct_1"] == 0.5
    assert figures["query_phrasings"] == 2  # "where does <name> live ?" and "where does <pron> live ?"
    assert figures["query_phrasings_per_skill"] == {"coreference": 1, "temporal": 1}
    assert figures["skill_mix"] == {"coreference": 1, "temporal": 2}
    assert figures["queries_with_context"] == {"coreference": 1}
    assert figures["turns_per_dialogue"] == {"mean": 2.5, "min": 2, "max": 3}
    assert figures["sessions_per_dialogue"] == {"mean": 1.5, "min": 1, "max": 2}
    assert figures["candidate_origins"] == {"evidence": 1, "retrieved:bm25": 1}
    assert "candidate_origins" not in diversity([g1, g2])
    assert json.dumps(figures, sort_keys=True) == json.dumps(diversity([g1, g2], [ex]), sort_keys=True)
