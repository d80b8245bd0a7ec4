"""Knowledge-update queries: the answer changed during the dialogue, and the question asks for the current one.

- "Where does Anna live now?" -> the fact valid when asked; the fact it replaced is the `superseded` negative;
- "Is Anna still going to Lisbon in June?" / "Does Ben still have his Volvo?" / "Is Ben still with Mia?" -> the
  event that ended the plan, the ownership or the relationship; the turn stating it is the `superseded` negative.
The superseded turn is always said before the query, so it is a candidate.
"""

from __future__ import annotations

import random

from generators.skills.base import QueryDraft, ask_time, fields, interleave, same_predicate_others, value_name
from generators.world import Storyline, World
from schemas import Dialogue

NOW = {
    "lives_in": (
        "Where does {who} live now?",
        "Which city is {who} living in these days?",
        "What's {who}'s current city?",
        "Where is {who} based at the moment?",
    ),
    "works_at": (
        "Where does {who} work now?",
        "Which company is {who} working for these days?",
        "Who is {who}'s current employer?",
        "Where is {who} employed at the moment?",
    ),
}
STILL = {
    "plans_trip": (
        "Is {who} still going to {city} in {month}?",
        "Is {who}'s trip to {city} still on?",
        "Is {who} still planning the {city} trip?",
    ),
    "owns": ("Does {who} still have {pos} {car}?", "Is {who} still driving the {car}?", "Does {who} still own a car?"),
    "dating": ("Is {who} still with {partner}?", "Are {who} and {partner} still together?"),
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
        text=rng.choice(NOW[line.predicate]).format(**fields(world, line.subject)),
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
        text=rng.choice(STILL[line.predicate]).format(**values),
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
