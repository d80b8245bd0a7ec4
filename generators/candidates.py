"""Candidates per query: the evidence (gold), constructed hard negatives, retrieved negatives (BM25 and
embedding top hits from the same dialogue, interleaved), shuffled."""

from __future__ import annotations

import random
from typing import Any

from generators.negatives import constructed
from generators.retrieve import interleave, rankings
from schemas import BuildConfig, Candidate, Example, GeneratedDialogue, Memory, Query, Turn, grade_of
from schemas.seeds import derive_seed


def _plan(generated: GeneratedDialogue, query: Query) -> dict[str, Any]:
    plans = generated.world.get("query_plans")
    if not isinstance(plans, dict) or query.query_id not in plans:
        raise ValueError(
            f"dialogue {generated.dialogue.dialogue_id!r}: world['query_plans'] lacks query {query.query_id!r}"
        )
    return plans[query.query_id]


def _dialogue_negatives(
    generated: GeneratedDialogue,
    query: Query,
    turns: list[Turn],
    taken: set[str],
    answers: set[str],
    rng: random.Random,
    wanted: int,
    fillers: int,
) -> list[tuple[str, str]]:
    """Up to `wanted` negatives from the whole dialogue, as a memory system's first stage lets them through: the
    evidence of the dialogue's other queries (what evidence looks like, for another need), then other turns that
    state something about the world (same people, same kinds of news), in seeded order; `fillers` of them are turns
    that state nothing (chit-chat, asides, reactions: most of a long conversation, and without them a student never
    sees one and scores them at random). None expresses an answer of `query`."""
    usable = {t.turn_id for t in turns if t.turn_id not in taken and not answers & set(t.expresses)}
    others = sorted({e for q in generated.queries if q.query_id != query.query_id for e in q.evidence} & usable)
    stating = sorted({t.turn_id for t in turns if t.expresses} & usable - set(others))
    filler = sorted({t.turn_id for t in turns if not t.expresses} & usable) if fillers else []
    # matched to the evidence: where it sits in the dialogue and how long it is, so that neither position, date
    # nor length tells gold from these negatives
    position = {t.turn_id: k for k, t in enumerate(turns)}
    gold = [g for g in query.evidence if g in position] or [turns[-1].turn_id]
    text = {t.turn_id: t.text for t in turns}
    length = {i: len(text[i].split()) for i in [*others, *stating, *filler, *gold]}

    def distance(turn_id: str) -> float:  # near a gold turn's length, and at or after it (the other negatives
        g = rng.choice(gold)  # lean early: a superseded fact comes before the fact that replaced it)
        target = position[g] + rng.randint(0, 80)
        return abs(position[turn_id] - target) / 25 + abs(length[turn_id] - length[g]) / 6 + rng.random()

    others.sort(key=distance)
    stating.sort(key=distance)
    filler.sort(key=distance)
    chit = [(i, "filler") for i in filler[: min(fillers, wanted)]]
    rest = [(i, "other_query") for i in others] + [(i, "same_topic") for i in stating]
    return (rest[: wanted - len(chit)] + chit + rest[wanted - len(chit) :])[:wanted]


def _length_matched(ranking: list[str], query: Query, by_id: dict[str, Memory], limit: int) -> list[str]:
    """A retriever's hits with its top `10 * limit` reordered towards the evidence's length: BM25 and the
    embedding favour short turns, and a pool whose negatives are shorter than its gold teaches a student to prefer
    long turns. Two words off the evidence's mean length weigh as much as half the window's rank range (default
    build, 20 dialogues: length AUC of the retrieved negatives .65 -> .53, of the whole pools .561 -> .53; they stay
    within each retriever's top 30 of a dialogue's ~520 turns)."""
    if not query.evidence or limit == 0:
        return ranking
    words = [len(by_id[i].text.split()) for i in query.evidence]
    target = sum(words) / len(words) + 0.5  # between the lengths nearest it, the longer: short turns crowd the top
    window = ranking[: 10 * limit]
    score = {i: abs(len(by_id[i].text.split()) - target) / 2 + 2 * rank / len(window) for rank, i in enumerate(window)}
    return sorted(window, key=lambda i: score[i]) + ranking[len(window) :]


def build_examples(generated: GeneratedDialogue, config: BuildConfig) -> list[Example]:
    """One `Example` per query; only memories said before the query are candidates, each with its graded
    relevance from `schemas.grade` (the one table of grades).

    Evidence is always included (even beyond `max_candidates`); then up to `candidates.constructed` constructed
    and `candidates.retrieved` retrieved negatives (over all `candidates.retrievers`, taking each retriever's
    next unseen hit in turn) while room is left. No negative expresses a fact or event the query's plan says
    answers it.
    """
    dialogue = generated.dialogue
    settings = config.candidates
    by_id = {m.memory_id: m for m in dialogue.memories()}
    made_per_query: list[list[tuple[str, str]]] = []
    pools: list[list[Memory]] = []
    limits: list[int] = []
    whole: list[set[str]] = []  # per query: the evidence turns that state every answer said before it
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
        taken = answering | {turn_id for turn_id, _ in made}
        if settings.dialogue:
            rng = random.Random(derive_seed(config.seed, dialogue.dialogue_id, query.query_id, "dialogue"))
            wanted = max(0, min(settings.dialogue, room - len(made)))
            made += _dialogue_negatives(generated, query, turns, taken, answers, rng, wanted, settings.filler)
            taken |= {turn_id for turn_id, _ in made}
        made_per_query.append(made)
        said = answers & {e for t in turns for e in t.expresses}
        whole.append({t.turn_id for t in turns if t.turn_id in answering and said <= set(t.expresses)})
        pools.append([by_id[t.turn_id] for t in turns if t.turn_id not in taken])
        limits.append(max(0, min(settings.retrieved, room - len(made))))

    wanted = [k for k, limit in enumerate(limits) if limit > 0 and pools[k]]
    position = {k: at for at, k in enumerate(wanted)}
    ranked: dict[str, list[list[str]]] = {}
    for retriever in dict.fromkeys(settings.retrievers):  # the model loads only when something is retrieved
        if wanted:
            queries = [generated.queries[k] for k in wanted]
            ranked[retriever] = rankings(retriever, queries, [pools[k] for k in wanted], ignore=dialogue.speakers)

    examples = []
    for k, query in enumerate(generated.queries):
        found: list[tuple[str, str]] = []
        if k in position:
            lists = {
                name: _length_matched(ranks[position[k]], query, by_id, limits[k]) for name, ranks in ranked.items()
            }
            found = interleave(lists, limits[k])
        made = [(i, "evidence") for i in query.evidence]
        made += [(i, f"constructed:{r}") for i, r in made_per_query[k]]
        made += [(i, f"retrieved:{name}") for i, name in found]
        alone = whole[k]
        candidates = [
            Candidate(memory=by_id[i], gold=int(o == "evidence"), origin=o, grade=grade_of(o, query.skill, i in alone))
            for i, o in made
        ]
        random.Random(derive_seed(config.seed, dialogue.dialogue_id, query.query_id, "candidates")).shuffle(candidates)
        examples.append(Example(query=query, candidates=candidates))
    return examples
