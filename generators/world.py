"""The scenario world: speakers, mentioned people, places, organisations, things (cars, pets), dated events, facts
with validity intervals that change over time, and causal links between events.

Everything is drawn from one integer seed (Faker seeded with it, plus `random.Random(seed)`), so the same seed
gives the same world. `World.to_dict()` is its JSON form (it goes into `GeneratedDialogue.world`).

What changes (each change is a `Storyline`: the fact that stops, the fact that starts, the event, its cause):
- one speaker moves city (because of a job offer, a partner's job, studies or family); the move then leads to
  selling their car and to cancelling a planned trip (a chain cause -> move -> sale, and one cause with two effects);
- the other speaker changes employer (layoffs, a recruiter, the commute, a conference) and starts dating someone,
  sometimes breaking up later;
- mentioned people change employer or move city; one adopts a pet.
The companies people join have an office city (`based_in`), for questions that join two memories.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, is_dataclass
from datetime import date, timedelta
from functools import cache, cached_property
from itertools import accumulate
from typing import Any, Literal

from faker import Faker

from generators import life, names

Predicate = Literal["lives_in", "works_at", "owns", "dating", "plans_trip", "based_in"]

# What can make someone move to a city, or change employer. Every storyline picks one as its cause.
MOVE_CAUSES: tuple[str, ...] = ("job_offer", "partner_job", "study", "family")
JOB_CAUSES: tuple[str, ...] = ("layoffs", "recruited", "commute", "conference")
# The event that starts a fact of each predicate, and the one that ends it.
CHANGE_KINDS: dict[str, str] = {"lives_in": "moved", "works_at": "changed_job"}


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    surname: str
    gender: str
    pronouns: tuple[str, str, str]  # subject, object, possessive
    speaker: bool
    relation: str | None = None  # e.g. "sister": the relation to the speaker `of`
    of: str | None = None
    descriptions: tuple[str, ...] = ()  # mention chain: "my sister", "your sister", "Anna's sister"


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thing:
    """Something a person owns: a car, or a pet (a pet has a name)."""

    id: str
    kind: str  # "car", "dog", "cat", "puppy", "kitten"
    name: str  # "Volvo" for a car, "Biscuit" for a pet
    owner: str
    descriptions: tuple[str, ...] = ()  # "the car", "her dog"

    @property
    def pet(self) -> bool:
        return self.kind != "car"


@dataclass(frozen=True)
class Fact:
    """`subject predicate object`, true from `valid_from` until `valid_to` (exclusive; None = still true).

    `month` is the month a plan is for (a planned trip), None otherwise.
    """

    id: str
    subject: str
    predicate: Predicate
    object: str
    valid_from: date
    valid_to: date | None = None
    month: date | None = None

    def valid_at(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # a change kind (moved, changed_job, sold, cancelled_trip, started_dating, broke_up, adopted) or a cause
    subject: str
    date: date
    args: dict[str, str] = field(default_factory=dict)  # role -> entity id, e.g. {"place": "place-2"}
    details: dict[str, str] = field(default_factory=dict)  # an episode's words (see `generators.life`)


@dataclass(frozen=True)
class CausalLink:
    cause: str  # event id
    effect: str  # event id


@dataclass(frozen=True)
class Storyline:
    """One change: `old_fact` (if any) stops and `new_fact` (if any) starts at the `change` event, because of
    `cause` (an event id, or None when nothing caused it)."""

    id: str
    subject: str
    predicate: Predicate
    old_fact: str | None
    new_fact: str | None
    cause: str | None
    change: str


@dataclass(frozen=True)
class World:
    seed: int
    locale: str
    start: date
    end: date
    speakers: tuple[str, str]
    people: tuple[Person, ...]
    places: tuple[Place, ...]
    orgs: tuple[Org, ...]
    things: tuple[Thing, ...]
    facts: tuple[Fact, ...]
    events: tuple[Event, ...]
    links: tuple[CausalLink, ...]
    storylines: tuple[Storyline, ...]
    spare_places: tuple[str, ...] = ()  # places nobody lives in, visits or works in (for distractor talk)

    @cached_property
    def _index(self) -> dict[str, Any]:
        groups = (self.people, self.places, self.orgs, self.things, self.facts, self.events, self.storylines)
        return {item.id: item for group in groups for item in group}

    def get(self, entity_id: str) -> Any:
        try:
            return self._index[entity_id]
        except KeyError:
            raise KeyError(f"no entity {entity_id!r} in the world") from None

    def person(self, person_id: str) -> Person:
        found = self.get(person_id)
        if not isinstance(found, Person):
            raise KeyError(f"{person_id!r} is not a person")
        return found

    def name_of(self, entity_id: str) -> str:
        return self.get(entity_id).name

    def mentioned(self) -> list[Person]:
        return [p for p in self.people if not p.speaker]

    def facts_of(self, subject: str, predicate: str | None = None) -> list[Fact]:
        return [f for f in self.facts if f.subject == subject and (predicate is None or f.predicate == predicate)]

    def events_of(self, subject: str, kind: str | None = None) -> list[Event]:
        return [e for e in self.events if e.subject == subject and (kind is None or e.kind == kind)]

    def storyline_of(self, fact_id: str) -> Storyline | None:
        """The storyline in which the fact changes (ends, or else starts)."""
        lines = [s for s in self.storylines if fact_id in (s.old_fact, s.new_fact)]
        return next((s for s in lines if s.old_fact == fact_id), lines[0] if lines else None)

    def effects_of(self, event_id: str) -> list[str]:
        return [link.effect for link in self.links if link.cause == event_id]

    def causes_of(self, event_id: str) -> list[str]:
        return [link.cause for link in self.links if link.effect == event_id]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    """`dataclasses.asdict` with dates as ISO strings and tuples as lists, in one pass (asdict deep-copies every
    leaf: it was a sixth of a dialogue's generation time)."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if is_dataclass(value):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


class _Ids:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}-{self.counts[prefix]}"


