"""Temporal queries, in four forms, each with the gold computed from fact validity intervals and event dates:

- state at a time: "Where did Anna live in March 2023?" (the fact valid that month);
- before/after: "Where did Anna live before moving to Porto?" (the fact the move ended);
- when: "When did Anna move to Porto?" (the event; its turn says "two weeks ago", resolved against the session
  date, and the answer is that resolution);
- duration: "How long did Anna work at Acme?" (the fact that started "in 2019" and the event that ended it).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from generators.realize import timephrase
from generators.realize.timephrase import month_phrase
from generators.skills import episodes, phrasing
from generators.skills.base import (
    QueryDraft,
    ask_time,
    fields,
    interleave,
    same_predicate_others,
    turns_expressing,
    value_name,
    who,
)
from generators.skills.events import WHEN
from generators.world import Event, Fact, Storyline, World
from schemas import Dialogue

__all__ = ["who", "write"]

AT_MONTH = {
    "lives_in": (
        "Where did {who} live [in|during|back in] {month}?",
        "[Which city|What city|Which town|What town] was {who} [living in|based in|calling home] [in|during] {month}?",
        "In {month}, where [was {who} based|did {who} live|was {who} living]?",
        "What city did {who} call home [in|during|back in] {month}?",
        "Back in {month}, [which city|what city|where] was {who} [living|staying|based]?",
        "Where was {who}'s [home|place|flat] [in|during] {month}?",
        "{who} was living somewhere [in|during] {month} - [where|which city]?",
        "During {month}, what was {who}'s [city|home town]?",
    ),
    "works_at": (
        "Where did {who} work [in|during|back in] {month}?",
        "Which [company|firm|employer] was {who} [working for|with|at] [in|during] {month}?",
        "Who [employed|was paying] {who} [in|during] {month}?",
        "In {month}, where was {who} [working|employed]?",
        "Back in {month}, [which company|what company|who] did {who} work [for|at]?",
        "What was {who}'s [job|workplace|employer] [in|during] {month}?",
        "During {month}, [which firm|what company] had {who} on the payroll?",
    ),
}
NOW = {
    "lives_in": (
        "Where does {who} live [now|these days|at the moment|nowadays|right now|at present]?",
        "[Which city|What city|Which town] is {who} living in [these days|right now|now|nowadays]?",
        "Where is {who} based [at the moment|these days|currently]?",
        "What's {who}'s [city|home] [now|these days]?",
    ),
    "works_at": (
        "Where does {who} work [now|these days|at the moment|nowadays|right now|at present]?",
        "Which [company|firm] is {who} working for [these days|right now|now|nowadays]?",
        "Who [employs|pays] {who} [at the moment|these days|now]?",
        "What's {who}'s [job|employer|workplace] [now|these days]?",
    ),
}
BEFORE = {
    "lives_in": (
        "Where did {who} live before [moving|the move|relocating] to {city}?",
        "[Which city|What city|Which town|What town] was {who} in before the move to {city}?",
        "Before {who} moved to {city}, where did {subj} [live|stay|have {pos} place]?",
        "{who} moved to {city} at some point - where [was {subj} living|did {subj} live] before that?",
        "What city did {who} leave [for|to go to] {city}?",
        "Prior to {city}, [where|which city] was {who}'s home?",
        "Where had {who} been living [until|before] {subj} [moved|went] to {city}?",
    ),
    "works_at": (
        "Where did {who} work before [joining|starting at|moving to] {org}?",
        "Which company was {who} at before [starting at|joining|switching to] {org}?",
        "Before {org}, who did {who} work for?",
        "{who} joined {org} at some point - [where|which company] was {subj} [before|at until then]?",
        "What was {who}'s [job|employer] [prior to|before] {org}?",
        "Which firm did {who} leave [for|to join] {org}?",
    ),
}
DURATION = {
    "lives_in": (
        "How long did {who} live in {city}?",
        "For how long was {who} based in {city}?",
        "How [many years|long] [was|had] {who} [in|been in] {city} [before moving|all told]?",
        "{who} used to live in {city} - [for how long|how long was that]?",
        "How long [was|did] {who}'s [time|stay] in {city} [last|]?",
    ),
    "works_at": (
        "How long did {who} work at {org}?",
        "How long was {who} with {org}?",
        "For how [long|many years] [was {who} at|did {who} stay with] {org}?",
        "{who} used to work at {org} - [for how long|how long was that]?",
        "How long [did {who}'s job at {org} last|was {who} on {org}'s payroll]?",
    ),
}


def _month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _others(world: World, line: Storyline) -> tuple[str, list[str]]:
    return "other_person", same_predicate_others(world, line.subject, line.predicate, [p.id for p in world.people])


def _at_month(world: World, dialogue: Dialogue, line: Storyline, before: bool, rng: random.Random) -> QueryDraft:
    old, new, change = world.get(line.old_fact), world.get(line.new_fact), world.get(line.change)
    values = fields(world, line.subject)
    asked = ask_time(dialogue, [old.id, new.id], rng)
    if before:
        month = _month_before(old.valid_to)
        text = phrasing.say(rng, AT_MONTH[line.predicate], **values, month=month_phrase(month, asked, rng))
        fact, negatives, at = old, [("other_time", [new.id]), _others(world, line)], month
    else:
        month = _month_after(change.date)
        fact, negatives = new, [("superseded", [old.id]), _others(world, line)]
        if _month_after(month) <= asked.date():
            phrase = month_phrase(month, asked, rng)
            text, at = phrasing.say(rng, AT_MONTH[line.predicate], **values, month=phrase), month
        else:
            text, at = phrasing.say(rng, NOW[line.predicate], **values), asked.date()
    if not fact.valid_at(at):
        raise AssertionError(f"temporal query about {fact.id} asks at {at}, outside its validity")
    return QueryDraft(
        skill="temporal",
        text=text,
        answer=value_name(world, fact.id),
        answers=[fact.id],
        query_time=asked,
        negatives=negatives,
        about={"ask": "state", "subject": line.subject, "predicate": line.predicate, "at": at.isoformat()},
    )


def _before_change(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    old, new = world.get(line.old_fact), world.get(line.new_fact)
    at = old.valid_to - timedelta(days=1)
    return QueryDraft(
        skill="temporal",
        text=phrasing.say(rng, BEFORE[line.predicate], **fields(world, line.subject, new)),
        answer=value_name(world, old.id),
        answers=[old.id],
        query_time=ask_time(dialogue, [old.id, new.id], rng),
        negatives=[("other_time", [new.id]), _others(world, line)],
        about={"ask": "state", "subject": line.subject, "predicate": line.predicate, "at": at.isoformat()},
    )


def resolution(dialogue: Dialogue, event: Event) -> dict[str, str]:
    """How the first turn telling `event` dates it: the phrase, the session date-time, the days it means."""
    for said, turn in turns_expressing(dialogue, [event.id]):
        found = timephrase.find(turn.text)
        if len(found) == 1:
            first, last = timephrase.resolve(found[0], said)
            if not first <= event.date <= last:
                raise AssertionError(f"turn {turn.turn_id} dates {event.id} ({event.date}) as {found[0]!r}")
            return {
                "turn": turn.turn_id,
                "phrase": found[0],
                "said": said.isoformat(),
                "first": first.isoformat(),
                "last": last.isoformat(),
            }
    raise ValueError(f"no turn of {dialogue.dialogue_id} dates {event.id} with a time phrase")


def _span_answer(first: date, last: date) -> str:
    if first == last:
        return f"On {first:%B} {first.day}, {first.year}."
    if first.day == 1 and (last + timedelta(days=1)).day == 1 and first.month == last.month:
        return f"In {first:%B %Y}."
    return f"Between {first:%B} {first.day} and {last:%B} {last.day}, {last.year}."


def _when(world: World, dialogue: Dialogue, event: Event, rng: random.Random) -> QueryDraft:
    resolved = resolution(dialogue, event)
    first, last = date.fromisoformat(resolved["first"]), date.fromisoformat(resolved["last"])
    same_subject = [e.id for e in world.events_of(event.subject) if e.id != event.id]
    same_kind = [e.id for e in world.events if e.kind == event.kind and e.subject != event.subject]
    return QueryDraft(
        skill="temporal",
        text=phrasing.say(rng, WHEN[event.kind], **fields(world, event.subject, event)),
        answer=_span_answer(first, last),
        answers=[event.id],
        query_time=ask_time(dialogue, [event.id], rng),
        negatives=[("other_event", same_subject), ("other_person", same_kind)],
        about={"ask": "when", "event": event.id, **resolved},
    )


def ender(world: World, line: Storyline) -> Event:
    """The event that ended the storyline's old fact: the cause when it ended it (layoffs), else the change."""
    old: Fact = world.get(line.old_fact)
    cause = world.get(line.cause) if line.cause else None
    return cause if cause is not None and cause.date == old.valid_to else world.get(line.change)


