"""Causal queries: "Why did Anna move to Porto?". The evidence is the turn stating the cause; the turn reporting
the effect itself is the hard negative."""

from __future__ import annotations

import random

from generators.skills.base import QueryDraft, ask_time
from generators.skills.temporal import who
from generators.world import Storyline, World
from schemas import Dialogue

QUESTIONS = {
    "lives_in": (
        "Why did {who} move to {city}?",
        "What made {who} decide to move to {city}?",
        "What was the reason {who} relocated to {city}?",
        "How come {who} ended up moving to {city}?",
    ),
    "works_at": (
        "Why did {who} switch jobs to {org}?",
        "What made {who} leave {pos} old job for {org}?",
        "Why did {who} start working at {org}?",
        "What led {who} to change employers?",
    ),
}

ANSWERS = {
    "job_offer": "{Subj} got a job offer from {org} in {city}.",
    "partner_job": "{Pos} partner landed a job in {city}.",
    "study": "{Subj} got accepted into a master's programme in {city}.",
    "family": "{Pos} parents in {city} needed help at home.",
    "layoffs": "{Subj} lost {pos} previous job in a round of layoffs.",
    "recruited": "A recruiter from {org} reached out to {obj} with a role.",
    "commute": "{Pos} office moved and the commute became unbearable.",
    "conference": "{Subj} met people from {org} at a conference who asked {obj} to join.",
}


def _draft(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    cause, change = world.get(line.cause), world.get(line.change)
    person = world.person(line.subject)
    subj, obj, pos = person.pronouns
    values = {"who": who(world, person), "Subj": subj.capitalize(), "obj": obj, "pos": pos, "Pos": pos.capitalize()}
    for role, key in (("place", "city"), ("org", "org")):
        for event in (change, cause):
            if role in event.args:
                values.setdefault(key, world.name_of(event.args[role]))
    other_causes = [s.cause for s in world.storylines if s.id != line.id]
    return QueryDraft(
        skill="causal",
        text=rng.choice(QUESTIONS[line.predicate]).format(**values),
        answer=ANSWERS[cause.kind].format(**values),
        answers=[cause.id],
        query_time=ask_time(dialogue, [cause.id, change.id], rng),
        negatives=[("effect_for_cause", [change.id, line.new_fact]), ("other_cause", other_causes)],
        about={"effect": change.id, "cause": cause.id},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    if n > len(world.storylines):
        raise ValueError(f"causal: {n} queries asked, the world has {len(world.storylines)} causal links")
    return [_draft(world, dialogue, line, rng) for line in rng.sample(list(world.storylines), n)]