@cache
def _faker(locale: str) -> Faker:
    """One Faker per locale and process (making one loads every provider: an eighth of a dialogue's time), its
    name formatters drawing with precomputed weights (Faker rebuilds a 1,000-name weight list on every draw)."""
    fake = Faker(locale)
    for generator in fake.factories:
        for formatter, table in _WEIGHTED_NAMES.items():
            provider = next((p for p in generator.providers if hasattr(p, table)), None)
            if provider is not None:
                generator.set_formatter(formatter, _weighted_draw(generator, getattr(provider, table)))
    return fake


_WEIGHTED_NAMES = {"last_name": "last_names", "first_name_female": "first_names_female",
                   "first_name_male": "first_names_male"}  # fmt: skip


def _weighted_draw(generator: Any, table: Any) -> Any:
    """A draw from a Faker name table (a dict of name -> weight, or a sequence) with the generator's random."""
    if not isinstance(table, dict):
        names = tuple(table)
        return lambda: names[generator.random.randrange(len(names))]
    names, cumulative = tuple(table), tuple(accumulate(table.values()))
    return lambda: generator.random.choices(names, cum_weights=cumulative)[0]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def build_world(
    seed: int, locale: str = "en_US", sessions: int = 4, storylines: int = 3, people: int = 4, episodes: int = 0
) -> World:
    """A world whose timeline fits `sessions` conversations a few weeks apart.

    `storylines` counts the moves and job changes: one speaker moves, the other changes employer, and
    `storylines - 2` mentioned people change employer or move. `people` mentioned people (rounded up to even: they
    come in same-gender pairs, so every pronoun has a competing referent), plus the new partner of a speaker.
    `episodes` everyday episodes per speaker (hobbies, outings, purchases, family news, ...: `generators.life`).
    """
    if storylines < 2 or people < 2 or storylines - 2 > people:
        raise ValueError(
            f"build_world: need storylines >= 2, people >= 2, storylines - 2 <= people (got {storylines}, {people})"
        )
    rng = random.Random(seed)
    fake = _faker(locale)
    fake.seed_instance(seed)  # reseeding resets its whole random state: a reused Faker draws what a new one would
    ids = _Ids()

    start = date(2022, 1, 3) + timedelta(days=rng.randint(0, 900))
    span = (sessions - 1) * rng.randint(21, 35)
    end = start + timedelta(days=span)

    # people
    taken: set[str] = set()
    speaker_genders = [rng.choice(("female", "male")) for _ in range(2)]
    speaker_names = [names.first_name(fake, g, taken) for g in speaker_genders]
    speaker_ids = (ids("person"), ids("person"))
    person_rows: list[dict[str, Any]] = [
        {"id": pid, "name": n, "surname": fake.last_name(), "gender": g, "speaker": True}
        for pid, n, g in zip(speaker_ids, speaker_names, speaker_genders, strict=True)
    ]
    used_relations: dict[str, set[str]] = {pid: set() for pid in speaker_ids}

    def add_person(gender: str, owner: str, relation: str) -> str:
        owner_name = speaker_names[speaker_ids.index(owner)]
        row = {
            "id": ids("person"),
            "name": names.first_name(fake, gender, taken),
            "surname": fake.last_name(),
            "gender": gender,
            "speaker": False,
            "relation": relation,
            "of": owner,
            "descriptions": (f"my {relation}", f"your {relation}", f"{owner_name}'s {relation}"),
        }
        person_rows.append(row)
        return row["id"]

    mentioned: list[str] = []
    for k in range(people + people % 2):
        gender = rng.choice(("female", "male")) if k % 2 == 0 else person_rows[-1]["gender"]
        owner = rng.choice(speaker_ids)
        mentioned.append(add_person(gender, owner, names.relation_for(rng, gender, used_relations[owner])))
    mover, changer = rng.sample(speaker_ids, 2)
    partner_gender = rng.choice(("female", "male"))
    partner = add_person(partner_gender, changer, names.PARTNERS[partner_gender])

    # places and organisations
    extra_people = rng.sample(mentioned, storylines - 2)
    movers = extra_people[1::2]  # the other extra people change employer
    city_names = names.cities(rng, fake, 4 + len(mentioned) + len(movers) + storylines + 3 + (4 if episodes else 0))
    pool = [Place(ids("place"), n) for n in city_names]
    old_home, changer_home, trip_place = pool[:3]
    new_home = Place(pool[3].id, pool[3].name, ("the new place", "my new city"))
    pool[3] = new_home
    pool[0] = old_home = Place(old_home.id, old_home.name, ("my old place",))
    rest = pool[4:]
    homes = {pid: rest.pop(0).id for pid in mentioned}
    new_homes = {pid: rest.pop(0).id for pid in movers}
    offices = [rest.pop(0).id for _ in range(storylines)]
    trip_cities = [rest.pop() for _ in range(4 if episodes else 0)]  # weekend trips: nobody lives there
    spare = tuple(p.id for p in rest)

    taken_orgs: set[str] = set()
    orgs: list[Org] = []

    def new_org(descriptions: tuple[str, ...] = ()) -> str:
        org = Org(ids("org"), names.org_name(fake, taken_orgs), descriptions)
        orgs.append(org)
        return org.id

    facts: list[Fact] = []
    events: list[Event] = []
    links: list[CausalLink] = []
    lines: list[Storyline] = []
    things: list[Thing] = []

    def since() -> date:
        return date(start.year - rng.randint(1, 6), rng.randint(1, 12), 1)

    def fact(subject: str, predicate: Predicate, obj: str, valid_from: date, **kw: Any) -> Fact:
        made = Fact(ids("fact"), subject, predicate, obj, valid_from, **kw)
        facts.append(made)
        return made

    def event(kind: str, subject: str, day: date, args: dict[str, str]) -> Event:
        made = Event(ids("event"), kind, subject, day, args)
        events.append(made)
        return made

    def line(
        subject: str, predicate: Predicate, old: Fact | None, new: Fact | None, cause: Event | None, change: Event
    ):
        if cause is not None:
            links.append(CausalLink(cause.id, change.id))
        lines.append(
            Storyline(
                ids("storyline"),
                subject,
                predicate,
                old.id if old else None,
                new.id if new else None,
                cause.id if cause else None,
                change.id,
            )
        )

    def change_storyline(
        subject: str, predicate: Predicate, old: str, new: str, cause_kind: str, cause_args: dict, latest: int
    ) -> Event:
        changed = start + timedelta(days=rng.randint(3, max(3, latest)))
        caused = changed - timedelta(days=rng.randint(7, 40))
        ended = changed
        if cause_kind == "layoffs":  # the old job ends with the cause, and is told before it
            caused = max(caused, start + timedelta(days=1))
            ended = caused
        old_fact = fact(subject, predicate, old, since(), valid_to=ended)
        new_fact = fact(subject, predicate, new, changed)
        cause = event(cause_kind, subject, caused, cause_args)
        role = "place" if predicate == "lives_in" else "org"
        change = event(CHANGE_KINDS[predicate], subject, changed, {role: new})
        line(subject, predicate, old_fact, new_fact, cause, change)
        return change

    def move(subject: str, old: str, new: str, latest: int) -> Event:
        kind = rng.choice(MOVE_CAUSES)
        args = {"place": new}
        if kind == "job_offer":
            args["org"] = new_org()
        return change_storyline(subject, "lives_in", old, new, kind, args, latest)

    def job_change(subject: str) -> None:
        old, new = new_org(("the old company",)), new_org(("the new job", "the new company", "that job"))
        kind = rng.choice(JOB_CAUSES)
        args = {"org": new} if kind in ("recruited", "conference") else {}
        change_storyline(subject, "works_at", old, new, kind, args, span - 3)
        fact(new, "based_in", offices.pop(0), since())

    def after(day: date) -> date:
        """A day between `day` and the end of the timeline (exclusive both)."""
        return day + timedelta(days=rng.randint(1, max(1, (end - day).days - 2)))

    # a speaker moves; the move leads to selling the car and cancelling a planned trip
    moved = move(mover, old_home.id, new_home.id, span // 2)
    car = Thing(ids("thing"), "car", rng.choice(names.CARS), mover, ("the car", "my car"))
    things.append(car)
    sold_on = after(moved.date)
    car_fact = fact(mover, "owns", car.id, since(), valid_to=sold_on)
    line(mover, "owns", car_fact, None, moved, event("sold", mover, sold_on, {"thing": car.id}))
    cancelled_on = after(moved.date)
    plan = fact(
        mover,
        "plans_trip",
        trip_place.id,
        start - timedelta(days=rng.randint(5, 40)),
        valid_to=cancelled_on,
        month=_add_months(cancelled_on, rng.randint(1, 3)),
    )
    line(mover, "plans_trip", plan, None, moved, event("cancelled_trip", mover, cancelled_on, {"place": trip_place.id}))

    # the other speaker changes employer and starts dating someone (and sometimes breaks up)
    job_change(changer)
    fact(changer, "lives_in", changer_home.id, since())
    met = start + timedelta(days=rng.randint(1, max(1, span * 3 // 5)))
    split = after(met) if rng.random() < 0.5 and (end - met).days > 6 else None
    dating = fact(changer, "dating", partner, met, valid_to=split)
    line(changer, "dating", None, dating, None, event("started_dating", changer, met, {"person": partner}))
    if split is not None:
        line(changer, "dating", dating, None, None, event("broke_up", changer, split, {"person": partner}))

    # mentioned people: some change employer or move, one adopts a pet
    for pid in mentioned:
        if pid in movers:
            move(pid, homes[pid], new_homes[pid], span - 3)
        else:
            fact(pid, "lives_in", homes[pid], since())
        if pid in extra_people and pid not in movers:
            job_change(pid)
        else:
            fact(pid, "works_at", new_org(), since())
    adopter = rng.choice(mentioned)
    kind = rng.choice(names.PETS)
    _, _, pos = names.PRONOUNS[person_rows[[r["id"] for r in person_rows].index(adopter)]["gender"]]
    pet = Thing(ids("thing"), kind, rng.choice(names.PET_NAMES), adopter, (f"the {kind}", f"{pos} {kind}"))
    things.append(pet)
    adopted_on = start + timedelta(days=rng.randint(1, span - 2))
    pet_fact = fact(adopter, "owns", pet.id, adopted_on)
    line(adopter, "owns", None, pet_fact, None, event("adopted", adopter, adopted_on, {"thing": pet.id}))
    for _ in range(2):
        new_org()  # organisations nobody works at, for distractor talk
    if episodes:
        life_rng = random.Random(rng.random())
        by_id = {r["id"]: r for r in person_rows}
        relatives = {
            s: [
                (p, by_id[p]["relation"], names.PRONOUNS[by_id[p]["gender"]][2])
                for p in mentioned
                if by_id[p]["of"] == s
            ]
            for s in speaker_ids
        }
        for kind, subject, day, args, details in life.plan_life(
            life_rng,
            start,
            end,
            speaker_ids,
            relatives,
            [(p.id, p.name) for p in trip_cities],
            episodes,
            fake.name,
        ):
            made = event(kind, subject, day, args)
            events[-1] = Event(made.id, made.kind, made.subject, made.date, made.args, details)

    people_out = tuple(
        Person(
            id=r["id"],
            name=r["name"],
            surname=r["surname"],
            gender=r["gender"],
            pronouns=names.PRONOUNS[r["gender"]],
            speaker=r["speaker"],
            relation=r.get("relation"),
            of=r.get("of"),
            descriptions=r.get("descriptions", ()),
        )
        for r in person_rows
    )
    return World(
        seed=seed,
        locale=locale,
        start=start,
        end=end,
        speakers=speaker_ids,
        people=people_out,
        places=tuple(pool),
        orgs=tuple(orgs),
        things=tuple(things),
        facts=tuple(facts),
        events=tuple(events),
        links=tuple(links),
        storylines=tuple(lines),
        spare_places=spare,
    )
