"""The LLM realizer: a model rewrites each template session into natural dialogue, checked against the scenario.

The template realizer plans what is said when (sessions, dates, which turn states which fact or event, the time
phrases); the model rewrites each session's wording through `providers/` with structured output that maps every
turn to the fact and event ids it states. A rewrite is rejected, with the reasons fed back, when it:
- drops a fact or event the session states, or claims one it was not given;
- states one without its anchors: the places, organisations, things and dates the scripted turns gave it
  (leaving "Porto" out of the move to Porto, or writing "last month" for "two weeks ago", changes the truth), and
  for an everyday episode its topic words and titles ("pottery", "The Salt River") or its feeling ("proud");
- uses a speaker other than the two.
After `attempts` tries the dialogue is kept aside as a `RealizationError`, never silently dropped.
"""

from __future__ import annotations

import asyncio
import json
import re

from pydantic import BaseModel, Field

from generators import life
from generators.realize.timephrase import find
from generators.world import World
from providers.base import OutputError, Provider
from schemas import Dialogue, Session, Turn

SYSTEM = (
    "You rewrite scripted conversations between two friends into natural, varied dialogue. Keep every stated "
    "fact true: same people, places, organisations, things, and time expressions copied word for word. Do not "
    "add facts. For each turn you write, list in `expresses` the ids of the facts and events it states, taken "
    "from the scripted turns; small talk expresses none."
)


class RewrittenTurn(BaseModel):
    speaker: str
    text: str = Field(min_length=1)
    expresses: list[str] = Field(default_factory=list)


class SessionRewrite(BaseModel):
    turns: list[RewrittenTurn] = Field(min_length=2)


class RealizationError(RuntimeError):
    def __init__(self, message: str, raw: str, attempts: int):
        super().__init__(message)
        self.raw = raw
        self.attempts = attempts


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def anchors(world: World, session: Session) -> dict[str, set[str]]:
    """Per fact/event id: the place, organisation and thing names and the time phrases of the scripted turns that
    state it, lower-cased. (People may be named or described: "Kathryn" or "my sister" are both faithful.)"""
    names = {e.name.lower() for group in (world.places, world.orgs, world.things) for e in group}
    episodes = {e.id for e in world.events if e.kind in life.CATEGORY}
    out: dict[str, set[str]] = {}
    for turn in session.turns:
        text = turn.text.lower()
        found = {n for n in names if _mentions(text, n)} | set(find(turn.text))
        for item in turn.expresses:
            out.setdefault(item, set()).update(found)
            base, _, part = item.partition("#")
            event = world.get(base) if base in episodes else None
            if event is not None:  # an everyday episode: what was done, or the feeling, must survive the rewrite
                out[item].update(w for w in life.anchors(event.kind, event.details, part) if _mentions(text, w))
    return out


def problems(rewrite: SessionRewrite, speakers: tuple[str, str], needed: dict[str, set[str]]) -> list[str]:
    """Why a rewrite is not faithful; empty when it is."""
    found: list[str] = []
    said: dict[str, str] = {}
    for i, turn in enumerate(rewrite.turns, 1):
        if turn.speaker not in speakers:
            found.append(f"turn {i}: speaker {turn.speaker!r} is neither {speakers[0]} nor {speakers[1]}")
        for item in turn.expresses:
            if item not in needed:
                found.append(f"turn {i}: expresses {item!r}, which no scripted turn states")
            said[item] = said.get(item, "") + " " + turn.text.lower()
    for item, words in sorted(needed.items()):
        if item not in said:
            found.append(f"{item} is stated by no turn")
            continue
        missing = sorted(w for w in words if not _mentions(said[item], w))
        if missing:
            found.append(f"the turns expressing {item} leave out {', '.join(missing)}")
    return found


def _prompt(session: Session, speakers: tuple[str, str]) -> str:
    scripted = [{"speaker": t.speaker, "text": t.text, "expresses": t.expresses} for t in session.turns]
    return (
        f"Speakers: {speakers[0]} and {speakers[1]}. Session date: {session.date_time:%A %d %B %Y, %H:%M}.\n"
        f"Scripted turns (JSON):\n{json.dumps(scripted, ensure_ascii=False)}\n"
        "Rewrite them as one natural conversation of a similar length, in the same order of topics."
    )


async def rewrite_session(
    provider: Provider, world: World, session: Session, speakers: tuple[str, str], attempts: int
) -> Session:
    needed = anchors(world, session)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": _prompt(session, speakers)}]
    raw = ""
    for _ in range(attempts):
        try:
            result = await provider.chat(messages, schema=SessionRewrite, temperature=0.7, max_tokens=4096)
        except OutputError as exc:
            raw, issues = exc.raw, ["the answer did not fit the schema"]
        else:
            raw = result.text
            issues = problems(result.parsed, speakers, needed)
            if not issues:
                turns = [
                    Turn(turn_id=f"D{session.index}:{k}", speaker=t.speaker, text=t.text, expresses=t.expresses)
                    for k, t in enumerate(result.parsed.turns, 1)
                ]
                return Session(index=session.index, date_time=session.date_time, turns=turns)
        messages = [
            *messages[:2],
            {"role": "assistant", "content": raw},
            {"role": "user", "content": "Fix these problems and answer again:\n- " + "\n- ".join(issues)},
        ]
    raise RealizationError(f"session {session.index}: {issues[0]} (+{len(issues) - 1} more)", raw, attempts)


async def realize_llm(provider: Provider, world: World, scripted: Dialogue, attempts: int) -> Dialogue:
    """Rewrite every session of the template dialogue `scripted`, sessions concurrently."""
    sessions = await asyncio.gather(
        *(rewrite_session(provider, world, s, scripted.speakers, attempts) for s in scripted.sessions)
    )
    return Dialogue(dialogue_id=scripted.dialogue_id, speakers=scripted.speakers, sessions=list(sessions))
