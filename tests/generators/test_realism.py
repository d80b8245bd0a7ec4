"""Everyday episodes, composed turns, real small talk, and the questions about episodes: gold recomputed from the
world, filler that can never answer or contradict it, and wording that does not repeat across dialogues."""

from __future__ import annotations

import random
from collections import Counter

import pytest

import generators
from generators.life import CATEGORY, TOPIC_WORDS, anchors
from generators.realize import smalltalk
from generators.realize.compose import RECALLABLE
from generators.realize.template import world_names
from generators.world import build_world
from schemas import GeneratedDialogue
from schemas.config import ConfigError, load_config
from tests.generators.helpers import answering_ids, make_config

EPISODE_SKILLS = ["single_hop", "feeling", "aggregation", "speaker_swap", "temporal"]


@pytest.fixture(scope="module")
def generated() -> list[GeneratedDialogue]:
    config = make_config(sessions=8, episodes=10, filler="chitchat", skills=EPISODE_SKILLS, queries_per_skill=3)
    return [generators.generate_dialogue(config, i) for i in range(6)]


def _turns(g: GeneratedDialogue):
    return [t for s in g.dialogue.sessions for t in s.turns]


def test_world_has_twenty_kinds_of_facts_and_events():
    world = build_world(3, sessions=12, episodes=14)
    kinds = {f.predicate for f in world.facts} | {e.kind for e in world.events}
    assert len(kinds) >= 20, sorted(kinds)
    for speaker in world.speakers:
        mine = [e for e in world.events if e.subject == speaker and e.kind in CATEGORY]
        assert len({(e.kind, e.details["what"]) for e in mine}) == len(mine)  # nobody tells the same thing twice


def test_gold_of_episode_questions_is_recomputed_from_the_world(generated):
    asks = Counter()
    for g in generated:
        by_turn = {t.turn_id: set(t.expresses) for t in _turns(g)}
        for q in g.queries:
            about = g.world["query_plans"][q.query_id]["about"]
            asks[about["ask"]] += 1
            needed = answering_ids(g, q.query_id)
            assert {t for t, ids in by_turn.items() if ids & needed and t in q.evidence} == set(q.evidence)
            assert all(by_turn[t] & needed for t in q.evidence), q.text
    assert {"main", "feeling", "list", "swap", "in_month"} <= set(asks), asks


def test_speaker_swap_asks_about_the_wrong_speaker_and_its_evidence_is_the_teller(generated):
    seen = 0
    for g in generated:
        names = {p["id"]: p["name"] for p in g.world["people"]}
        speaker_of = {t.turn_id: t.speaker for t in _turns(g)}
        for q in g.queries:
            about = g.world["query_plans"][q.query_id]["about"]
            if about["ask"] != "swap":
                continue
            seen += 1
            wrong = names[about["asked_about"]]
            assert wrong in q.text
            assert {speaker_of[e] for e in q.evidence} == {n for n in g.dialogue.speakers if n != wrong}
            assert q.answer.startswith("That was ")
    assert seen >= 6


def test_aggregation_evidence_spans_sessions(generated):
    spans = []
    for g in generated:
        session_of = {t.turn_id: s.index for s in g.dialogue.sessions for t in s.turns}
        for q in g.queries:
            if q.skill == "aggregation":
                assert len(q.evidence) >= 2
                spans.append(len({session_of[e] for e in q.evidence}))
    assert max(spans) >= 2


def test_filler_is_real_small_talk_that_names_nothing_of_the_world(generated):
    for g in generated:
        names = frozenset(
            n.lower()
            for group in ("people", "places", "orgs", "things")
            for x in g.world[group]
            for n in (x["name"], x.get("surname") or "")
            if n
        )
        filler = [t for t in _turns(g) if not t.expresses and t.text in _pool_texts()]
        assert len(filler) >= 10
        for turn in filler:
            assert smalltalk.violations(turn.text, names) == [], turn.text


def test_violations_catch_names_topics_dates_and_digits():
    names = frozenset({"porto", "walters-houston", "nala"})
    assert smalltalk.violations("I really love the weather lately, it makes me want to sing.", names) == []
    assert "porto" in smalltalk.violations("I think porto is lovely in the spring.", names)
    assert "walters-houston" in smalltalk.violations("they said walters-houston is hiring", names)
    assert "job" in smalltalk.violations("My job has been so much lately.", names)
    assert "pottery" in smalltalk.violations("I want to try pottery one day.", names)
    assert "pottery" in TOPIC_WORDS
    assert "<digit>" in smalltalk.violations("I slept 12 hours straight.", names)
    assert "june" in smalltalk.violations("I am so ready for june.", names)
    assert any(v.startswith("<name:") for v in smalltalk.violations("I saw Gregory at the store.", names))
    assert "<name:BYU>" in smalltalk.violations("Do you enjoy BYU or not really?", names)
    assert smalltalk.violations("That is SO funny, LOL.", names) == []


