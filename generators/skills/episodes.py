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
Question wording is composed (`generators.skills.phrasing`, patterns in `episode_wording`): several shapes per
form, paraphrased verbs and nouns, the episode retold in the third person, and indirect forms.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from generators.life import CATEGORY
from generators.skills import phrasing
from generators.skills.base import QueryDraft, ask_time, expressing, interleave, who
from generators.skills.episode_wording import FEELING, IN_MONTH, LIST, LIST_EXTRA, LIST_WORDS, MORE, SINGLE, SWAP
from generators.world import Event, World
from schemas import Dialogue


def _told(world: World, dialogue: Dialogue) -> list[Event]:
    """Episodes some turn tells, in world order."""
    said = expressing(dialogue)  # every id some turn expresses
    return [e for e in world.events if e.kind in CATEGORY and e.id in said]


def _values(world: World, event: Event, rng: random.Random, speaker: str | None = None) -> dict[str, str]:
    """Question fields for `event`, its first-person details retold about `speaker` (default: its teller)."""
    person = world.person(speaker or event.subject)
    other = world.person(next(s for s in world.speakers if s != person.id))
    subj, obj, pos = person.pronouns
    details = {k: phrasing.third_person(v, person.pronouns) for k, v in event.details.items()}
    np = details.get("np", "")
    if event.kind == "family_news" and not np.startswith("the "):
        np = f"{pos} {np}"  # "her sister's engagement"
    np, bare = (np, np) if event.kind == "favourite" else phrasing.np_pattern(np, pos, event.kind != "family_news")
    values = {
        **details,
        "who": who(world, person),
        "other": other.name,
        "subj": subj,
        "obj": obj,
        "pos": pos,
        "np": np,
        "bare": bare,
        "with": details.get("with", "friends"),
        "title": details.get("what", ""),
        "has": "has",
    }
    if "person" in event.args:
        relative = world.person(event.args["person"])
        values |= {"name": relative.name, "rel": relative.relation or "friend"}
    if event.kind in phrasing.CLAUSE:
        values["clause"] = phrasing.expand(rng.choice(phrasing.CLAUSE[event.kind]), rng).format_map(values)
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
    return [ident] if ident in expressing(dialogue) else []


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
        values = _values(world, event, rng)
        if form == "more":
            answers = [event.id, *_ids_with(dialogue, event, "more")]
            text = phrasing.ask(rng, *MORE[event.kind], **values)
            answer = event.details["more"][:1].upper() + event.details["more"][1:] + "."
        else:
            answers = [event.id]
            text = phrasing.ask(rng, *SINGLE[event.kind], **values)
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
                text=phrasing.ask(rng, *FEELING, **_values(world, event, rng)),
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
    groups = {f"{s}/{c}": [(s, c, es)] for (s, c), es in sorted(by_group.items()) if len(es) >= 2 and c in LIST_WORDS}
    for category in ("hobby", "preference"):  # both speakers' hobbies / favourite things
        both = [e for s in world.speakers for e in by_group.get((s, category), [])]
        if len({e.subject for e in both}) == 2:
            groups[f"both/{category}"] = [("both", category, both)]
    drafts = []
    for subject, category, members in interleave(groups, n, rng, "aggregation"):
        answers = [e.id for e in members]
        values = _values(world, members[0], rng)
        if subject == "both":
            a, b = (world.person(p).name for p in world.speakers)
            values |= {"who": f"{a} and {b}", "pos": "their", "obj": "them", "has": "have"}
        nouns, pp, past = LIST_WORDS[category]
        since = min(e.date for e in members)
        values |= {"nouns": nouns, "pp": pp, "past": past, "since": f"{since:%B %Y}"}
        direct = LIST[0] + LIST_EXTRA.get(category, ()) if subject != "both" else LIST[0]
        neighbours = [i for e in members for part in ("more", "feeling") for i in _ids_with(dialogue, e, part)]
        subjects = {e.subject for e in members}
        if category == "hobby":
            neighbours += [e.id for e in events if e.kind == "practised" and e.subject in subjects]
        others = [e.id for e in events if CATEGORY[e.kind] == category and e.subject not in subjects]
        mine = [e.id for e in events if e.subject in subjects and e.id not in answers and e.id not in neighbours]
        items = list(dict.fromkeys(_answer(e, world).rstrip(".") for e in members))
        drafts.append(
            QueryDraft(
                skill="aggregation",
                text=phrasing.ask(rng, direct, LIST[1], **values),
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
        values = _values(world, event, rng, speaker=wrong)
        mine = [e.id for e in events if e.subject == wrong]
        drafts.append(
            QueryDraft(
                skill="speaker_swap",
                text=phrasing.ask(rng, *SWAP, **values),
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
    values = _values(world, members[0], rng)
    other_time = [e.id for e in events if e.subject == subject and e.id not in answers]
    same_month = [e.id for e in events if e.subject != subject and e.date.replace(day=1) == month]
    return QueryDraft(
        skill="temporal",
        text=phrasing.ask(rng, *IN_MONTH, **values, month=f"{month:%B %Y}"),
        answer="; ".join(_answer(e, world).rstrip(".") for e in members) + ".",
        answers=answers,
        query_time=ask_time(dialogue, answers, rng, at_end=True),
        negatives=[("other_person", same_month), ("other_time", other_time)],
        about={"ask": "in_month", "subject": subject, "month": month.isoformat()},
    )
