"""The offline template realizer: a world -> a multi-session `schemas.Dialogue`.

Each storyline is told in order: the fact that ends in a session before the change, the cause either before the
change (prospectively) or as the answer to "what made you move?" right after it, the change (with a time
expression resolved against the session date) in the first session after it, sometimes a follow-up that refers
back only by description ("the new place") and a later restatement. An effect of another change (selling the car
after the move) and a break-up come after what they follow within a session. Static facts, small talk and
distractor talk (sharing names and words with the facts, stating none) fill the sessions. Every turn lists in
`expresses` the fact and event ids it states; speakers alternate.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from generators import life
from generators.realize import compose, phrases, smalltalk
from generators.realize.compose import pick
from generators.realize.timephrase import ago, ahead, day_greeting
from generators.world import Event, Fact, Person, Storyline, World
from schemas import Dialogue, Session, Turn


@dataclass
class _Line:
    role: str  # "owner" or "other"
    template: str
    expresses: tuple[str, ...] = ()
    when: date | None = None  # fills {when}/{When}
    month: date | None = None  # fills {ahead}/{Ahead}
    pad: str | None = "auto"  # a short line gets elaboration from this bank (compose.elaborate); "auto": its role


@dataclass
class _Block:
    owner: str  # speaker id who says the "owner" lines
    lines: list[_Line]
    about: str | None = None  # the mentioned person the block talks about (fills {ref}, {subj}, ...)
    values: dict[str, str] = field(default_factory=dict)  # {city}, {org}, {since}, ...
    lead: bool = True  # may open with the listener's question
    symmetric: bool = False  # either speaker may say the owner lines
    order: int = 0  # blocks of a session are shuffled, then kept in this order (follow-ups after what they follow)


def session_dates(world: World, sessions: int, rng: random.Random) -> list[datetime]:
    """Increasing session date-times from `world.start` to `world.end`, a few weeks apart, at plausible hours."""
    span = (world.end - world.start).days
    days = [round(i * span / (sessions - 1)) for i in range(sessions)]
    for i in range(1, sessions - 1):
        low, high = days[i - 1] + 1, days[i + 1] - 1
        days[i] = min(max(days[i] + rng.randint(-3, 3), low), high)
    hours = (8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20, 21)
    return [
        datetime.combine(world.start + timedelta(days=d), time(pick(rng, hours), pick(rng, (0, 10, 15, 30, 45))))
        for d in days
    ]


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


class _Writer:
    """Renders blocks into turns, tracking which mentioned people have been introduced."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.introduced: set[str] = set()
        self.names = {p.id: p.name for p in world.people}
        self.proper = frozenset(n.split(" ")[0] for n in world_names(world, lower=False))

    def ref(self, person: Person) -> str:
        if person.id not in self.introduced:
            self.introduced.add(person.id)
            return f"my {person.relation} {person.name}"
        return pick(self.rng, (person.name, f"my {person.relation}", person.name))

    def fill(self, template: str, block: _Block, said: datetime, line: _Line | None) -> str:
        if line is None or line.pad is not None:  # scripted or composed (real small talk is kept as it was said)
            template = compose.expand(template, self.rng)
        values = dict(block.values)
        if block.about is not None:
            person = self.world.person(block.about)
            subj, obj, pos = person.pronouns
            values |= {"name": person.name, "rel": person.relation or "", "subj": subj, "obj": obj, "pos": pos}
            values |= {"Subj": subj.capitalize(), "Pos": pos.capitalize()}
            if "{ref}" in template or "{Ref}" in template:
                ref = self.ref(person)
                values |= {"ref": ref, "Ref": _cap(ref)}
        if line is not None and line.when is not None:
            phrase = ago(line.when, said, self.rng)
            values |= {"when": phrase, "When": _cap(phrase) + ","}
        if line is not None and line.month is not None:
            phrase = ahead(line.month, said, self.rng)
            values |= {"ahead": phrase, "Ahead": _cap(phrase) + ","}
        return template.format(**values)

    def session(self, index: int, said: datetime, blocks: list[_Block]) -> Session:
        a, b = self.world.speakers
        other = {a: b, b: a}
        turns: list[Turn] = []
        leads: set[str] = set()
        prev: str | None = None

        def say(speaker: str, text: str, expresses: tuple[str, ...] = ()) -> None:
            turns.append(
                Turn(
                    turn_id=f"D{index}:{len(turns) + 1}",
                    speaker=self.names[speaker],
                    text=_cap(text),
                    expresses=list(expresses),
                )
            )

        for block in blocks:
            owner = other[block.owner] if block.symmetric and prev == block.owner else block.owner
            if block.lead and not block.symmetric and (prev == owner or (prev is None and self.rng.random() < 0.5)):
                options = phrases.LEADS["other" if block.about else "self"]
                chosen = pick(self.rng, [t for t in options if t not in leads] or options)
                leads.add(chosen)  # no lead question twice in a session
                filled = self.fill(chosen, block, said, None)
                lead = compose.vary(filled, self.names[owner], self.rng, by_name=True, names=self.proper)
                say(other[owner], compose.elaborate(lead, "lead", self.rng))
            for line in block.lines:
                speaker = owner if line.role == "owner" else other[owner]
                text = line.template if line.pad is None else self.fill(line.template, block, said, line)
                if line.pad is not None:  # scripted or composed: vary it (real small talk stays as it was said)
                    by_name = line.pad in ("greet", "greet_reply", "close", "close_reply") or (
                        line.role == "other" and not line.expresses and self.rng.random() < 0.5
                    )
                    text = compose.vary(_cap(text), self.names[other[speaker]], self.rng, by_name, self.proper)
                if line.pad not in (None, "vary"):
                    text = compose.elaborate(text, line.role if line.pad == "auto" else line.pad, self.rng)
                say(speaker, text, line.expresses)
            prev = speaker
        return Session(index=index, date_time=said, turns=turns)


