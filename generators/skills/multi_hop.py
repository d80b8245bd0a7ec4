"""Multi-hop queries: the answer needs two memories joined.

- office: "In which city is the company Anna joined based?" -> Anna's new job (one turn) + that company's office
  (another turn, which never names Anna);
- state at an event: "Where was Ben living when his sister Lena adopted Biscuit?" -> the adoption (dated) + the
  residence of Ben valid on that date.
"""

from __future__ import annotations

import random

from generators.skills.base import EVENT_PAST, QueryDraft, ask_time, fields, interleave, value_name
from generators.world import Event, Storyline, World
from schemas import Dialogue

OFFICE = (
    "In which city is the company {who} joined based?",
    "In which city does {who}'s new employer have its office?",
    "Which city is {org_owner} current company headquartered in?",
    "Where is the company {who} now works for based?",
)
AT_EVENT = (
    "Where was {who} living when {other} {did}?",
    "Which city did {who} live in at the time {other} {did}?",
    "When {other} {did}, where was {who} based?",
)


def _office(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    new = world.get(line.new_fact)
    office = next(f for f in world.facts if f.predicate == "based_in" and f.subject == new.object)
    values = fields(world, line.subject, new)
    values["org_owner"] = values["who"] + "'s"
    old_offices = [f.id for f in world.facts if f.predicate == "based_in" and f.id != office.id]
    return QueryDraft(
        skill="multi_hop",
        text=rng.choice(OFFICE).format(**values),
        answer=value_name(world, office.id),
        answers=[new.id, office.id],
        query_time=ask_time(dialogue, [new.id, office.id], rng),
        negatives=[
            ("other_time", [line.old_fact]),
            ("other_company", old_offices),
            ("other_attribute", [f.id for f in world.facts_of(line.subject, "lives_in")]),
        ],
        about={"ask": "office", "subject": line.subject, "org": new.object},
    )


def _at_event(world: World, dialogue: Dialogue, subject: str, event: Event, rng: random.Random) -> QueryDraft:
    homes = world.facts_of(subject, "lives_in")
    home = next(f for f in homes if f.valid_at(event.date))
    other = fields(world, event.subject, event)
    did = EVENT_PAST[event.kind].format(**other)
    values = fields(world, subject)
    actor = world.person(event.subject)
    name = other["who"]
    if actor.of == subject:  # "Where was Ben living when his sister Lena ...", not "when Ben's sister Lena ..."
        name = f"{values['pos']} {actor.relation} {actor.name}"
    text = rng.choice(AT_EVENT).format(**values, other=name, did=did)
    return QueryDraft(
        skill="multi_hop",
        text=text[0].upper() + text[1:],
        answer=value_name(world, home.id),
        answers=[event.id, home.id],
        query_time=ask_time(dialogue, [event.id, home.id], rng),
        negatives=[
            ("other_time", [f.id for f in homes if f.id != home.id]),
            ("other_person", [f.id for f in world.facts_of(event.subject, "lives_in")]),
        ],
        about={"ask": "state_at_event", "subject": subject, "predicate": "lives_in", "event": event.id},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    offices = {f.subject for f in world.facts if f.predicate == "based_in"}
    movers = [s.subject for s in world.storylines if s.predicate == "lives_in"]
    dated = [e for e in world.events if e.kind in ("adopted", "changed_job", "started_dating", "broke_up", "sold")]
    groups = {
        "office": [
            ("office", s, None)
            for s in world.storylines
            if s.predicate == "works_at" and s.new_fact and world.get(s.new_fact).object in offices
        ],
        "at_event": [("at_event", e, m) for e in dated for m in movers if m != e.subject],
    }
    return [
        _office(world, dialogue, item, rng) if form == "office" else _at_event(world, dialogue, subject, item, rng)
        for form, item, subject in interleave(groups, n, rng, "multi_hop")
    ]
