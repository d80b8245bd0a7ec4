"""Queries for a dialogue: every configured skill's writer, ids, instructions, and gold evidence from the scenario.

Besides the queries, each query gets a plan (what answers it and which facts make hard negatives, in scenario
ids); plans travel in `GeneratedDialogue.world["query_plans"]` so the candidates stage needs nothing else.
"""

from __future__ import annotations

import random
from typing import Any

from generators.instructions import pick_instruction
from generators.skills import QueryDraft, get_writer, phrasing
from generators.skills.base import expressing
from generators.world import World
from schemas import Dialogue, Query
from schemas.seeds import derive_seed


def evidence_for(dialogue: Dialogue, draft: QueryDraft) -> list[str]:
    """Turns said before the query that express a fact/event answering it, in dialogue order."""
    index = expressing(dialogue)
    found = {(pos, k, turn.turn_id) for i in set(draft.answers) for pos, k, turn in index.get(i, ())}
    sessions = dialogue.sessions
    return [turn_id for _, k, turn_id in sorted(found) if sessions[k].date_time <= draft.query_time]


# how people open or close a question to an assistant, composed (`phrasing` choices) so that neither the openings
# nor the closings repeat as a few fixed phrases; the question itself stays whole
FRONTINGS = (  # short: the question's own first words still show, so frontings do not become templates
    "[Hey|Hi|Okay|Ok|So|Hmm|Um|Oh|Right|Also|Now|Anyway|Wait|Say|Sorry|Actually|Honestly|Alright|Well|Listen], {q}",
    "[Quick|Small|Random|Silly|Odd|Easy|Honest|Serious] question: {q}",
    "[Quick|Small|Random] thing: {q}",
    "[Remind me|Tell me|Help me out|Quick check|Before I forget|While I think of it|By the way], {q}",
    "[Okay|Right|Alright] [so|then], {q}",
)  # fmt: skip
TAILS = (
    "{q} I [can't|cannot|don't] [remember|recall][| anymore| for the life of me].",
    "{q} [I think|Pretty sure|I believe] it came up [a while ago|at some point|once|earlier].",
    "{q} [Just checking|Just making sure|Double-checking|Only checking].",
    "{q} It's on the tip of my tongue.",
    "{q} I [want|need|would like] to get [it|this] right[| for once].",
    "{q} [No rush|No hurry|Whenever you can|Take your time].",
    "{q} I should [know|remember] this[| by now].",
    "{q} [Asking|It's] for a [card|toast|message|note] I'm writing.",
    "{q} [My memory is|My head is|I'm] [hopeless|a sieve|all over the place] [today|lately|this week].",
    "{q} [Thanks|Cheers|Thank you][| in advance|!]",
)  # fmt: skip
FRONTING_SHARE, TAIL_SHARE = 0.08, 0.04


_QUESTION_WORDS = frozenset(
    ("what", "where", "when", "which", "who", "whom", "whose", "why", "how", "is", "are", "was", "were", "does",
     "did", "do", "has", "have", "had", "can", "could", "in", "on", "at", "for", "before", "after", "during", "since",
     "from", "with", "describe", "tell", "any", "back", "and", "remind", "list", "name", "around", "roughly", "about",
     "prior", "the", "if", "of", "over", "across", "all", "wasn't", "didn't", "so", "would", "help", "not", "my",
     "what's", "where's", "how's", "who's", "anything", "these", "right", "currently", "around", "prior", "that")
)  # fmt: skip


def vary_question(text: str, rng: random.Random) -> str:
    """The question as users type it: now and then with a fronting or a closing remark around it."""
    roll = rng.random()
    if roll < FRONTING_SHARE:
        first = text.split(" ", 1)[0]
        q = text[:1].lower() + text[1:] if first.lower() in _QUESTION_WORDS else text
        return phrasing.say(rng, FRONTINGS, q=q)
    if roll < FRONTING_SHARE + TAIL_SHARE:
        return phrasing.say(rng, TAILS, q=text)
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