def _form(world: World, subject: str) -> tuple[str, str, str | None]:
    """(owner speaker, "self" or "other", the person talked about or None) for statements about `subject`."""
    person = world.person(subject)
    if person.speaker:
        return person.id, "self", None
    return person.of or world.speakers[0], "other", person.id


def fields_of(world: World, *items: Fact | Event | None) -> dict[str, str]:
    """Template fields from facts and events (the first item naming a field wins)."""
    values: dict[str, str] = {}

    def entity(key_id: str) -> None:
        found = world.get(key_id)
        kind = type(found).__name__
        if kind == "Place":
            values.setdefault("city", found.name)
        elif kind == "Org":
            values.setdefault("org", found.name)
        elif kind == "Thing" and found.pet:
            values.setdefault("kind", found.kind)
            values.setdefault("pet", found.name)
        elif kind == "Thing":
            values.setdefault("car", found.name)
        elif kind == "Person":
            values.setdefault("partner", found.name)
            values.setdefault("partner_rel", found.relation or "partner")
            values.setdefault("pos_partner", found.pronouns[2])

    for item in items:
        if isinstance(item, Fact):
            if item.predicate == "based_in":
                values.setdefault("org", world.name_of(item.subject))
                values.setdefault("office", world.name_of(item.object))
            else:
                entity(item.object)
            values.setdefault("since", str(item.valid_from.year))
        elif isinstance(item, Event):
            for role in sorted(item.args):
                entity(item.args[role])
    return values


