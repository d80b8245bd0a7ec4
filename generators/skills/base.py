"""What a query writer returns, and the helpers writers share."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from generators.world import Fact, World
from schemas import ContextTurn, Dialogue


@dataclass
class QueryDraft:
    """A query before it gets an id and instruction.

    `answers` are the scenario fact/event ids that answer it (its evidence is every turn expressing one of them,
    said before `query_time`); `negatives` are (reason, fact/event ids) whose turns make hard negatives, in priority
    order; `about` records what was asked in scenario terms (for audits and tests).
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


def sessions_expressing(dialogue: Dialogue, ids: Iterable[str]) -> list[int]:
    """0-based indices of the sessions with a turn expressing any of `ids`."""
    wanted = set(ids)
    return [i for i, s in enumerate(dialogue.sessions) if any(wanted & set(t.expresses) for t in s.turns)]


def ask_time(dialogue: Dialogue, ids: Iterable[str], rng: random.Random, at_end: bool = False) -> datetime:
    """A moment to ask a question about `ids`: after every session that expresses one of them.

    Within the dialogue (hours after a later session, before the next one) or after the last session; with
    `at_end` always after the last session.
    """
    sessions = dialogue.sessions
    found = sessions_expressing(dialogue, ids)
    if not found:
        raise ValueError(f"dialogue {dialogue.dialogue_id!r}: no turn expresses any of {sorted(set(ids))}")
    last = len(sessions) - 1
    k = last if at_end else rng.randint(max(found), last)
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
