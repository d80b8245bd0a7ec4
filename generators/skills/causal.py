"""Causal queries, from the world's causal links:

- why / what led to: "Why did Anna sell her car?" -> the cause (here the move, itself caused by a job offer: a
  chain); the turn reporting the effect itself is the `effect_for_cause` hard negative;
- what came of: "What came of Anna's move to Porto?" -> every effect (a cause can have two); the turn stating the
  cause is the `cause_for_effect` hard negative.
"""

from __future__ import annotations

import random

from generators.skills import phrasing
from generators.skills.base import QueryDraft, ask_time, fields, interleave
from generators.skills.events import CAUSE_NP, SENTENCE
from generators.world import Event, World
from schemas import Dialogue

WHY = {
    "moved": (
        "Why did {who} [move|relocate] to {city}?",
        "What made {who} [decide to move|pick up and move|relocate] to {city}?",
        "What was the reason {who} [relocated|moved] to {city}?",
        "How come {who} ended up [moving to|in] {city}?",
        "{who} moved to {city} - what was behind [that|the move]?",
        "What [prompted|triggered] {who}'s move to {city}?",
        "Why the move to {city} for {who}?",
    ),
    "changed_job": (
        "Why did {who} [switch jobs to|move to|go to] {org}?",
        "What made {who} leave {pos} old job for {org}?",
        "Why did {who} start working at {org}?",
        "What led {who} to [change employers|switch jobs|take the job at {org}]?",
        "{who} joined {org} - [why|what was the reason]?",
        "What [prompted|pushed] {who} to [join|move to] {org}?",
        "How come {who} [ended up at|went to work for] {org}?",
    ),
    "sold": (
        "Why did {who} sell {pos} {car}?",
        "What led to {who} selling the {car}?",
        "What made {who} [get rid of|part with] {pos} {car}?",
        "{who} sold the {car} - [why|what was the reason]?",
        "How come {who} [no longer has|sold] the {car}?",
        "What was behind {who} selling {pos} {car}?",
    ),
    "cancelled_trip": (
        "Why did {who} cancel the trip to {city}?",
        "What led to {who} calling off the {city} trip?",
        "How come {who} [cancelled|dropped] {pos} trip to {city}?",
        "{who} cancelled the {city} trip - [why|what happened]?",
        "What [made|forced] {who} to call off the trip to {city}?",
        "Why [isn't|wasn't] {who} going to {city} after all?",
    ),
}
EFFECTS = (
    "What came of {cause}?",
    "What did {cause} lead to?",
    "What happened as a result of {cause}?",
    "What was the [consequence|upshot|fallout|knock-on effect] of {cause}?",
    "What [changed|happened] [after|because of] {cause}?",
    "[So|And] {cause} - what did that [lead to|mean|change]?",
    "What difference did {cause} make[ for {who}|]?",
    "What [followed|came next] after {cause}?",
    "What did {cause} [end up causing|set off|result in]?",
)


def _descendants(world: World, event_id: str) -> set[str]:
    found: set[str] = set()
    todo = [event_id]
    while todo:
        for effect in world.effects_of(todo.pop()):
            if effect not in found:
                found.add(effect)
                todo.append(effect)
    return found


def _ancestors(world: World, event_id: str) -> set[str]:
    found: set[str] = set()
    todo = [event_id]
    while todo:
        for cause in world.causes_of(todo.pop()):
            if cause not in found:
                found.add(cause)
                todo.append(cause)
    return found


def _why(world: World, dialogue: Dialogue, change: Event, rng: random.Random) -> QueryDraft:
    causes = world.causes_of(change.id)
    (cause_id,) = causes
    cause: Event = world.get(cause_id)
    line = next(s for s in world.storylines if s.change == change.id)
    new = world.get(line.new_fact) if line.new_fact else None
    effect_ids = [change.id] + ([new.id] if new is not None else [])
    related = _ancestors(world, change.id) | _descendants(world, change.id) | {change.id}
    other_causes = [s.cause for s in world.storylines if s.cause and s.cause not in related]
    return QueryDraft(
        skill="causal",
        text=phrasing.say(rng, WHY[change.kind], **fields(world, change.subject, change, new)),
        answer=SENTENCE[cause.kind].format(**fields(world, cause.subject, cause)),
        answers=[cause.id],
        query_time=ask_time(dialogue, [cause.id, change.id], rng),
        negatives=[("effect_for_cause", effect_ids), ("other_cause", other_causes)],
        about={"ask": "cause", "effect": change.id, "cause": cause.id},
    )


def _effects(world: World, dialogue: Dialogue, cause: Event, rng: random.Random) -> QueryDraft:
    effects: list[Event] = [world.get(e) for e in world.effects_of(cause.id)]
    related = _ancestors(world, cause.id) | _descendants(world, cause.id) | {cause.id}
    other_effects = [s.change for s in world.storylines if s.cause and s.change not in related]
    answer = " ".join(SENTENCE[e.kind].format(**fields(world, e.subject, e)) for e in effects)
    values = fields(world, cause.subject, cause)
    return QueryDraft(
        skill="causal",
        text=phrasing.say(rng, EFFECTS, cause=CAUSE_NP[cause.kind].format(**values), who=values["who"]),
        answer=answer,
        answers=[e.id for e in effects],
        query_time=ask_time(dialogue, [cause.id, *(e.id for e in effects)], rng),
        negatives=[("cause_for_effect", [cause.id]), ("other_effect", other_effects)],
        about={"ask": "effects", "cause": cause.id},
    )


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    changes = [world.get(s.change) for s in world.storylines if s.cause is not None]
    causes = sorted({s.cause for s in world.storylines if s.cause is not None})
    groups = {
        "why": [("why", e) for e in changes if e.kind in WHY],
        "effects": [("effects", world.get(c)) for c in causes],
    }
    return [
        _why(world, dialogue, event, rng) if form == "why" else _effects(world, dialogue, event, rng)
        for form, event in interleave(groups, n, rng, "causal")
    ]
