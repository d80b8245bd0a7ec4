"""The scenario world: speakers, mentioned people, places, organisations, dated events, facts with validity
intervals that change over time, and causal links between events.

Everything is drawn from one integer seed (Faker seeded with it, plus `random.Random(seed)`), so the same seed
gives the same world. `World.to_dict()` is its JSON form (it goes into `GeneratedDialogue.world`).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from faker import Faker

from generators import names

Predicate = Literal["lives_in", "works_at"]

# What can make someone move to a city, or change employer. Every storyline picks one as its cause.
MOVE_CAUSES: tuple[str, ...] = ("job_offer", "partner_job", "study", "family")
JOB_CAUSES: tuple[str, ...] = ("layoffs", "recruited", "commute", "conference")


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
class Fact:
    """`subject predicate object`, true from `valid_from` until `valid_to` (exclusive; None = still true)."""

    id: str
    subject: str
    predicate: Predicate
    object: str
    valid_from: date
    valid_to: date | None = None

    def valid_at(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # "moved", "changed_job", or a cause kind from MOVE_CAUSES / JOB_CAUSES
    subject: str
    date: date
    args: dict[str, str] = field(default_factory=dict)  # role -> entity id, e.g. {"place": "place-2"}


@dataclass(frozen=True)
class CausalLink:
    cause: str  # event id
    effect: str  # event id


@dataclass(frozen=True)
class Storyline:
    """One change over time: `old_fact` gives way to `new_fact` at the `change` event, because of `cause`."""

    id: str
    subject: str
    predicate: Predicate
    old_fact: str
    new_fact: str
    cause: str
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
    facts: tuple[Fact, ...]
    events: tuple[Event, ...]
    links: tuple[CausalLink, ...]
    storylines: tuple[Storyline, ...]
    spare_places: tuple[str, ...] = ()  # places nobody lives in (for distractor talk)

    def get(self, entity_id: str) -> Any:
        for group in (self.people, self.places, self.orgs, self.facts, self.events, self.storylines):
            for item in group:
                if item.id == entity_id:
                    return item
        raise KeyError(f"no entity {entity_id!r} in the world")

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

    def storyline_of(self, fact_id: str) -> Storyline | None:
        return next((s for s in self.storylines if fact_id in (s.old_fact, s.new_fact)), None)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Ids:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}-{self.counts[prefix]}"


def build_world(seed: int, locale: str = "en_US", sessions: int = 4, storylines: int = 3, people: int = 4) -> World:
    """A world whose timeline fits `sessions` conversations a few weeks apart.

    Storyline 1 moves one speaker to another city, storyline 2 changes the other speaker's employer, further
    storylines change mentioned people's employers. Mentioned people come in same-gender pairs, so every
    pronoun has a competing referent.
    """
    if storylines < 2 or people < 2 or storylines - 2 > people:
        raise ValueError(
            f"build_world: need storylines >= 2, people >= 2, storylines - 2 <= people (got {storylines}, {people})"
        )
    rng = random.Random(seed)
    fake = Faker(locale)
    fake.seed_instance(seed)
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
    for k in range(people + people % 2):
        gender = rng.choice(("female", "male")) if k % 2 == 0 else person_rows[-1]["gender"]
        owner = rng.choice(speaker_ids)
        relation = names.relation_for(rng, gender, used_relations[owner])
        owner_name = speaker_names[speaker_ids.index(owner)]
        person_rows.append(
            {
                "id": ids("person"),
                "name": names.first_name(fake, gender, taken),
                "surname": fake.last_name(),
                "gender": gender,
                "speaker": False,
                "relation": relation,
                "of": owner,
                "descriptions": (f"my {relation}", f"your {relation}", f"{owner_name}'s {relation}"),
            }
        )
    mentioned = [r["id"] for r in person_rows if not r["speaker"]]

    # places and organisations
    mover, changer = rng.sample(speaker_ids, 2)
    extra_people = rng.sample(mentioned, storylines - 2)
    city_names = names.cities(rng, fake, 3 + len(mentioned) + 3)
    descriptions = [("my old place",), ("the new place", "my new city")]
    places = [Place(ids("place"), n, descriptions[k] if k < 2 else ()) for k, n in enumerate(city_names)]
    old_home, new_home, changer_home = places[:3]
    homes = {pid: place.id for pid, place in zip(mentioned, places[3:], strict=False)}
    spare = tuple(p.id for p in places[3 + len(mentioned) :])

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

    def since() -> date:
        return date(start.year - rng.randint(1, 6), rng.randint(1, 12), 1)

    def static(subject: str, predicate: Predicate, obj: str) -> None:
        facts.append(Fact(ids("fact"), subject, predicate, obj, since()))

    def storyline(subject: str, predicate: Predicate, old: str, new: str, cause_kind: str, cause_args: dict) -> None:
        changed = start + timedelta(days=rng.randint(3, span - 3))
        caused = changed - timedelta(days=rng.randint(7, 40))
        ended = changed
        if cause_kind == "layoffs":  # the old job ends with the cause, and is told before it
            caused = max(caused, start + timedelta(days=1))
            ended = caused
        old_fact = Fact(ids("fact"), subject, predicate, old, since(), ended)
        new_fact = Fact(ids("fact"), subject, predicate, new, changed)
        cause = Event(ids("event"), cause_kind, subject, caused, cause_args)
        kind, role = ("moved", "place") if predicate == "lives_in" else ("changed_job", "org")
        change = Event(ids("event"), kind, subject, changed, {role: new})
        facts.extend((old_fact, new_fact))
        events.extend((cause, change))
        links.append(CausalLink(cause.id, change.id))
        lines.append(Storyline(ids("storyline"), subject, predicate, old_fact.id, new_fact.id, cause.id, change.id))

    # storyline 1: a speaker moves city
    move_cause = rng.choice(MOVE_CAUSES)
    move_args = {"place": new_home.id}
    if move_cause == "job_offer":
        move_args["org"] = new_org()
    storyline(mover, "lives_in", old_home.id, new_home.id, move_cause, move_args)

    # storyline 2 (and 3+ for mentioned people): a change of employer
    def job_change(subject: str) -> None:
        old, new = new_org(("the old company",)), new_org(("the new job", "the new company"))
        kind = rng.choice(JOB_CAUSES)
        storyline(subject, "works_at", old, new, kind, {"org": new} if kind in ("recruited", "conference") else {})

    job_change(changer)
    static(changer, "lives_in", changer_home.id)
    for pid in mentioned:
        static(pid, "lives_in", homes[pid])
        if pid in extra_people:
            job_change(pid)
        else:
            static(pid, "works_at", new_org())
    for _ in range(2):
        new_org()  # organisations nobody works at, for distractor talk

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
        places=tuple(places),
        orgs=tuple(orgs),
        facts=tuple(facts),
        events=tuple(events),
        links=tuple(links),
        storylines=tuple(lines),
        spare_places=spare,
    )
