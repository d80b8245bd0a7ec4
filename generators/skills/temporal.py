"""Temporal queries: the state of a changing fact at a time ("Where did Anna live in March 2023?").

The evidence is the turn stating the fact valid at that time; the turn stating the fact that replaced it (or the
one it replaced) is the hard negative.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from generators.realize.timephrase import month_phrase
from generators.skills.base import QueryDraft, ask_time, same_predicate_others, value_name
from generators.world import Person, Storyline, World
from schemas import Dialogue

AT_MONTH = {
    "lives_in": (
        "Where did {who} live in {month}?",
        "Which city was {who} living in during {month}?",
        "In {month}, where was {who} based?",
        "What city did {who} call home in {month}?",
    ),
    "works_at": (
        "Where did {who} work in {month}?",
        "Which company was {who} working for in {month}?",
        "Who employed {who} in {month}?",
        "In {month}, where was {who} working?",
    ),
}
NOW = {
    "lives_in": (
        "Where does {who} live now?",
        "Which city is {who} living in these days?",
        "Where is {who} based at the moment?",
    ),
    "works_at": (
        "Where does {who} work now?",
        "Which company is {who} working for these days?",
        "Who employs {who} at the moment?",
    ),
}


def who(world: World, person: Person) -> str:
    """How a question names a person: a speaker by name, anyone else as "Anna's sister Lena"."""
    if person.speaker or person.of is None:
        return person.name
    return f"{world.person(person.of).name}'s {person.relation} {person.name}"


def _month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _draft(world: World, dialogue: Dialogue, line: Storyline, before: bool, rng: random.Random) -> QueryDraft:
    old, new, change = world.get(line.old_fact), world.get(line.new_fact), world.get(line.change)
    person = world.person(line.subject)
    asked = ask_time(dialogue, [old.id, new.id], rng)
    others = ("other_subject", same_predicate_others(world, person.id, line.predicate, [p.id for p in world.people]))
    if before:
        month = _month_before(old.valid_to)
        text = rng.choice(AT_MONTH[line.predicate]).format(
            who=who(world, person), month=month_phrase(month, asked, rng)
        )
        fact, negatives, at = old, [("other_time", [new.id]), others], month
    else:
        month = _month_after(change.date)
        fact, negatives = new, [("superseded", [old.id]), others]
        if _month_after(month) <= asked.date():
            phrase = month_phrase(month, asked, rng)
            text, at = rng.choice(AT_MONTH[line.predicate]).format(who=who(world, person), month=phrase), month
        else:
            text, at = rng.choice(NOW[line.predicate]).format(who=who(world, person)), asked.date()
    if not fact.valid_at(at):
        raise AssertionError(f"temporal query about {fact.id} asks at {at}, outside its validity")
    return QueryDraft(
        skill="temporal",
        text=text,
        answer=value_name(world, fact.id),
        answers=[fact.id],
        query_time=asked,
        negatives=negatives,
        about={"subject": person.id, "predicate": line.predicate, "at": at.isoformat()},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    options = [(line, before) for line in world.storylines for before in (True, False)]
    if n > len(options):
        raise ValueError(f"temporal: {n} queries asked, the world has {len(options)} time-bound states")
    return [_draft(world, dialogue, line, before, rng) for line, before in rng.sample(options, n)]
