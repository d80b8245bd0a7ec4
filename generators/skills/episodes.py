"""Questions about everyday episodes (`generators.life`), the kinds real users ask a memory assistant:

- `single_hop`: what did X buy / read / cook / celebrate, what is X's favourite ..., what happened on ..., where
  does X do their hobby, what news X shared about a relative, what was in the photo X shared;
- `feeling`: how did X feel about ... (the feeling is often said a turn after the episode, in answer to "how did it
  feel?": both turns are evidence);
- `aggregation`: what hobbies / purchases / books / outings ... has X had: every episode of the category is
  evidence, told sessions apart;
- `speaker_swap`: the question gives one speaker's episode to the other ("How did Ben feel about the kayaking
  trip?" when Anna went): the turn where Anna told it is the memory a careful answer needs ("that was Anna");
- the date-constrained form of `temporal`: what did X do in May 2023 (`in_month`).

Gold is computed from the world: an episode's turns carry its id (`<id>`, `<id>#feeling`, `<id>#more`).
Question wording is composed: a fronting, a template per form, and synonyms, so no few templates dominate.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from generators.life import CATEGORY
from generators.skills.base import QueryDraft, ask_time, interleave, who
from generators.world import Event, World
from schemas import Dialogue

SINGLE: dict[str, tuple[str, ...]] = {
    "bought": ("What did {who} buy that {subj} mentioned as {np}?", "What did {who} end up buying?",
               "What purchase did {who} tell {other} about?"),
    "read": ("Which book did {who} finish?", "What was the title of the book {who} read?",
             "Who wrote the book {who} told {other} about?"),
    "cooked": ("What dish did {who} cook?", "What did {who} make in the kitchen?", "What did {who} cook for guests?"),
    "attended": ("What kind of event did {who} go to with {with}?", "What did {who} go to see with {with}?",
                 "Where did {who} and {with} go out?"),
    "activity": ("What did {who} do that {subj} called {np}?", "What outing did {who} describe as {np}?"),
    "weekend_trip": ("Which city did {who} spend a weekend in?", "Where did {who} go for a weekend away?"),
    "photo": ("What was in the photo {who} shared?", "Describe the photo {who} sent {other}.",
              "What did {who}'s photo show?"),
    "family_news": ("What news did {who} share about {pos} {rel}?", "What happened with {who}'s {rel} {name}?",
                    "What did {who} say {name} had done?"),
    "health": ("What health trouble did {who} mention?", "What happened to {who}'s health?",
               "What was {who} dealing with health-wise?"),
    "project": ("What did {who}'s team get done at work?", "What work milestone did {who} mention?"),
    "volunteered": ("What volunteering did {who} do?", "How did {who} give back to the community?"),
    "learning": ("What is {who} learning?", "What subject did {who} sign up to study?",
                 "What did {who} start taking lessons in?"),
    "celebrated": ("What did {who} celebrate?", "What occasion did {who} mark with friends?"),
    "favourite": ("What is {who}'s favourite {np}?", "Which {np} does {who} like best?",
                  "What did {who} name as {pos} favourite {np}?"),
    "practised": ("What milestone did {who} reach in {what}?", "What did {who} manage to do in {what}?",
                  "How is {who} getting on with {what}?"),
    "took_up": ("Where does {who} do {what}?", "Where did {who} start {what}?", "How did {who} get into {what}?"),
}  # fmt: skip
MORE: dict[str, tuple[str, ...]] = {
    "activity": ("What happened during {who}'s {bare}?", "How did {bare} go for {who}?"),
    "weekend_trip": ("What did {who} do during {np}?", "How did {who} spend {np}?"),
    "bought": ("What did {who} say about {np} after buying it?", "Is {who} happy with {np}?"),
    "read": ("What did {who} think of {title}?",),
    "attended": ("What was the highlight of {np} for {who}?",),
}  # fmt: skip
FEELING: tuple[str, ...] = (
    "How did {who} feel about {np}?", "What was {who}'s reaction to {np}?", "How did {np} leave {who} feeling?",
    "Was {who} happy about {np}?", "What did {who} say {subj} felt after {np}?", "How did {who} take {np}?",
    "What were {who}'s feelings about {np}?",
)  # fmt: skip
LIST: dict[str, tuple[str, ...]] = {
    "hobby": ("What hobbies has {who} taken up?", "What does {who} do in {pos} free time?",
              "Which hobbies did {who} start?"),
    "purchase": ("What things has {who} bought?", "What did {who} buy over these months?"),
    "book": ("Which books has {who} read?", "What books did {who} mention finishing?"),
    "activity": ("What activities has {who} done?", "What did {who} get up to on days out?"),
    "outing": ("What events has {who} been to?", "Which shows or events did {who} go to?"),
    "health": ("What health issues has {who} had?",),
    "cooking": ("What dishes has {who} cooked?", "What has {who} made in the kitchen?"),
    "work": ("What has {who} done at work lately?",),
    "celebration": ("What has {who} celebrated?",),
    "family": ("What news has {who} shared about the people close to {obj}?",),
    "volunteering": ("Where has {who} volunteered?",),
    "class": ("What has {who} been learning?",),
    "photo": ("What photos has {who} shared?",),
    "trip": ("Which cities did {who} visit for weekends?",),
    "preference": ("What are some of {who}'s favourite things?",),
}  # fmt: skip
IN_MONTH: tuple[str, ...] = (
    "What did {who} do in {month}?", "What was {who} up to in {month}?", "What happened in {who}'s life in {month}?",
    "What did {who} tell {other} about from {month}?",
)  # fmt: skip
SWAP: tuple[str, ...] = (
    "How did {who} feel about {np}?", "What did {who} say about {np}?", "When did {who} talk about {np}?",
    "What was {who}'s take on {np}?",
)  # fmt: skip


_SAID: list[tuple[Dialogue, frozenset[str]]] = []


def _said(dialogue: Dialogue) -> frozenset[str]:
    """Every id some turn of `dialogue` expresses (the last dialogue's set is kept: writers ask it often)."""
    if not _SAID or _SAID[0][0] is not dialogue:
        _SAID[:] = [(dialogue, frozenset(i for s in dialogue.sessions for t in s.turns for i in t.expresses))]
    return _SAID[0][1]


def _told(world: World, dialogue: Dialogue) -> list[Event]:
    """Episodes some turn tells, in world order."""
    said = _said(dialogue)
    return [e for e in world.events if e.kind in CATEGORY and e.id in said]


def _values(world: World, event: Event, speaker: str | None = None) -> dict[str, str]:
    person = world.person(speaker or event.subject)
    other = world.person(next(s for s in world.speakers if s != person.id))
    subj, obj, pos = person.pronouns
    details = dict(event.details)
    values = {
        **details,
        "who": who(world, person),
        "other": other.name,
        "subj": subj,
        "obj": obj,
        "pos": pos,
        "np": details.get("np", ""),
        "bare": details.get("np", "").removeprefix("the "),
        "with": details.get("with", "friends"),
        "title": details.get("what", ""),
    }
    if "person" in event.args:
        relative = world.person(event.args["person"])
        values |= {"name": relative.name, "rel": relative.relation or "friend"}
    return values


def _answer(event: Event, world: World) -> str:
    d = event.details
    if event.kind == "practised":
        return d["milestone"].capitalize() + "."
    if event.kind == "took_up":
        return f"{d['course'].capitalize()}, {d['where']}."
    if event.kind == "read":
        return f"{d['what']} by {d['author']}."
    if event.kind == "family_news":
        return f"{world.person(event.args['person']).name} {d['what']}."
    return d["what"][:1].upper() + d["what"][1:] + "."


def _ids_with(dialogue: Dialogue, event: Event, part: str) -> list[str]:
    ident = f"{event.id}#{part}"
    return [ident] if ident in _said(dialogue) else []


def _negatives(world: World, events: list[Event], event: Event, dialogue: Dialogue) -> list[tuple[str, list[str]]]:
    same_kind = [e.id for e in events if e.kind == event.kind and e.subject != event.subject]
    mine = [e.id for e in events if e.subject == event.subject and e.id != event.id]
    return [
        ("same_event", _ids_with(dialogue, event, "more") + _ids_with(dialogue, event, "feeling")),
        ("other_person", same_kind),
        ("other_event", mine),
    ]


def _unique_kind(events: list[Event]) -> list[Event]:
    """Episodes whose kind their subject told only once (so "what did X buy" has one answer)."""
    counts: dict[tuple[str, str], int] = {}
    for e in events:
        counts[(e.subject, e.kind)] = counts.get((e.subject, e.kind), 0) + 1
    return [e for e in events if counts[(e.subject, e.kind)] == 1 or e.kind in ("practised", "took_up")]


def _ask(dialogue: Dialogue, ids: list[str], rng: random.Random) -> datetime:
    return ask_time(dialogue, ids, rng, at_end=rng.random() < 0.7)


def write_single_hop(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    events = _told(world, dialogue)
    groups: dict[str, list[tuple[str, Event]]] = {}
    for e in _unique_kind(events):
        groups.setdefault(e.kind, []).append(("main", e))
        if e.kind in MORE and _ids_with(dialogue, e, "more"):
            groups.setdefault(f"{e.kind}/more", []).append(("more", e))
    drafts = []
    for form, event in interleave(groups, n, rng, "single_hop"):
        values = _values(world, event)
        if form == "more":
            answers = [event.id, *_ids_with(dialogue, event, "more")]
            text = rng.choice(MORE[event.kind]).format(**values)
            answer = event.details["more"][:1].upper() + event.details["more"][1:] + "."
        else:
            answers = [event.id]
            text = rng.choice(SINGLE[event.kind]).format(**values)
            answer = _answer(event, world)
        drafts.append(
            QueryDraft(
                skill="single_hop",
                text=text,
                answer=answer,
                answers=answers,
                query_time=_ask(dialogue, answers, rng),
                negatives=_negatives(world, events, event, dialogue),
                about={"ask": form, "event": event.id},
            )
        )
    return drafts


def write_feeling(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    events = _told(world, dialogue)
    with_feeling = [e for e in events if _ids_with(dialogue, e, "feeling") and e.kind != "favourite"]
    groups: dict[str, list[Event]] = {}
    for e in with_feeling:
        groups.setdefault(e.kind, []).append(e)
    drafts = []
    for event in interleave(groups, n, rng, "feeling"):
        answers = [event.id, f"{event.id}#feeling"]
        d = event.details
        drafts.append(
            QueryDraft(
                skill="feeling",
                text=rng.choice(FEELING).format(**_values(world, event)),
                answer=f"{d['feeling'][:1].upper()}{d['feeling'][1:]}: {d['feeling_why']}.",
                answers=answers,
                query_time=_ask(dialogue, answers, rng),
                negatives=[
                    (r, [i for i in ids if i not in answers]) for r, ids in _negatives(world, events, event, dialogue)
                ],
                about={"ask": "feeling", "event": event.id},
            )
        )
    return drafts


def write_aggregation(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    events = _told(world, dialogue)
    by_group: dict[tuple[str, str], list[Event]] = {}
    for e in events:
        category = CATEGORY[e.kind]
        if category == "hobby" and e.kind == "practised":
            continue  # a hobby is listed by its start; its milestones are neighbours
        by_group.setdefault((e.subject, category), []).append(e)
    groups = {f"{s}/{c}": [(s, c, es)] for (s, c), es in sorted(by_group.items()) if len(es) >= 2 and c in LIST}
    for category in ("hobby", "preference"):  # both speakers' hobbies / favourite things
        both = [e for s in world.speakers for e in by_group.get((s, category), [])]
        if len({e.subject for e in both}) == 2:
            groups[f"both/{category}"] = [("both", category, both)]
    drafts = []
    for subject, category, members in interleave(groups, n, rng, "aggregation"):
        answers = [e.id for e in members]
        values = _values(world, members[0])
        if subject == "both":
            a, b = (world.person(p).name for p in world.speakers)
            values |= {"who": f"{a} and {b}", "pos": "their", "obj": "them"}
        neighbours = [i for e in members for part in ("more", "feeling") for i in _ids_with(dialogue, e, part)]
        subjects = {e.subject for e in members}
        if category == "hobby":
            neighbours += [e.id for e in events if e.kind == "practised" and e.subject in subjects]
        others = [e.id for e in events if CATEGORY[e.kind] == category and e.subject not in subjects]
        mine = [e.id for e in events if e.subject in subjects and e.id not in answers and e.id not in neighbours]
        items = [_answer(e, world).rstrip(".") for e in members]
        drafts.append(
            QueryDraft(
                skill="aggregation",
                text=rng.choice(LIST[category]).format(**values),
                answer="; ".join(items) + ".",
                answers=answers,
                query_time=ask_time(dialogue, answers, rng, at_end=True),
                negatives=[("same_event", neighbours), ("other_person", others), ("other_event", mine)],
                about={"ask": "list", "subject": subject, "category": category},
            )
        )
    return drafts


def write_speaker_swap(world: World, dialogue: Dialogue, n: int, rng: random.Random) -> list[QueryDraft]:
    events = _told(world, dialogue)
    swappable = []
    for e in events:
        if e.kind in ("favourite", "family_news", "practised", "took_up"):
            continue
        other = next(s for s in world.speakers if s != e.subject)
        if any(x.subject == other and x.details.get("np") == e.details.get("np") for x in events):
            continue  # the other speaker did the same: the question would not be wrong
        swappable.append((e, other))
    groups: dict[str, list[tuple[Event, str]]] = {}
    for e, other in swappable:
        groups.setdefault(e.kind, []).append((e, other))
    drafts = []
    for event, wrong in interleave(groups, n, rng, "speaker_swap"):
        answers = [event.id, *_ids_with(dialogue, event, "feeling")]
        teller = world.person(event.subject)
        asked = world.person(wrong)
        values = _values(world, event, speaker=wrong)
        mine = [e.id for e in events if e.subject == wrong]
        drafts.append(
            QueryDraft(
                skill="speaker_swap",
                text=rng.choice(SWAP).format(**values),
                answer=f"That was {teller.name}, not {asked.name}: {teller.name} told {asked.name} about "
                f"{event.details['np']}.",
                answers=answers,
                query_time=_ask(dialogue, answers, rng),
                negatives=[("other_event", mine), ("same_event", _ids_with(dialogue, event, "more"))],
                about={"ask": "swap", "event": event.id, "asked_about": wrong},
            )
        )
    return drafts


def in_month_items(world: World, dialogue: Dialogue) -> list[tuple[str, date, list[Event]]]:
    """(speaker, month, episodes) where the speaker told one or two dated episodes from that month."""
    events = [e for e in _told(world, dialogue) if e.kind != "favourite"]
    months: dict[tuple[str, date], list[Event]] = {}
    for e in events:
        months.setdefault((e.subject, e.date.replace(day=1)), []).append(e)
    busy = {(e.subject, e.date.replace(day=1)) for e in world.events if e.kind not in CATEGORY}  # moves, jobs, ...
    return [(s, m, es) for (s, m), es in sorted(months.items()) if 1 <= len(es) <= 2 and (s, m) not in busy]


def in_month(world: World, dialogue: Dialogue, item: tuple[str, date, list[Event]], rng: random.Random) -> QueryDraft:
    subject, month, members = item
    events = [e for e in _told(world, dialogue) if e.kind != "favourite"]
    answers = [e.id for e in members]
    values = _values(world, members[0])
    other_time = [e.id for e in events if e.subject == subject and e.id not in answers]
    same_month = [e.id for e in events if e.subject != subject and e.date.replace(day=1) == month]
    return QueryDraft(
        skill="temporal",
        text=rng.choice(IN_MONTH).format(**values, month=f"{month:%B %Y}"),
        answer="; ".join(_answer(e, world).rstrip(".") for e in members) + ".",
        answers=answers,
        query_time=ask_time(dialogue, answers, rng, at_end=True),
        negatives=[("other_person", same_month), ("other_time", other_time)],
        about={"ask": "in_month", "subject": subject, "month": month.isoformat()},
    )
