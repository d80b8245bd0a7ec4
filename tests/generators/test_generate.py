from __future__ import annotations

import itertools
import re

import pytest

import generators
from generators.life import CATEGORY
from generators.skills import WRITERS, get_writer
from schemas import SKILLS, GeneratedDialogue
from tests.generators.helpers import answering_ids, digests_across_hash_seeds, make_config


def test_same_config_and_index_give_identical_bytes(config):
    a = generators.generate_dialogue(config, 3)
    b = generators.generate_dialogue(config, 3)
    assert a.to_json() == b.to_json()
    assert a.dialogue.dialogue_id == "dlg-00003"
    ea = [e.to_json() for e in generators.build_candidates(a, config)]
    eb = [e.to_json() for e in generators.build_candidates(b, config)]
    assert ea == eb
    other = generators.generate_dialogue(config, 4)
    assert other.dialogue.dialogue_id == "dlg-00004"
    assert other.dialogue.model_dump(exclude={"dialogue_id"}) != a.dialogue.model_dump(exclude={"dialogue_id"})


def test_seed_changes_the_dialogue(config):
    a = generators.generate_dialogue(config, 0)
    b = generators.generate_dialogue(config.model_copy(update={"seed": 14}), 0)
    assert a.dialogue.sessions != b.dialogue.sessions


def test_round_trips_through_json(dialogues):
    for g in dialogues:
        assert GeneratedDialogue.from_json(g.to_json()) == g


@pytest.mark.parametrize(("sessions", "per_skill"), [(2, 1), (3, 3), (6, 5), (12, 2)])
def test_every_skill_gets_its_queries(sessions, per_skill):
    config = make_config(sessions=sessions, queries_per_skill=per_skill)
    for index in range(4):
        g = generators.generate_dialogue(config, index)
        assert len(g.dialogue.sessions) == sessions
        for skill in config.generate.skills:
            assert sum(q.skill == skill for q in g.queries) == per_skill
        ids = [q.query_id for q in g.queries]
        assert ids == [f"{g.dialogue.dialogue_id}-q{k}" for k in range(1, len(ids) + 1)]
        assert len({(q.skill, q.text, q.query_time) for q in g.queries}) == len(g.queries)
        generators.build_candidates(g, config)  # consistent end to end


def test_unknown_skill_raises_naming_it():
    with pytest.raises(ValueError, match="bogus"):
        get_writer("bogus")
    assert set(WRITERS) == set(SKILLS)


def test_sessions_dated_turns_alternate(dialogues):
    for g in dialogues:
        dates = [s.date_time for s in g.dialogue.sessions]
        assert all(a < b for a, b in itertools.pairwise(dates))
        assert all(8 <= d.hour <= 21 for d in dates)
        for s in g.dialogue.sessions:
            assert [t.turn_id for t in s.turns] == [f"D{s.index}:{k}" for k in range(1, len(s.turns) + 1)]
            speakers = [t.speaker for t in s.turns]
            assert set(speakers) == set(g.dialogue.speakers)
            assert all(a != b for a, b in itertools.pairwise(speakers)), s.turns


def test_every_fact_and_event_is_expressed(dialogues):
    for g in dialogues:
        expressed = {i for s in g.dialogue.sessions for t in s.turns for i in t.expresses}
        whole = {i for i in expressed if "#" not in i}
        assert whole == {f["id"] for f in g.world["facts"]} | {e["id"] for e in g.world["events"]}
        episodes = {e["id"] for e in g.world["events"] if e["kind"] in CATEGORY}
        assert {i.split("#")[0] for i in expressed - whole} <= episodes  # parts: an episode's feeling or detail


def test_relative_time_expressions_occur(dialogues):
    text = " ".join(t.text for g in dialogues for s in g.dialogue.sessions for t in s.turns)
    assert re.search(r"\b(ago|last week|yesterday)\b", text)
    assert len(re.findall(r"\bago\b", text)) >= 5


def test_evidence_turns_express_the_answer(dialogues):
    for g in dialogues:
        turns = {t.turn_id: (s.date_time, t) for s in g.dialogue.sessions for t in s.turns}
        for q in g.queries:
            needed = answering_ids(g, q.query_id)
            assert needed == set(g.world["query_plans"][q.query_id]["answers"]), q
            assert bool(q.evidence) == (q.skill != "unanswerable")
            expressed = {i for turn_id in q.evidence for i in turns[turn_id][1].expresses}
            assert needed <= expressed, q  # every answering fact/event is in the evidence
            for turn_id in q.evidence:
                said, turn = turns[turn_id]
                assert needed & set(turn.expresses), (q, turn)
                assert said <= q.query_time


def test_temporal_state_asks_about_a_changed_fact(dialogues):
    seen = 0
    for g in dialogues:
        facts = {f["id"]: f for f in g.world["facts"]}
        for q in g.queries:
            if q.skill != "temporal" or g.world["query_plans"][q.query_id]["about"]["ask"] != "state":
                continue
            seen += 1
            (answer,) = g.world["query_plans"][q.query_id]["answers"]
            asked = facts[answer]
            rivals = [
                f for f in facts.values() if (f["subject"], f["predicate"]) == (asked["subject"], asked["predicate"])
            ]
            assert len(rivals) == 2  # the asked fact and the one that replaced it (or that it replaced)
            assert q.answer in {e["name"] for e in g.world["places"] + g.world["orgs"]}
    assert seen >= 3


def test_same_bytes_in_another_process():
    code = "import generators\nfrom schemas import BuildConfig\ng = generators.generate_dialogue(BuildConfig(), 5)"
    assert len(digests_across_hash_seeds(code, "g.to_json()", ("1", "2"))) == 1


def test_coreference_queries_need_their_context(dialogues):
    for g in dialogues:
        people = {p["id"]: p for p in g.world["people"]}
        for q in g.queries:
            if q.skill != "coreference":
                continue
            person = people[g.world["query_plans"][q.query_id]["about"]["subject"]]
            assert len(q.context) >= 2
            assert person["name"] not in q.text and person["surname"] not in q.text
            assert re.search(rf"\b({person['pronouns'][0]}|{person['pronouns'][2]})\b", q.text)
            context = " ".join(c.text for c in q.context)
            assert person["name"] in context and person["relation"] in context
            assert {c.speaker for c in q.context} <= set(g.dialogue.speakers)


def test_instructions_vary(dialogues):
    assert len({q.instruction for g in dialogues for q in g.queries}) >= 5


def test_causal_answer_is_the_cause(dialogues):
    for g in dialogues:
        for q in g.queries:
            if q.skill == "causal":
                assert re.search(r"\b(why|what|how come)\b", q.text, re.IGNORECASE), q.text  # maybe after a fronting
                assert g.world["query_plans"][q.query_id]["answers"] == sorted(answering_ids(g, q.query_id))


def test_filler_exchanges_sets_how_much_small_talk_a_session_holds():
    def small_talk(**generate) -> tuple[int, int]:
        dialogue = generators.generate_dialogue(make_config(sessions=4, **generate), 0).dialogue
        turns = [t for s in dialogue.sessions for t in s.turns]
        return len(turns), sum(not t.expresses for t in turns)

    few, many = small_talk(filler_exchanges=2), small_talk(filler_exchanges=12)
    assert few[0] < many[0] and few[1] < many[1]
    assert small_talk() == small_talk(filler_exchanges=9)  # the default
