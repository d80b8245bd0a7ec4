"""Coreference queries: a short conversation introduces someone, and the question names them only by pronoun
("Where does she work now?"). The evidence is findable only by resolving the pronoun; the other people it could
point at give the wrong-referent hard negatives."""

from __future__ import annotations

import random
from datetime import timedelta

from generators.skills.base import QueryDraft, ask_time, value_name
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
)

QUESTIONS = {
    ("works_at", "now"): (
        "Where does {subj} work now?",
        "Which company is {subj} with these days?",
        "Remind me, where is {subj} working at the moment?",
    ),
    ("lives_in", "now"): (
        "Which city does {subj} live in?",
        "Where does {subj} live again?",
        "Remind me, where is {subj} based?",
    ),
    ("works_at", "before"): (
        "Where did {subj} work before {pos} current job?",
        "Which company was {subj} at before switching jobs?",
    ),
}


def _context(world: World, person: Person, rng: random.Random) -> list[ContextTurn]:
    owner = world.person(person.of or world.speakers[0])
    listener = world.person(next(s for s in world.speakers if s != owner.id))
    subj, obj, _ = person.pronouns
    values = {
        "rel": person.relation,
        "name": person.name,
        "Name": person.name,
        "subj": subj,
        "Subj": subj.capitalize(),
        "obj": obj,
    }
    turns = rng.choice(CONTEXTS)
    return [
        ContextTurn(speaker=(owner if role == "owner" else listener).name, text=text.format(**values))
        for role, text in turns
    ]


def _draft(
    world: World, dialogue: Dialogue, person: Person, predicate: str, when: str, rng: random.Random
) -> QueryDraft:
    facts = world.facts_of(person.id, predicate)
    asked = ask_time(dialogue, [f.id for f in facts], rng, at_end=True)
    current = next(f for f in facts if f.valid_at(asked.date()))
    fact = current if when == "now" else next(f for f in facts if f.id != current.id)
    others = [p.id for p in world.mentioned() if p.id != person.id and p.pronouns == person.pronouns]
    negatives = [("wrong_referent", [f.id for p in others for f in world.facts_of(p, predicate)])]
    changed = [f.id for f in facts if f.id != fact.id]
    if changed:
        negatives.append(("superseded" if when == "now" else "other_time", changed))
    other_predicate = "lives_in" if predicate == "works_at" else "works_at"
    negatives.append(("other_attribute", [f.id for f in world.facts_of(person.id, other_predicate)]))
    subj, _, pos = person.pronouns
    at = asked.date() if when == "now" else fact.valid_to - timedelta(days=1)
    return QueryDraft(
        skill="coreference",
        text=rng.choice(QUESTIONS[(predicate, when)]).format(subj=subj, pos=pos),
        answer=value_name(world, fact.id),
        answers=[fact.id],
        query_time=asked,
        negatives=negatives,
        context=_context(world, person, rng),
        about={"subject": person.id, "predicate": predicate, "at": at.isoformat()},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    options = []
    for person in world.mentioned():
        options += [(person, "works_at", "now"), (person, "lives_in", "now")]
        if len(world.facts_of(person.id, "works_at")) > 1:
            options.append((person, "works_at", "before"))
    if n > len(options):
        raise ValueError(f"coreference: {n} queries asked, the world has {len(options)} people facts to ask about")
    return [_draft(world, dialogue, p, pred, when, rng) for p, pred, when in rng.sample(options, n)]
