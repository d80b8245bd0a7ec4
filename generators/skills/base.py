"""What a query writer returns, and the helpers writers share."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from generators.realize.template import fields_of
from generators.world import Event, Fact, Person, World
from schemas import ContextTurn, Dialogue, Turn


@dataclass
class QueryDraft:
    """A query before it gets an id and instruction.

    `answers` are the scenario fact/event ids that answer it (its evidence is every turn expressing one of them,
    said before `query_time`; none for an unanswerable query); `negatives` are (reason, fact/event ids) whose turns
    make hard negatives, in priority order; `about` records what was asked in scenario terms, with `ask` naming the
    question's form (state, when, duration, cause, effects, office, state_at_event, ended, none), so tests
    recompute the answer from the world without reading `answers`.
    """

    skill: str
    text: str
    answer: str
    answers: list[str]
    query_time: datetime
    negatives: list[tuple[str, list[str]]] = field(default_factory=list)
    context: list[ContextTurn] = field(default_factory=list)
    about: dict[str, Any] = field(default_factory=dict)


Writer = Callable[[World, Dialogue, int, random.Random], list[QueryDraft]]

NOT_MENTIONED: tuple[str, ...] = (
    "Not mentioned in the conversations.",
    "The conversations never say.",
    "Unknown: this was never mentioned.",
)


_INDEX: list[tuple[Dialogue, dict[str, list[tuple[int, int, Turn]]]]] = []


def expressing(dialogue: Dialogue) -> dict[str, list[tuple[int, int, Turn]]]:
    """Scenario id -> (position in the dialogue, session index, turn) of every turn expressing it, in order.

    Writers ask it for every query, so the last dialogue's index is kept."""
    if not _INDEX or _INDEX[0][0] is not dialogue:
        index: dict[str, list[tuple[int, int, Turn]]] = {}
        position = 0
        for k, session in enumerate(dialogue.sessions):
            for turn in session.turns:
                for ident in turn.expresses:
                    index.setdefault(ident, []).append((position, k, turn))
                position += 1
        _INDEX[:] = [(dialogue, index)]
    return _INDEX[0][1]


def sessions_expressing(dialogue: Dialogue, ids: Iterable[str]) -> list[int]:
    """0-based indices of the sessions with a turn expressing any of `ids`."""
    index = expressing(dialogue)
    return sorted({k for i in set(ids) for _, k, _ in index.get(i, ())})


def turns_expressing(dialogue: Dialogue, ids: Iterable[str]) -> list[tuple[datetime, Turn]]:
    """(session date-time, turn) for every turn expressing any of `ids`, in dialogue order."""
    index = expressing(dialogue)
    found = sorted({(pos, k, turn.turn_id): turn for i in set(ids) for pos, k, turn in index.get(i, ())}.items())
    return [(dialogue.sessions[k].date_time, turn) for (_, k, _), turn in found]


# most questions come after the whole conversation, as in real long-term memory benchmarks: the evidence then
# sits anywhere in it, and a question is never asked right after the one turn that answers it
AT_END = 0.8


def ask_time(dialogue: Dialogue, ids: Iterable[str], rng: random.Random, at_end: bool = False) -> datetime:
    """A moment to ask a question about `ids`: after every session that expresses one of them.

    Within the dialogue (hours after a later session, before the next one) or after the last session; with
    `at_end` always after the last session.
    """
    ids = list(ids)
    sessions = dialogue.sessions
    found = sessions_expressing(dialogue, ids)
    if not found:
        raise ValueError(f"dialogue {dialogue.dialogue_id!r}: no turn expresses any of {sorted(set(ids))}")
    last = len(sessions) - 1
    k = last if at_end or rng.random() < AT_END else rng.randint(max(found), last)
    said = sessions[k].date_time
    days = rng.randint(1, 10) if k == last else rng.randint(1, max(1, (sessions[k + 1].date_time - said).days - 1))
    asked = datetime.combine(said.date() + timedelta(days=days), time(rng.randint(8, 21), rng.choice((0, 15, 30, 45))))
    if k < last and asked >= sessions[k + 1].date_time:  # sessions a day apart: ask an hour after instead
        asked = said + timedelta(hours=1)
    return asked


def value_name(world: World, fact_id: str) -> str:
    fact: Fact = world.get(fact_id)
    return world.name_of(fact.object)


def same_predicate_others(world: World, subject: str, predicate: str, pool: Iterable[str]) -> list[str]:
    """Fact ids of `predicate` for the subjects in `pool` other than `subject`."""
    return [f.id for s in pool if s != subject for f in world.facts_of(s, predicate)]


def who(world: World, person: Person) -> str:
    """How a question names a person: a speaker by name, anyone else as "Anna's sister Lena"."""
    if person.speaker or person.of is None:
        return person.name
    return f"{world.person(person.of).name}'s {person.relation} {person.name}"


def fields(world: World, subject: str, *items: Fact | Event | None) -> dict[str, str]:
    """Template fields for a question about `subject`: {who}, pronouns, and the names the items mention."""
    person = world.person(subject)
    subj, obj, pos = person.pronouns
    return {
        "who": who(world, person),
        "name": person.name,
        "subj": subj,
        "Subj": subj.capitalize(),
        "obj": obj,
        "pos": pos,
        "Pos": pos.capitalize(),
        **fields_of(world, *items),
    }


def interleave(groups: dict[str, list[Any]], n: int, rng: random.Random, skill: str) -> list[Any]:
    """`n` options taken round-robin over shuffled groups (so every form of question gets used)."""
    pools = {k: rng.sample(v, len(v)) for k, v in groups.items() if v}
    total = sum(len(v) for v in pools.values())
    if n > total:
        raise ValueError(f"{skill}: {n} queries asked, the world supports {total}")
    order = rng.sample(sorted(pools), len(pools))
    chosen: list[Any] = []
    while len(chosen) < n:
        for key in order:
            if pools[key] and len(chosen) < n:
                chosen.append(pools[key].pop())
    return chosen


# what an event kind did, in the past tense, with template fields
EVENT_PAST: dict[str, str] = {  # `phrasing` choices
    "moved": "[moved to|relocated to|packed up for] {city}",
    "changed_job": "[started at|joined|began working at|took the job at] {org}",
    "sold": "[sold|got rid of|parted with] {pos} {car}",
    "cancelled_trip": "[cancelled|called off|dropped] the trip to {city}",
    "started_dating": "[started dating|got together with|began seeing] {partner}",
    "broke_up": "[broke up with|split from|ended things with] {partner}",
    "adopted": "[adopted|took in|brought home] {pet}",
}