def _duration(world: World, dialogue: Dialogue, line: Storyline, rng: random.Random) -> QueryDraft:
    old, new = world.get(line.old_fact), world.get(line.new_fact)
    end = ender(world, line)
    events = [e for e in (line.cause, line.change) if e != end.id]
    attributes = [f.id for f in world.facts_of(line.subject) if f.predicate != line.predicate]
    return QueryDraft(
        skill="temporal",
        text=phrasing.say(rng, DURATION[line.predicate], **fields(world, line.subject, old)),
        answer=f"From {old.valid_from.year} until {old.valid_to:%B %Y}.",
        answers=[old.id, end.id],
        query_time=ask_time(dialogue, [old.id, end.id], rng),
        negatives=[
            ("other_time", [new.id]),
            ("other_event", events),
            _others(world, line),
            ("other_attribute", attributes),
        ],
        about={"ask": "duration", "fact": old.id},
    )


def _states_year(dialogue: Dialogue, fact: Fact) -> bool:
    return any(str(fact.valid_from.year) in t.text for _, t in turns_expressing(dialogue, [fact.id]))


def write(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    changes = [s for s in world.storylines if s.predicate in ("lives_in", "works_at")]
    groups = {
        "at_month": [("at_month", s, before) for s in changes for before in (True, False)],
        "before": [("before", s, None) for s in changes],
        "when": [("when", e, None) for e in world.events if e.kind in WHEN],
        "duration": [("duration", s, None) for s in changes if _states_year(dialogue, world.get(s.old_fact))],
        "in_month": [("in_month", item, None) for item in episodes.in_month_items(world, dialogue)],
    }
    drafts = []
    for form, item, before in interleave(groups, n, rng, "temporal"):
        if form == "at_month":
            drafts.append(_at_month(world, dialogue, item, before, rng))
        elif form == "before":
            drafts.append(_before_change(world, dialogue, item, rng))
        elif form == "when":
            drafts.append(_when(world, dialogue, item, rng))
        elif form == "in_month":
            drafts.append(episodes.in_month(world, dialogue, item, rng))
        else:
            drafts.append(_duration(world, dialogue, item, rng))
    return drafts
