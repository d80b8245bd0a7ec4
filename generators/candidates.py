"""Candidates per query: the evidence (gold), constructed hard negatives, BM25-retrieved negatives, shuffled."""

from __future__ import annotations

import random
from typing import Any

from generators.negatives import constructed
from generators.retrieve import bm25_top
from generators.seeds import derive_seed
from schemas import BuildConfig, Candidate, Example, GeneratedDialogue, Query


def _plan(generated: GeneratedDialogue, query: Query) -> dict[str, Any]:
    plans = generated.world.get("query_plans")
    if not isinstance(plans, dict) or query.query_id not in plans:
        raise ValueError(
            f"dialogue {generated.dialogue.dialogue_id!r}: world['query_plans'] lacks query {query.query_id!r}"
        )
    return plans[query.query_id]


def build_examples(generated: GeneratedDialogue, config: BuildConfig) -> list[Example]:
    """One `Example` per query; only memories said before the query are candidates.

    Evidence is always included (even beyond `max_candidates`); then up to `candidates.constructed` constructed
    and `candidates.retrieved` retrieved negatives while room is left. No negative expresses a fact or event the
    query's plan says answers it.
    """
    dialogue = generated.dialogue
    settings = config.candidates
    memories = dialogue.memories()
    by_id = {m.memory_id: m for m in memories}
    examples = []
    for query in generated.queries:
        plan = _plan(generated, query)
        answers = set(plan["answers"])
        turns = [t for s in dialogue.sessions if s.date_time <= query.query_time for t in s.turns]
        answering = {t.turn_id for t in turns if answers & set(t.expresses)}
        if answering != set(query.evidence):
            raise ValueError(
                f"query {query.query_id!r}: evidence {query.evidence} differs from the turns expressing its answer "
                f"{sorted(answering)}"
            )
        room = settings.max_candidates - len(query.evidence)
        made = constructed(query, plan, turns, max(0, min(settings.constructed, room)), ignore=dialogue.speakers)
        room -= len(made)
        before = [by_id[t.turn_id] for t in turns]
        taken = answering | {turn_id for turn_id, _ in made}
        found = bm25_top(query, before, taken, max(0, min(settings.retrieved, room)))
        candidates = [Candidate(memory=by_id[i], gold=1, origin="evidence") for i in query.evidence]
        candidates += [Candidate(memory=by_id[i], gold=0, origin=f"constructed:{reason}") for i, reason in made]
        candidates += [Candidate(memory=by_id[i], gold=0, origin="retrieved:bm25") for i in found]
        random.Random(derive_seed(config.seed, dialogue.dialogue_id, query.query_id, "candidates")).shuffle(candidates)
        examples.append(Example(query=query, candidates=candidates))
    return examples