class _Planner:
    def __init__(self, world: World, dates: list[datetime], rng: random.Random) -> None:
        self.world = world
        self.dates = dates
        self.rng = rng
        self.plan: list[list[_Block]] = [[] for _ in dates]

    def pick(self, template_set: tuple[str, ...]) -> str:
        return pick(self.rng, template_set)

    def sessions_within(self, first: date, last: date | None) -> list[int]:
        """Sessions said on a day in [first, last)."""
        return [i for i, d in enumerate(self.dates) if first <= d.date() and (last is None or d.date() < last)]

    def fact_block(self, fact: Fact, kind: str, session: int, teller: str | None = None) -> _Block:
        """A statement of `fact` and the listener's reaction; `teller` is the person whose owner tells it (default:
        the fact's subject)."""
        owner, form, about = _form(self.world, teller or fact.subject)
        react = "fact" if kind in ("lives_in", "works_at", "owns") or kind.startswith("still_") else kind
        month = fact.month
        if month is not None:  # a plan: say it when its month is 1 to 11 months ahead
            said = self.dates[session]
            gap = (month.year - said.year) * 12 + month.month - said.month
            if not 1 <= gap <= 11:
                raise AssertionError(f"plan {fact.id} for {month} told on {said}")
        pad = "news" if kind == "plans_trip" else "auto"  # a plan is news; a home or a job held for years is not
        lines = [
            _Line("owner", self.pick(phrases.STATEMENTS[kind][form]), (fact.id,), month=month, pad=pad),
            _Line("other", self.pick(phrases.REACTIONS[react][form])),
        ]
        return _Block(owner, lines, about, fields_of(self.world, fact))

    def storyline(self, line: Storyline) -> None:
        world, rng, dates = self.world, self.rng, self.dates
        old = world.get(line.old_fact) if line.old_fact else None
        new = world.get(line.new_fact) if line.new_fact else None
        cause = world.get(line.cause) if line.cause else None
        change: Event = world.get(line.change)
        owner, form, about = _form(world, line.subject)
        before = self.sessions_within(world.start, change.date)
        after = [i for i, d in enumerate(dates) if d.date() > change.date]
        if old is not None and not any(s.new_fact == old.id for s in world.storylines):
            options = self.sessions_within(old.valid_from, old.valid_to)
            if old.month is not None:
                options = [i for i in options if self._ahead_ok(old, i)]
            session = pick(rng, options)
            self.plan[session].append(self.fact_block(old, line.predicate, session))

        values = fields_of(world, new, change, cause, old)
        chained = cause is not None and any(s.change == cause.id for s in world.storylines)
        expressed = (change.id, new.id) if new is not None else (change.id,)
        change_lines = [
            _Line("owner", self.pick(phrases.STATEMENTS[change.kind][form]), expressed, change.date, pad="news"),
            _Line("other", self.pick(phrases.REACTIONS[change.kind][form])),
        ]
        if cause is not None and not chained:
            move = line.predicate == "lives_in"
            cause_text = self.pick(phrases.STATEMENTS[cause.kind][form])
            cause_line = _Line("owner", cause_text, (cause.id,), cause.date, pad="news")
            told_before = [i for i in before if dates[i].date() > cause.date]
            if told_before and rng.random() < 0.6:
                react = "cause_move" if move else "cause_layoffs" if cause.kind == "layoffs" else "cause_job"
                lines = [cause_line, _Line("other", self.pick(phrases.REACTIONS[react][form]))]
                if form == "self" and rng.random() < 0.6:
                    lines.append(_Line("owner", self.pick(phrases.PONDER[react]), pad="news"))
                self.plan[pick(rng, told_before)].append(_Block(owner, lines, about, dict(values)))
            else:
                why = self.pick(("Wow! ", "Oh! ", "")) + self.pick(
                    phrases.REACTIONS["why_move" if move else "why_job"][form]
                )
                change_lines[1:] = [
                    _Line("other", why),
                    cause_line,
                    _Line("other", self.pick(phrases.REACTIONS["understood"][form])),
                ]
        follow = phrases.FOLLOWUPS.get(change.kind, {}).get(form)
        if follow and rng.random() < 0.5:
            change_lines.append(_Line("owner", self.pick(follow)))
        follows = chained or (line.predicate == "dating" and old is not None)
        self.plan[after[0]].append(_Block(owner, change_lines, about, dict(values), order=int(follows)))
        if new is not None and line.predicate in ("lives_in", "works_at") and len(after) > 1 and rng.random() < 0.5:
            session = pick(rng, after[1:])
            self.plan[session].append(self.fact_block(new, f"still_{line.predicate}", session))

    def _ahead_ok(self, fact: Fact, session: int) -> bool:
        said, month = self.dates[session], fact.month
        return month is not None and 1 <= (month.year - said.year) * 12 + month.month - said.month <= 11

    def static_fact(self, fact: Fact) -> None:
        if fact.predicate != "based_in":
            session = self.rng.randrange(len(self.dates))
            self.plan[session].append(self.fact_block(fact, fact.predicate, session))
            return
        # a company's office: told by whoever joined it, after they did
        line = next(
            s for s in self.world.storylines if s.new_fact and self.world.get(s.new_fact).object == fact.subject
        )
        change: Event = self.world.get(line.change)
        session = pick(self.rng, [i for i, d in enumerate(self.dates) if d.date() > change.date])
        block = self.fact_block(fact, "based_in", session, teller=line.subject)
        block.order = 1
        self.plan[session].append(block)

    def episode(self, event: Event) -> None:
        """An everyday episode, told by its subject in the first session on or after its day (a preference: any
        session from then on), as a composed exchange (`compose.episode_turns`)."""
        later = [i for i, d in enumerate(self.dates) if d.date() >= event.date]
        if not later:
            return  # after the last session: never told
        session = pick(self.rng, later) if event.kind == "favourite" else later[0]
        self._tell(event, session, compose.episode_turns)

    def recall(self, event: Event) -> None:
        """A later session coming back to an episode told before (`compose.recall_turns`): one more turn expressing
        it, in any session after the one that told it."""
        later = [i for i, d in enumerate(self.dates) if d.date() >= event.date]
        if len(later) < 2:
            return
        self._tell(event, pick(self.rng, later[1:]), compose.recall_turns)

    def _tell(self, event: Event, session: int, write: Callable[..., list[tuple[str, str, tuple[str, ...]]]]) -> None:
        """The exchange `write` composes for `event` (its subject the teller), planned into `session`."""
        values: dict[str, str] = {}
        if "person" in event.args:
            person = self.world.person(event.args["person"])
            values = {"name": person.name, "rel": person.relation or "friend"}
        turns = write(event.kind, event.id, event.details, values, self.rng)
        lines = [
            _Line(role, text, ids, when=event.date if "{when}" in text else None, pad="vary")
            for role, text, ids in turns
        ]
        self.plan[session].append(_Block(event.subject, lines))

    def distractor(self, index: int, used: set[str]) -> None:
        world, rng = self.world, self.rng
        owner = pick(rng, world.speakers)
        kinds = ["city", "org", "plain", "thing", "trip"]
        if any(p.of == owner and world.facts_of(p.id) for p in world.mentioned()):
            kinds.append("person")
        fresh = [k for k in kinds if any(t[0] not in used for t in phrases.DISTRACTORS[k])]
        kind = pick(rng, fresh or kinds)
        options = [t for t in phrases.DISTRACTORS[kind] if t[0] not in used] or list(phrases.DISTRACTORS[kind])
        said, reply = pick(rng, options)
        used.add(said)
        values: dict[str, str] = {}
        about = None
        if kind in ("city", "trip"):
            homes = {f.object for f in world.facts if f.subject == owner and f.predicate in ("lives_in", "plans_trip")}
            values["city"] = world.name_of(pick(rng, [p.id for p in world.places if p.id not in homes]))
        elif kind == "org":
            jobs = {f.object for f in world.facts if f.predicate == "works_at" and world.person(f.subject).speaker}
            values["org"] = world.name_of(pick(rng, [o.id for o in world.orgs if o.id not in jobs]))
        elif kind == "thing":
            pets = [t for t in world.things if t.pet]
            values["kind"] = pets[0].kind if pets else "dog"
            values["car"] = next((t.name for t in world.things if not t.pet), "Volvo")
        elif kind == "person":
            about = pick(rng, [p.id for p in world.mentioned() if p.of == owner and world.facts_of(p.id)])
        lines = [_Line("owner", said), _Line("other", reply)]
        self.plan[index].append(_Block(owner, lines, about, values, lead=kind == "person", symmetric=kind != "person"))


