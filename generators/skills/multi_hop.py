"""Multi-hop queries: the answer needs two memories joined.

- office: "In which city is the company Anna joined based?" -> Anna's new job (one turn) + that company's office
  (another turn, which never names Anna);
- state at an event: "Where was Ben living when his sister Lena adopted Biscuit?" -> the adoption (dated) + the
  residence of Ben valid on that date.
"""

from __future__ import annotations

import random

from generators.skills import phrasing
from generators.skills.base import EVENT_PAST, QueryDraft, ask_time, fields, interleave, value_name
from generators.world import Event, Storyline, World
from schemas import Dialogue

_CITY = "[which city|what city|which town]"
OFFICE = (
    "In [which|what] city is the company {who} joined based?",
    "In which city does {who}'s new employer have its [office|offices|headquarters|main office]?",
    "[Which city|What city] is {org_owner} [current|new|latest] [company|employer|firm] [headquartered|based] in?",
    "Where is the [company|firm|outfit] {who} now works for based?",
    f"{{who}} started a new job - {_CITY} is that company [in|based in|run from]?",
    "Where are the offices of {who}'s new [employer|company|firm]?",
    "[What city|Which town] would {who} [commute to|head to|travel to] for {pos} new [job|employer]'s office?",
    "Where's {who}'s new [workplace|employer|company] [located|headquartered|based]?",
    f"The [firm|company|employer] {{who}} [moved to|joined|went to] - {_CITY} is it [based|headquartered|located] in?",
    "{who}'s new [employer|company] - where's [its office|it based|its head office]?",
)
AT_EVENT = (
    "Where was {who} living when {other} {did}?",
    "[Which city|What city|Which town] did {who} live in [at the time|when|back when] {other} {did}?",
    "When {other} {did}, where [was {who} based|did {who} live|was {who}'s home]?",
    "Around the time {other} {did}, [which city was {who} living in|where was {who} living|where was {who} based]?",
    "{who} was living where [when|at the point] {other} {did}?",
    "[At the point|Back when|Just as] {other} {did}, [what city|which town] was {who}'s home?",
    "[What city|Which place] was {who} in [when|by the time|right when] {other} {did}?",
    "Where did {who} [call home|have {pos} place|live] when {other} {did}?",
    "{other} {did} [once|at one point] - where was {who} living [then|back then|at that time]?",
)


def _office(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    new = world.get(line.new_fact)
    office = next(f for f in world.facts if f.predicate == "based_in" and f.subject == new.object)
    values = fields(world, line.subject, new)
    values["org_owner"] = values["who"] + "'s"
    old_offices = [f.id for f in world.facts if f.predicate == "based_in" and f.id != office.id]
    return QueryDraft(
        skill="multi_hop",
        text=phrasing.say(rng, OFFICE, **values),
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
    text = phrasing.say(rng, AT_EVENT, **{**values, "other": name, "did": did})
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
