"""Queries for a dialogue: every configured skill's writer, ids, instructions, and gold evidence from the scenario.

Besides the queries, each query gets a plan (what answers it and which facts make hard negatives, in scenario
ids); plans travel in `GeneratedDialogue.world["query_plans"]` so the candidates stage needs nothing else.
"""

from __future__ import annotations

import random
from typing import Any

from generators.instructions import pick_instruction
from generators.skills import QueryDraft, get_writer
from generators.world import World
from schemas import Dialogue, Query
from schemas.seeds import derive_seed


def evidence_for(dialogue: Dialogue, draft: QueryDraft) -> list[str]:
    """Turns said before the query that express a fact/event answering it, in dialogue order."""
    answers = set(draft.answers)
    return [
        t.turn_id
        for s in dialogue.sessions
        if s.date_time <= draft.query_time
        for t in s.turns
        if t.expresses and not answers.isdisjoint(t.expresses)
    ]


# how people open or close a question to an assistant; the question itself stays whole
FRONTINGS = (  # short: the question's own first words still show, so frontings do not become templates
    "Remind me, {q}", "Quick one: {q}", "Hey, {q}", "Okay, {q}", "So, {q}", "Wait, {q}", "Hmm, {q}", "Also, {q}",
    "Sorry, {q}", "Honestly, {q}", "Um, {q}", "Question: {q}", "Curious: {q}", "By the way, {q}", "Oh, {q}",
    "Actually, {q}", "Now, {q}", "Random: {q}", "Quickly, {q}", "Right, {q}", "Anyway, {q}", "Say, {q}",
    "Listen, {q}", "Hey there, {q}", "Okay so, {q}", "Serious question: {q}", "Small thing: {q}", "Huh, {q}",
)  # fmt: skip
TAILS = (
    "{q} I can't remember.", "{q} I think it came up a while ago.", "{q} Just checking.",
    "{q} It's on the tip of my tongue.", "{q} I want to get it right.", "{q} It came up in one of our chats.",
    "{q} No rush.", "{q} I should know this by now.", "{q} Asking for a card I'm writing.",
)  # fmt: skip


_QUESTION_WORDS = frozenset(
    ("what", "where", "when", "which", "who", "whom", "whose", "why", "how", "is", "are", "was", "were", "does",
     "did", "do", "has", "have", "had", "can", "could", "in", "on", "at", "for", "before", "after", "during", "since",
     "from", "with", "describe")
)  # fmt: skip


def vary_question(text: str, rng: random.Random) -> str:
    """The question as users type it: about half the time with a fronting or a closing remark around it."""
    roll = rng.random()
    if roll < 0.4:
        first = text.split(" ", 1)[0]
        q = text[:1].lower() + text[1:] if first.lower() in _QUESTION_WORDS else text
        return rng.choice(FRONTINGS).format(q=q)
    if roll < 0.55:
        return rng.choice(TAILS).format(q=text)
    return text


def plan_of(draft: QueryDraft) -> dict[str, Any]:
    return {
        "skill": draft.skill,
        "answers": list(draft.answers),
        "negatives": [{"reason": reason, "ids": list(ids)} for reason, ids in draft.negatives],
        "about": dict(draft.about),
    }


def write_queries(
    world: World, dialogue: Dialogue, skills: list[str], per_skill: int, seed: int
) -> tuple[list[Query], dict[str, dict[str, Any]]]:
    """`per_skill` queries for every skill, ids `<dialogue_id>-q<k>`, and each query's plan by query id."""
    writers = [(skill, get_writer(skill)) for skill in skills]  # unknown skills fail before any work
    queries: list[Query] = []
    plans: dict[str, dict[str, Any]] = {}
    for skill, writer in writers:
        rng = random.Random(derive_seed(seed, "queries", skill))
        drafts = writer(world, dialogue, per_skill, rng)
        if len(drafts) != per_skill:
            raise RuntimeError(f"writer for {skill!r} wrote {len(drafts)} queries, {per_skill} were asked")
        for draft in drafts:
            query_id = f"{dialogue.dialogue_id}-q{len(queries) + 1}"
            queries.append(
                Query(
                    query_id=query_id,
                    dialogue_id=dialogue.dialogue_id,
                    skill=skill,
                    instruction=pick_instruction(skill, rng),
                    text=vary_question(draft.text, rng),
                    context=draft.context,
                    query_time=draft.query_time,
                    answer=draft.answer,
                    evidence=evidence_for(dialogue, draft),
                )
            )
            plans[query_id] = plan_of(draft)
    return queries, plans
