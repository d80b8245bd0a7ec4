"""Knowledge-update queries: the answer changed during the dialogue, and the question asks for the current one.

- "Where does Anna live now?" -> the fact valid when asked; the fact it replaced is the `superseded` negative;
- "Is Anna still going to Lisbon in June?" / "Does Ben still have his Volvo?" / "Is Ben still with Mia?" -> the
  event that ended the plan, the ownership or the relationship; the turn stating it is the `superseded` negative.
The superseded turn is always said before the query, so it is a candidate.
"""

from __future__ import annotations

import random

from generators.skills import phrasing
from generators.skills.base import QueryDraft, ask_time, fields, interleave, same_predicate_others, value_name
from generators.world import Storyline, World
from schemas import Dialogue

NOW = {
    "lives_in": (
        "Where does {who} live [now|these days|at the moment|nowadays|right now|at present]?",
        "[Which city|What city|Which town] is {who} living in [these days|now|currently|nowadays]?",
        "What's {who}'s current [city|home town]?",
        "Where is {who} based [at the moment|now|these days|currently|nowadays]?",
        "Is {who} still in the same city? Where [is {subj} now|does {subj} live]?",
        "{who} moved, didn't {subj}? Where [to|is {subj} now]?",
        "Where has {who} [ended up living|settled] [now|these days|lately]?",
        "[These days|Right now|Currently], where does {who} live?",
    ),
    "works_at": (
        "Where does {who} work [now|these days|at the moment|nowadays|right now|at present]?",
        "Which [company|firm] is {who} working for [these days|now|currently|nowadays]?",
        "Who is {who}'s current employer?",
        "Where is {who} employed [at the moment|now|these days|currently|nowadays]?",
        "Is {who} still at the same [job|company]? Where [does {subj} work|is {subj} now]?",
        "{who} changed jobs, didn't {subj}? Where [to|does {subj} work now]?",
        "What's {who}'s [job|workplace|employer] [now|these days|at the moment|nowadays|right now|at present]?",
        "[These days|Right now|Currently], [who|which company] does {who} work for?",
    ),
}
STILL = {
    "plans_trip": (
        "Is {who} still going to {city} in {month}?",
        "Is {who}'s trip to {city} still on?",
        "Is {who} still planning the {city} trip?",
        "Does {who} still have the {city} trip [booked|planned|on the calendar]?",
        "Is the {month} trip to {city} still happening for {who}?",
        "Are {who}'s {month} plans for {city} still [on|happening]?",
        "Will {who} [be|still be] [going to|visiting] {city} [in|this] {month}?",
    ),
    "owns": (
        "Does {who} still have {pos} {car}?",
        "Is {who} still driving the {car}?",
        "Does {who} still own a car?",
        "Is {who} still [the owner of|in possession of] the {car}?",
        "Is the {car} still {who}'s?",
        "Has {who} still got the {car}[| these days]?",
        "Does {who} still drive around in the {car}?",
    ),
    "dating": (
        "Is {who} still with {partner}?",
        "Are {who} and {partner} still together?",
        "Is {who} still seeing {partner}?",
        "How are {who} and {partner} doing - still a couple?",
        "Did {who} and {partner} stay together?",
        "Are {who} and {partner} [still an item|still dating]?",
    ),
}
ENDED = {
    "plans_trip": "No, {subj} cancelled the trip to {city}.",
    "owns": "No, {subj} sold the {car}.",
    "dating": "No, {who} and {partner} broke up.",
}


def _now(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    old, new = world.get(line.old_fact), world.get(line.new_fact)
    asked = ask_time(dialogue, [old.id, new.id], rng)
    others = same_predicate_others(world, line.subject, line.predicate, [p.id for p in world.people])
    return QueryDraft(
        skill="knowledge_update",
        text=phrasing.say(rng, NOW[line.predicate], **fields(world, line.subject)),
        answer=value_name(world, new.id),
        answers=[f.id for f in world.facts_of(line.subject, line.predicate) if f.valid_at(asked.date())],
        query_time=asked,
        negatives=[("superseded", [old.id]), ("other_person", others)],
        about={"ask": "state", "subject": line.subject, "predicate": line.predicate, "at": asked.date().isoformat()},
    )


def _ended(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    old, change = world.get(line.old_fact), world.get(line.change)
    values = fields(world, line.subject, old, change)
    if old.month is not None:
        values["month"] = f"{old.month:%B}"
    return QueryDraft(
        skill="knowledge_update",
        text=phrasing.say(rng, STILL[line.predicate], **values),
        answer=ENDED[line.predicate].format(**values),
        answers=[change.id],
        query_time=ask_time(dialogue, [old.id, change.id], rng),
        negatives=[("superseded", [old.id])],
        about={"ask": "ended", "fact": old.id},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    groups = {
        "now": [s for s in world.storylines if s.predicate in ("lives_in", "works_at")],
        "ended": [s for s in world.storylines if s.predicate in STILL and s.old_fact and not s.new_fact],
    }
    return [
        _now(world, dialogue, line, rng) if line.predicate in NOW else _ended(world, dialogue, line, rng)
        for line in interleave(groups, n, rng, "knowledge_update")
    ]
