"""Coreference queries: a short conversation introduces someone, and the question names them only by pronoun
("Where does she work now?", "What did she call the puppy?"). The evidence is findable only by resolving the
pronoun; the other person of the same gender gives the `wrong_referent` hard negatives."""

from __future__ import annotations

import random
from datetime import timedelta

from generators.skills import phrasing
from generators.skills.base import QueryDraft, ask_time, interleave, value_name
from generators.world import Person, World
from schemas import ContextTurn, Dialogue

# (who speaks: "owner" of the relation or the "listener", template)
CONTEXTS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("listener", "How is your {rel} doing?"), ("owner", "{Name}? {Subj}'s doing great, thanks for asking.")),
    (("owner", "I had dinner with my {rel} {name} last night."), ("listener", "Oh nice, how is {subj}?")),
    (
        ("listener", "Have you heard from your {rel} lately?"),
        ("owner", "Yes, {name} called me on Sunday. {Subj} sounds happy."),
    ),
    (("owner", "My {rel} {name} says hi, by the way."), ("listener", "Aw, say hi back to {obj}!")),
    (("listener", "Is your {rel} {name} coming to the party?"), ("owner", "I think so, {subj} said {subj}'d try.")),
    (("owner", "I ran into my {rel} {name} at the market."), ("listener", "Oh, how's {subj} been?")),
)

_NOW = "[now|these days|at the moment|nowadays|currently|right now|at present|lately|as of now|today]"
QUESTIONS = {
    ("works_at", "now"): (
        "[Where does {subj} work|Where is {subj} working|Where's {subj} working] {now}?",
        "Which [company|firm] is {subj} [with|working for] {now}?",
        "[Sorry|Wait|Hmm], [where is|where's] {subj} working {now}?",
        "Who does {subj} work for {now}?",
        "What company did {subj} end up at?",
        "And where [is {subj} working|does {subj} work] {now}?",
        "Is {subj} still at the same [company|job]? Where [is {subj} now|does {subj} work]?",
        "What's {pos} [job|employer|workplace] {now}?",
        "[Which firm|What company] [pays {pos} salary|is {subj} with] {now}?",
        "Where [has {subj} been working|is {subj} employed] [lately|recently|these days]?",
    ),
    ("lives_in", "now"): (
        "Which city does {subj} live in {now}?",
        "[Where does {subj} live|Where is {subj} living|Where's {subj} living] [again|{now}]?",
        "[Sorry|Wait|Hang on|Oh], [where is|where's] {subj} based {now}?",
        "What city is {subj} in {now}?",
        "[Where is|Where's|In which city is] {subj} living {now}?",
        "And where [does {subj} live|is {subj} living] {now}?",
        "What's {pos} [city|home town|home] {now}?",
        "Which city [has {subj} settled in|does {subj} call home] {now}?",
        "Where [has {subj} been living|did {subj} end up living] [lately|recently]?",
    ),
    ("works_at", "before"): (
        "Where did {subj} work before {pos} [current|new|latest] job?",
        "Which company was {subj} at before switching jobs?",
        "Who did {subj} work for before the [new|current] job?",
        "And before that, where [did {subj} work|was {subj} employed]?",
        "What was {pos} [old|previous|last] [job|employer|company]?",
        "Which [firm|company] did {subj} leave [when {subj} changed jobs|for the new one]?",
        "Where [had {subj} been working|was {subj} working] before {pos} [switch|move]?",
    ),
    ("lives_in", "before"): (
        "Where did {subj} live before the move?",
        "Which city did {subj} move away from?",
        "Where was {subj} living before {subj} moved?",
        "And before that, [where|which city] did {subj} live?",
        "What was {pos} [old|previous] [city|home]?",
        "Which city did {subj} leave [when {subj} moved|behind]?",
        "Where [had {subj} been living|did {subj} use to live] before moving?",
    ),
    ("owns", "now"): (
        "What's the name of {pos} [new|] [pet|{kind}]?",
        "What did {subj} [call|name] the {kind}?",
        "[Sorry|Wait|Oh], what's {pos} {kind} called?",
        "What [name does {pos} {kind} have|is {pos} {kind} called][| again]?",
        "[And|So] what is {pos} {kind}'s name?",
        "Which name did {subj} [give|pick for] {pos} {kind}?",
    ),
}


def _context(world: World, person: Person, rng: random.Random) -> list[ContextTurn]:
    owner = world.person(person.of or world.speakers[0])
    listener = world.person(next(s for s in world.speakers if s != owner.id))
    subj, obj, _ = person.pronouns
    values = {"rel": person.relation, "name": person.name, "Name": person.name, "subj": subj}
    values |= {"Subj": subj.capitalize(), "obj": obj}
    turns = rng.choice(CONTEXTS)
    return [
        ContextTurn(speaker=(owner if role == "owner" else listener).name, text=text.format(**values))
        for role, text in turns
    ]


def rivals(world: World, person: Person) -> list[Person]:
    """The other mentioned people a pronoun for `person` could point at."""
    return [p for p in world.mentioned() if p.id != person.id and p.pronouns == person.pronouns]


def _draft(
    world: World, dialogue: Dialogue, person: Person, predicate: str, when: str, rng: random.Random
) -> QueryDraft:
    facts = world.facts_of(person.id, predicate)
    asked = ask_time(dialogue, [f.id for f in facts], rng, at_end=True)
    current = next(f for f in facts if f.valid_at(asked.date()))
    fact = current if when == "now" else next(f for f in facts if f.id != current.id)
    wrong = [f.id for p in rivals(world, person) for f in world.facts_of(p.id, predicate)]
    wrong = wrong or [f.id for p in rivals(world, person) for f in world.facts_of(p.id)]
    negatives = [("wrong_referent", wrong)]
    changed = [f.id for f in facts if f.id != fact.id]
    if changed:
        negatives.append(("superseded" if when == "now" else "other_time", changed))
    others = [f.id for f in world.facts_of(person.id) if f.predicate != predicate]
    negatives.append(("other_attribute", others))
    subj, _, pos = person.pronouns
    at = asked.date() if when == "now" else fact.valid_to - timedelta(days=1)
    thing = world.get(fact.object) if predicate == "owns" else None
    return QueryDraft(
        skill="coreference",
        text=phrasing.say(
            rng, QUESTIONS[(predicate, when)], subj=subj, pos=pos, kind=getattr(thing, "kind", ""), now=_NOW
        ),
        answer=value_name(world, fact.id),
        answers=[fact.id],
        query_time=asked,
        negatives=negatives,
        context=_context(world, person, rng),
        about={"ask": "state", "subject": person.id, "predicate": predicate, "at": at.isoformat()},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    groups: dict[str, list[tuple[Person, str, str]]] = {}
    for person in world.mentioned():
        if not rivals(world, person):
            continue
        for predicate in ("works_at", "lives_in"):
            if world.facts_of(person.id, predicate):
                groups.setdefault(f"{predicate} now", []).append((person, predicate, "now"))
            if len(world.facts_of(person.id, predicate)) > 1:
                groups.setdefault(f"{predicate} before", []).append((person, predicate, "before"))
        if any(world.get(f.object).pet for f in world.facts_of(person.id, "owns")):
            groups.setdefault("pet", []).append((person, "owns", "now"))
    return [_draft(world, dialogue, p, pred, when, rng) for p, pred, when in interleave(groups, n, rng, "coreference")]
