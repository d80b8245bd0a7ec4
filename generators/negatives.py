"""Constructed hard negatives: turns chosen for a reason from the scenario, each tagged `constructed:<reason>`.

Reasons come from the query's plan (superseded, other_time, other_person, wrong_referent, effect_for_cause,
cause_for_effect, other_cause, other_effect, other_event, other_attribute, other_company, same_entity: the turns
expressing those fact/event ids), plus `lexical`: turns that state no
scenario fact but share the most words with the question and its answer. A turn expressing any fact/event that
answers the query is never a negative, whatever its reason.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from functools import lru_cache
from itertools import chain
from typing import Any

from schemas import Query, Turn
from scoring.text import words

# Function words and chat fillers: what every turn says, so no look-alike is chosen for sharing them.
_STOP = frozenset(
    words(
        """a an the and or but if of to in on at for from by with about as into than then so too very is are was
        were be been being am do does did have has had i you he she it we they me him her us them my your his its
        our their what where when why how who which whom this that these those there here now again just still
        really remind me did does doing s d ll re ve m t not no yes oh good great nice thanks hi hey long much many
        exactly ever come up"""
    )
)


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> frozenset[str]:
    """The words of `text` worth matching (cached: a dialogue's queries read the same turns again and again)."""
    return frozenset(w for w in words(text) if w not in _STOP and len(w) > 1)


def lexical(query: Query, turns: list[Turn], ignore: Collection[str] = ()) -> list[str]:
    """Turns stating no scenario fact, ranked by the rarity-weighted words they share with the question, its
    context and its answer (words in `ignore`, e.g. the speakers' names, do not count)."""
    answer = query.answer if query.evidence else ""  # "not mentioned" shares nothing worth matching
    words = content_words(" ".join([query.text, answer, *(c.text for c in query.context)]))
    words -= {w.lower() for w in ignore}
    bags = [content_words(t.text) for t in turns]
    df = Counter(chain.from_iterable(bags))
    scored = []
    for i, (turn, bag) in enumerate(zip(turns, bags, strict=True)):
        if turn.expresses:
            continue
        # summed in a fixed order: a set's order follows the process's string hashing, and the float with it
        score = sum(math.log(len(turns) / df[w]) for w in sorted(words & bag))
        if score > 0:
            scored.append((-score, i, turn.turn_id))
    return [turn_id for _, _, turn_id in sorted(scored)]


def constructed(
    query: Query, plan: dict[str, Any], turns: list[Turn], limit: int, ignore: Collection[str] = ()
) -> list[tuple[str, str]]:
    """Up to `limit` (turn id, reason) pairs, taking one turn per reason in turn, in plan order, lexical last.

    `turns` are the turns said before the query; the ones expressing an answer are skipped.
    """
    answers = set(plan["answers"])
    allowed = [t for t in turns if not answers & set(t.expresses)]
    queues: list[tuple[str, list[str]]] = []
    for negative in plan["negatives"]:
        ids = set(negative["ids"])
        queues.append((negative["reason"], [t.turn_id for t in allowed if ids & set(t.expresses)]))
    queues.append(("lexical", lexical(query, allowed, ignore)))
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    depth = 0
    while len(chosen) < limit and any(depth < len(q) for _, q in queues):
        for reason, queue in queues:
            if depth < len(queue) and queue[depth] not in seen and len(chosen) < limit:
                seen.add(queue[depth])
                chosen.append((queue[depth], reason))
        depth += 1
    return chosen