def world_names(world: World, lower: bool = True) -> frozenset[str]:
    """The world's names, lower-cased (or as written): people (first and last), places, organisations, cars, pets."""
    names = [p.name for p in world.people] + [p.surname for p in world.people]
    names += [p.name for p in world.places] + [o.name for o in world.orgs] + [t.name for t in world.things]
    return frozenset(n.lower() if lower else n for n in names)


def realize(
    world: World,
    dialogue_id: str,
    sessions: int,
    rng: random.Random,
    filler: list[tuple[str, ...]] | None = None,
    filler_exchanges: int = 9,
    recalls: float = 0.0,
) -> Dialogue:
    """Write the world as `sessions` dated sessions of alternating turns.

    `filler`: exchanges of real small talk (`generators.realize.smalltalk`), between 2/3 of `filler_exchanges` and
    it per session; without it one or two of the short scripted small talk of `phrases.SMALL_TALK` fill in.
    `recalls`: the chance that a later session comes back to an episode (0 draws nothing: the same bytes as before)."""
    dates = session_dates(world, sessions, rng)
    planner = _Planner(world, dates, rng)
    for line in world.storylines:
        planner.storyline(line)
    in_storylines = {f for s in world.storylines for f in (s.old_fact, s.new_fact) if f}
    for fact in world.facts:
        if fact.id not in in_storylines:
            planner.static_fact(fact)
    for event in world.events:
        if event.kind in life.CATEGORY:
            planner.episode(event)
    if recalls > 0:
        for event in world.events:
            if event.kind in compose.RECALLABLE and rng.random() < recalls:
                planner.recall(event)
    small_talk = rng.sample(phrases.SMALL_TALK, len(phrases.SMALL_TALK))
    named = world_names(world)
    exchanges = (x for x in filler or () if not smalltalk.names_in("\n".join(x), named))  # checked when used
    used: set[str] = set()
    for index in range(sessions):
        for _ in range(rng.randint(1, 2)):
            planner.distractor(index, used)
        fewest = filler_exchanges - filler_exchanges // 3
        for _ in range(rng.randint(fewest, filler_exchanges) if filler is not None else rng.randint(1, 2)):
            if filler is not None:
                exchange = next(exchanges, None)
                if exchange is not None:
                    lines = [
                        _Line("owner" if k % 2 == 0 else "other", text, pad=None) for k, text in enumerate(exchange)
                    ]
                    planner.plan[index].append(_Block(pick(rng, world.speakers), lines, lead=False, symmetric=True))
                continue
            said, reply = small_talk.pop() if small_talk else pick(rng, phrases.SMALL_TALK)
            planner.plan[index].append(
                _Block(
                    pick(rng, world.speakers),
                    [_Line("owner", said), _Line("other", reply)],
                    lead=False,
                    symmetric=True,
                )
            )

    writer = _Writer(world, rng)
    out = []
    for index, (said, blocks) in enumerate(zip(dates, planner.plan, strict=True), start=1):
        rng.shuffle(blocks)
        blocks.sort(key=lambda block: block.order)
        first = pick(rng, world.speakers)
        other = world.speakers[1] if first == world.speakers[0] else world.speakers[0]
        opening = _Block(
            first,
            [
                _Line("owner", pick(rng, phrases.GREETINGS), pad="greet"),
                _Line("other", pick(rng, phrases.GREETING_REPLIES), pad="greet_reply"),
            ],
            values={"other": writer.names[other], "name": writer.names[first], "daytime": day_greeting(said)},
            lead=False,
        )
        closing = _Block(
            first,
            [
                _Line("owner", pick(rng, phrases.CLOSINGS), pad="close"),
                _Line("other", pick(rng, phrases.CLOSING_REPLIES), pad="close_reply"),
            ],
            lead=False,
            symmetric=True,
        )
        out.append(writer.session(index, said, [opening, *blocks, closing]))
    names = (writer.names[world.speakers[0]], writer.names[world.speakers[1]])
    return Dialogue(dialogue_id=dialogue_id, speakers=names, sessions=out)