def test_a_filler_exchange_naming_the_world_is_left_out():
    world = build_world(5, sessions=4, episodes=4)
    speaker = next(p for p in world.people if p.speaker)
    bad = (f"I keep thinking about {speaker.name.lower()} and that whole story.", "Yeah, same here honestly.")
    good = ("I really love the weather lately, it makes me sing.", "Honestly same, it has been lovely out there.")
    assert smalltalk.violations(bad[0], world_names(world))
    from generators.realize.template import realize

    dialogue = realize(world, "dlg-x", 4, random.Random(1), filler=[bad, good] * 4)
    texts = {t.text for s in dialogue.sessions for t in s.turns}
    assert bad[0] not in texts and good[0] in texts


def test_turns_are_long_and_rarely_repeat_across_dialogues(generated):
    texts = [t.text for g in generated for t in _turns(g)]
    words = [len(t.split()) for t in texts]
    assert sum(words) / len(words) >= 13
    assert sum(w <= 5 for w in words) / len(words) <= 0.05
    repeated = sum(n for n in Counter(texts).values() if n > 1)
    assert repeated / len(texts) <= 0.08


def test_episode_skills_need_episodes(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[generate]\nepisodes = 0\nskills = ["feeling"]\n')
    with pytest.raises(ConfigError, match="episodes"):
        load_config(path)


def _pool_texts() -> frozenset[str]:
    return frozenset(text for exchange in smalltalk.pool() for text in exchange)


def test_llm_realizer_keeps_episode_words_and_feelings(generated):
    from generators.realize.llm import SessionRewrite, anchors, problems
    from generators.world import World

    g = generated[0]
    config = make_config(sessions=8, episodes=10, filler="chitchat", skills=EPISODE_SKILLS, queries_per_skill=3)
    _, world, scripted = generators._scripted(config, 0)
    assert isinstance(world, World) and scripted == g.dialogue
    for session in scripted.sessions:
        needed = anchors(world, session)
        feelings = [i for i in needed if i.endswith("#feeling")]
        for item in feelings:
            turn = next(t for t in session.turns if item in t.expresses)
            rewrite = SessionRewrite.model_validate(
                {"turns": [{"speaker": turn.speaker, "text": "It was fine.", "expresses": [item]}] * 2}
            )
            assert any(item in p and "leave out" in p for p in problems(rewrite, scripted.speakers, needed))
            return
    raise AssertionError("no session states a feeling")


def _tellings(g: GeneratedDialogue) -> dict[str, list[tuple[int, str]]]:
    """Episode id -> (session index, text) of every turn stating it, for the kinds a later session may recall."""
    events = {e["id"]: e for e in g.world["events"]}
    told: dict[str, list[tuple[int, str]]] = {}
    for k, session in enumerate(g.dialogue.sessions):
        for turn in session.turns:
            for ident in turn.expresses:
                if ident in events and events[ident]["kind"] in RECALLABLE:
                    told.setdefault(ident, []).append((k, turn.text))
    return told


def test_a_recalled_episode_is_evidence_again_in_a_later_session():
    plain = generators.generate_dialogue(make_config(sessions=6, episodes=8, recalls=0.0), 0)
    assert all(len(v) == 1 for v in _tellings(plain).values())  # recalls = 0: every episode told once
    g = generators.generate_dialogue(make_config(sessions=6, episodes=8, recalls=1.0), 0)
    events = {e["id"]: e for e in g.world["events"]}
    again = {i: v for i, v in _tellings(g).items() if len(v) > 1}
    assert len(again) >= 5
    for ident, tellings in again.items():
        assert len(tellings) == 2 and tellings[1][0] > tellings[0][0]
        words = anchors(events[ident]["kind"], events[ident]["details"])
        assert all(w in tellings[1][1].lower() for w in words), (words, tellings[1][1])  # it states the episode
    # a question about a recalled episode has both turns as evidence
    turn_of = {t.turn_id: t for s in g.dialogue.sessions for t in s.turns}
    both = [q for q in g.queries if q.skill == "single_hop" and any(len(again.get(i, ())) > 1 for i in
            {x for e in q.evidence for x in turn_of[e].expresses})]  # fmt: skip
    assert both and all(len(q.evidence) >= 2 for q in both)
