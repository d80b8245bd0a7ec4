"""Per skill, on fixed seeds: the gold is right (recomputed from the world, not read from the plan) and every
constructed negative is wrong for the reason it is tagged with."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

import pytest

import generators
from generators.life import CATEGORY
from generators.negatives import constructed
from generators.realize import timephrase
from schemas import SKILLS, GeneratedDialogue, Query
from tests.generators.helpers import answering_ids, expressed, make_config


@pytest.fixture(scope="module")
def generated() -> list[GeneratedDialogue]:
    out = []
    # recalls: 0 tells every episode once; 1 comes back to every episode a later session can, so its evidence is
    # told twice
    for sessions, per_skill, recalls in ((4, 3, 0.5), (6, 2, 0.5), (3, 2, 0.0), (6, 1, 1.0)):
        config = make_config(sessions=sessions, queries_per_skill=per_skill, recalls=recalls)
        out += [generators.generate_dialogue(config, i) for i in range(8)]
    return out


def queries(generated: list[GeneratedDialogue], skill: str) -> list[tuple[GeneratedDialogue, Query, dict]]:
    found = [(g, q, g.world["query_plans"][q.query_id]) for g in generated for q in g.queries if q.skill == skill]
    assert len(found) >= 20, skill
    return found


def index(g: GeneratedDialogue) -> dict[str, dict]:
    w = g.world
    return {x["id"]: x for group in ("people", "places", "orgs", "things", "facts", "events") for x in w[group]}


def turn_time(g: GeneratedDialogue) -> dict[str, datetime]:
    return {t.turn_id: s.date_time for s in g.dialogue.sessions for t in s.turns}


def subject_of(item: dict) -> str | None:
    return item.get("subject")


def valid(fact: dict, at: str) -> bool:
    return fact["valid_from"] <= at and (fact["valid_to"] is None or at < fact["valid_to"])


def test_every_skill_in_every_dialogue(generated):
    for g in generated:
        counts = Counter(q.skill for q in g.queries)
        assert set(counts) == set(SKILLS) and len(set(counts.values())) == 1


def test_temporal_gold(generated):
    forms = Counter()
    for g, q, plan in queries(generated, "temporal"):
        about, ents = plan["about"], index(g)
        forms[about["ask"]] += 1
        if about["ask"] == "state":
            (fact,) = [ents[i] for i in answering_ids(g, q.query_id)]
            assert q.answer == ents[fact["object"]]["name"]
        elif about["ask"] == "when":
            event = ents[about["event"]]
            turn = next(t for s in g.dialogue.sessions for t in s.turns if t.turn_id == about["turn"])
            said = datetime.fromisoformat(about["said"])
            assert about["phrase"] in turn.text.lower() and about["event"] in turn.expresses
            first, last = timephrase.resolve(about["phrase"], said)
            assert first <= date.fromisoformat(event["date"]) <= last
            assert (first.isoformat(), last.isoformat()) == (about["first"], about["last"])
            assert str(first.year) in q.answer or str(last.year) in q.answer
            assert q.query_time.date() > said.date()  # "two weeks ago" must be resolved against the session date
        elif about["ask"] == "duration":
            fact = ents[about["fact"]]
            assert q.answer.startswith(f"From {fact['valid_from'][:4]} until")
            ender = [ents[i] for i in answering_ids(g, q.query_id) if i != fact["id"]]
            assert [e["date"] for e in ender] == [fact["valid_to"]]
    assert set(forms) == {"state", "when", "duration", "in_month"}, forms


def test_causal_gold(generated):
    forms = Counter()
    for g, q, plan in queries(generated, "causal"):
        about, said = plan["about"], expressed(g)
        forms[about["ask"]] += 1
        needed = answering_ids(g, q.query_id)
        assert needed and all(needed & said[t] for t in q.evidence)
        if about["ask"] == "cause":
            assert needed == {about["cause"]} and about["effect"] not in needed
        else:
            assert about["cause"] not in needed
    assert set(forms) == {"cause", "effects"}
    two = [p for g, q, p in queries(generated, "causal") if len(p["answers"]) == 2]
    assert two  # "what came of the move" has two effects
    chained = [
        p
        for g, q, p in queries(generated, "causal")
        if p["about"]["ask"] == "cause" and index(g)[p["answers"][0]]["kind"] == "moved"
    ]
    assert chained  # "why did she sell the car" -> the move, itself caused by something


def test_coreference_gold(generated):
    for g, q, plan in queries(generated, "coreference"):
        person = index(g)[plan["about"]["subject"]]
        assert person["name"] not in q.text
        assert re.search(rf"\b({person['pronouns'][0]}|{person['pronouns'][2]})\b", q.text)
        assert person["name"] in " ".join(c.text for c in q.context)
        (fact,) = [index(g)[i] for i in answering_ids(g, q.query_id)]
        assert q.answer == index(g)[fact["object"]]["name"]


def test_multi_hop_needs_two_memories(generated):
    forms = Counter()
    for g, q, plan in queries(generated, "multi_hop"):
        forms[plan["about"]["ask"]] += 1
        said = expressed(g)
        needed = answering_ids(g, q.query_id)
        assert len(needed) == 2
        assert not any(needed <= said[t] for t in said)  # no single turn answers it
        assert needed <= set().union(*(said[t] for t in q.evidence))
        ents = index(g)
        if plan["about"]["ask"] == "office":
            (office,) = [ents[i] for i in needed if ents[i]["predicate"] == "based_in"]
            assert office["subject"] == plan["about"]["org"] and q.answer == ents[office["object"]]["name"]
        else:
            (home,) = [ents[i] for i in needed if i != plan["about"]["event"]]
            assert q.answer == ents[home["object"]]["name"]
    assert set(forms) == {"office", "state_at_event"}


def test_knowledge_update_has_a_superseded_turn_before_the_query(generated):
    for g, q, plan in queries(generated, "knowledge_update"):
        ents, said, when = index(g), expressed(g), turn_time(g)
        old = [n for n in plan["negatives"] if n["reason"] == "superseded"]
        assert old
        old_turns = [t for t, ids in said.items() if ids & set(old[0]["ids"]) and when[t] <= q.query_time]
        assert old_turns
        for fact_id in old[0]["ids"]:
            assert (
                ents[fact_id]["valid_to"] is not None and ents[fact_id]["valid_to"] <= q.query_time.date().isoformat()
            )
        assert set(q.evidence) and all(when[t] <= q.query_time for t in q.evidence)


def test_knowledge_update_superseded_turn_is_a_candidate(generated):
    config = make_config(queries_per_skill=3)
    for g in generated[:8]:
        for e in generators.build_candidates(g, config):
            if e.query.skill != "knowledge_update":
                continue
            plan = g.world["query_plans"][e.query.query_id]
            old = set(next(n["ids"] for n in plan["negatives"] if n["reason"] == "superseded"))
            said = expressed(g)
            assert any(c.origin == "constructed:superseded" and said[c.memory.memory_id] & old for c in e.candidates)


def test_unanswerable_nothing_answers(generated):
    for g, q, plan in queries(generated, "unanswerable"):
        about = plan["about"]
        assert q.evidence == [] and answering_ids(g, q.query_id) == set()
        assert re.search(r"(?i)not mentioned|never", q.answer)
        if "relation" in about:
            assert all(
                not (p.get("of") == about["speaker"] and p.get("relation") == about["relation"])
                for p in g.world["people"]
            )
        if "place" in about:
            used = {f["object"] for f in g.world["facts"]} | {v for e in g.world["events"] for v in e["args"].values()}
            assert about["place"] not in used


def _negative_is_wrong_for_its_reason(g: GeneratedDialogue, q: Query, plan: dict, turn_id: str, reason: str) -> None:
    ents, about = index(g), plan["about"]
    ids = expressed(g)[turn_id]
    items = [ents[i.split("#")[0]] for i in ids]  # "<event>#feeling": a part of an episode
    needed = answering_ids(g, q.query_id)
    assert not needed & ids, (q.text, turn_id, reason)
    asked = about.get("subject") or subject_of(ents.get(about.get("event") or about.get("fact") or "", {}))
    if reason == "lexical":
        assert not ids
    elif reason == "superseded":
        fact = ents.get(about.get("fact")) or {"subject": about["subject"], "predicate": about["predicate"]}
        at = about.get("at", q.query_time.date().isoformat())
        assert any(
            (i["subject"], i.get("predicate")) == (fact["subject"], fact["predicate"])
            and i["valid_to"]
            and i["valid_to"] <= at
            for i in items
        )
    elif reason == "same_event":  # another part of the episode asked about, or a milestone of a listed hobby
        assert items and all(i.get("kind") in CATEGORY for i in items)
        subjects = (
            set(g.world["speakers"])
            if about.get("subject") == "both"
            else {ents[i]["subject"] for i in needed if i in ents} | {asked}
        )
        assert all(i["subject"] in subjects for i in items), (q.text, turn_id)
    elif reason == "other_time":
        if about["ask"] == "in_month":
            assert any(i["subject"] == asked and i["date"][:7] != about["month"][:7] for i in items)
        elif about["ask"] == "office":
            assert any(i.get("predicate") == "works_at" and i["object"] != about["org"] for i in items)
        elif about["ask"] == "duration":
            fact = ents[about["fact"]]
            assert any(
                i["id"] != fact["id"] and (i["subject"], i.get("predicate")) == (asked, fact["predicate"])
                for i in items
            )
        else:
            at = about.get("at") or ents[about["event"]]["date"]
            assert any(i["subject"] == asked and "predicate" in i and not valid(i, at) for i in items)
    elif reason in ("other_person", "wrong_referent"):
        who = about.get("speaker") or asked
        assert items and all(i["subject"] != who for i in items)
        if reason == "wrong_referent":
            person = ents[who]
            assert all(ents[i["subject"]]["pronouns"] == person["pronouns"] for i in items)
    elif reason == "effect_for_cause":
        started = {s["new_fact"] for s in g.world["storylines"] if s["change"] == about["effect"]} - {None}
        assert ids & ({about["effect"]} | started)  # the effect, or the state it started
    elif reason == "cause_for_effect":
        assert about["cause"] in ids
    elif reason == "other_cause":
        causes = {link["cause"] for link in g.world["links"]}
        assert ids & causes and about["cause"] not in ids
    elif reason == "other_effect":
        effects = {link["effect"] for link in g.world["links"] if link["cause"] != about["cause"]}
        assert ids & effects
    elif reason == "other_event":
        asked = about.get("asked_about", asked)  # a speaker-swap question names the wrong speaker: their own events
        subjects = set(g.world["speakers"]) if asked == "both" else {asked}
        assert any(i["id"] != about.get("event") and i.get("kind") and i["subject"] in subjects for i in items)
    elif reason == "other_attribute":
        predicate = about.get("predicate")
        assert any(i["subject"] == (about.get("person") or asked) and i.get("predicate") != predicate for i in items)
    elif reason == "other_company":
        assert any(i.get("predicate") == "based_in" and i["subject"] != about["org"] for i in items)
    elif reason == "same_entity":
        fact = ents[about["fact"]]
        assert any(i["id"] == fact["id"] or fact["object"] in i.get("args", {}).values() for i in items)
    else:
        raise AssertionError(f"untested reason {reason!r}")


@pytest.mark.parametrize("skill", SKILLS)
def test_constructed_negatives_are_wrong_for_their_reason(generated, skill):
    reasons = Counter()
    found = queries(generated, skill)
    for g, q, plan in found:
        turns = [t for s in g.dialogue.sessions if s.date_time <= q.query_time for t in s.turns]
        made = constructed(q, plan, turns, limit=50, ignore=g.dialogue.speakers)
        assert made, q.text
        for turn_id, reason in made:
            reasons[reason] += 1
            _negative_is_wrong_for_its_reason(g, q, plan, turn_id, reason)
    assert len(reasons) >= 3, reasons
    assert sum(reasons.values()) >= 3 * len(found)  # several per query


def test_reason_mix_covers_the_issue(generated):
    reasons = set()
    for skill in SKILLS:
        for g, q, plan in queries(generated, skill):
            turns = [t for s in g.dialogue.sessions if s.date_time <= q.query_time for t in s.turns]
            reasons |= {r for _, r in constructed(q, plan, turns, limit=3, ignore=g.dialogue.speakers)}
    assert {"superseded", "other_time", "other_person", "effect_for_cause", "wrong_referent", "lexical"} <= reasons


def test_relative_time_expressions_resolve_to_the_scenario_dates(generated):
    checked = 0
    for g in generated:
        ents = index(g)
        for s in g.dialogue.sessions:
            for t in s.turns:
                events = [
                    ents[i]
                    for i in t.expresses
                    if i.startswith("event-") and "#" not in i and ents[i]["kind"] != "favourite"
                ]  # an episode's "#feeling" or "#more" part has no time phrase; nor has a favourite
                plans = [ents[i] for i in t.expresses if "#" not in i and ents[i].get("month")]
                if not events and not plans:
                    continue
                (phrase,) = timephrase.find(t.text)
                first, last = timephrase.resolve(phrase, s.date_time)
                for event in events:
                    assert first.isoformat() <= event["date"] <= last.isoformat(), (t.text, s.date_time, event)
                for plan in plans:
                    assert first.isoformat() == plan["month"], (t.text, s.date_time, plan)
                checked += 1
    assert checked > 100
