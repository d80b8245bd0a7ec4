"""Unanswerable queries: plausible questions no memory answers, so every candidate is a negative.

- a relative never mentioned: "Where does Anna's cousin work?" when Anna never spoke of a cousin (the people
  she did mention are `other_person` negatives);
- an attribute never stated: "What colour was Ben's Volvo?", "What breed is Biscuit?" (turns about that car or
  pet are `same_entity` negatives);
- a place nobody went: "When did Anna visit Oslo?" (distractor talk naming Oslo is the `lexical` look-alike).
"""

from __future__ import annotations

import random

from generators import names
from generators.skills import phrasing
from generators.skills.base import NOT_MENTIONED, QueryDraft, ask_time, fields, interleave
from generators.world import World
from schemas import Dialogue

RELATIVE = {
    "works_at": (
        "Where does {who}'s {rel} work?",
        "Which [company|firm] does {who}'s {rel} work for?",
        "What does {who}'s {rel} do for work[| these days]?",
        "{who}'s {rel} - where do they work[| now]?",
        "Who employs {who}'s {rel}[| these days]?",
    ),
    "lives_in": (
        "Which city does {who}'s {rel} live in?",
        "Where is {who}'s {rel} based [these days|now]?",
        "Where does {who}'s {rel} [live|call home]?",
        "{who}'s {rel} - which city [are they in|do they live in]?",
        "What city [is|has] {who}'s {rel} [living in|settled in]?",
    ),
}
ATTRIBUTE = {
    "car": (
        "What colour [was|is] {who}'s {car}?",
        "How much did {who} pay for the {car}?",
        "Where did {who} buy the {car}?",
        "What year was {who}'s {car} made?",
        "How many miles [were|had] on {who}'s {car}[| when {subj} bought it]?",
        "Who sold {who} the {car}?",
    ),
    "pet": (
        "What breed is {pet}?",
        "How old was {pet} when {who} adopted [it|{pet}]?",
        "Where did {who} adopt {pet}?",
        "What does {pet} [like to eat|eat]?",
        "What colour is {who}'s {kind} {pet}?",
        "Which shelter did {pet} come from?",
    ),
    "dating": (
        "How did {who} meet {partner}?",
        "What does {partner} do for a living?",
        "Where did {who} and {partner} [first meet|go on their first date]?",
        "How old is {partner}?",
        "Where is {partner} from originally?",
    ),
    "works_at": (
        "What is {who}'s job title at {org}?",
        "What team is {who} on at {org}?",
        "Who is {who}'s manager at {org}?",
        "How much does {who} earn at {org}?",
        "How does {who} get to work at {org}?",
    ),
    "lives_in": (
        "How much rent does {who} pay in {city}?",
        "Which neighbourhood of {city} does {who} live in?",
        "What's {who}'s street in {city}?",
        "Does {who} rent or own [a place|{pos} flat] in {city}?",
        "How big is {who}'s [flat|place] in {city}?",
    ),
}
PLACE = (
    "When did {who} visit {city}?",
    "What did {who} do on the trip to {city}?",
    "Who did {who} meet in {city}?",
    "How was {who}'s [trip|time|stay] in {city}?",
    "Where did {who} stay in {city}?",
    "What did {who} think of {city}?",
    "Why did {who} go to {city}?",
)


def _draft(
    world: World,
    dialogue: Dialogue,
    text: str,
    negatives: list[tuple[str, list[str]]],
    about: dict[str, str],
    rng: random.Random,
) -> QueryDraft:
    near = [i for _, ids in negatives for i in ids]
    asked = ask_time(dialogue, near, rng, at_end=True) if near else ask_time(dialogue, [world.facts[0].id], rng, True)
    return QueryDraft(
        skill="unanswerable",
        text=text,
        answer=rng.choice(NOT_MENTIONED),
        answers=[],
        query_time=asked,
        negatives=negatives,
        about={"ask": "none", **about},
    )


def _relative(world: World, dialogue: Dialogue, item: tuple[str, str, str], rng: random.Random) -> QueryDraft:
    speaker, relation, predicate = item
    known = [p.id for p in world.mentioned() if p.of == speaker] + [p.id for p in world.mentioned() if p.of != speaker]
    text = phrasing.say(rng, RELATIVE[predicate], **fields(world, speaker), rel=relation)
    negatives = [("other_person", [f.id for p in known for f in world.facts_of(p, predicate)])]
    return _draft(world, dialogue, text, negatives, {"speaker": speaker, "relation": relation}, rng)


def _attribute(world: World, dialogue: Dialogue, item: tuple[str, str], rng: random.Random) -> QueryDraft:
    kind, fact_id = item
    fact = world.get(fact_id)
    related = [fact.id] + [e.id for e in world.events if fact.object in e.args.values() and e.subject == fact.subject]
    text = phrasing.say(rng, ATTRIBUTE[kind], **fields(world, fact.subject, fact))
    return _draft(world, dialogue, text, [("same_entity", related)], {"kind": kind, "fact": fact.id}, rng)


def _place(world: World, dialogue: Dialogue, item: tuple[str, str], rng: random.Random) -> QueryDraft:
    person, place = item
    text = phrasing.say(rng, PLACE, **fields(world, person), city=world.name_of(place))
    homes = [f.id for f in world.facts_of(person, "lives_in")]
    return _draft(world, dialogue, text, [("other_attribute", homes)], {"person": person, "place": place}, rng)


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    relatives = []
    for speaker in world.speakers:
        used = {p.relation for p in world.people if p.of == speaker}
        free = [r for r in names.RELATIONS if r not in used]
        relatives += [(speaker, r, predicate) for r in rng.sample(free, 3) for predicate in RELATIVE]
    attributes = []
    for fact in world.facts:
        if fact.predicate == "owns":
            attributes.append(("pet" if world.get(fact.object).pet else "car", fact.id))
        elif fact.predicate == "dating" or (fact.predicate in ("lives_in", "works_at") and fact.valid_to is None):
            attributes.append((fact.predicate, fact.id))
    groups = {
        "relative": [("relative", r) for r in relatives],
        "attribute": [("attribute", a) for a in attributes],
        "place": [("place", (s, p)) for s in world.speakers for p in world.spare_places],
    }
    writers = {"relative": _relative, "attribute": _attribute, "place": _place}
    return [writers[form](world, dialogue, item, rng) for form, item in interleave(groups, n, rng, "unanswerable")]
