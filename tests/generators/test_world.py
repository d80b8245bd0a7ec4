from __future__ import annotations

import json
from datetime import date

import pytest

from generators.world import build_world


def test_same_seed_same_world_and_json_serialisable():
    a, b = build_world(7, sessions=4), build_world(7, sessions=4)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
    assert a.to_dict() != build_world(8, sessions=4).to_dict()


@pytest.mark.parametrize("seed", range(6))
def test_facts_change_over_time_with_a_cause(seed):
    world = build_world(seed, sessions=4, storylines=4, people=4)
    changes = [s for s in world.storylines if s.predicate in ("lives_in", "works_at")]
    assert len(changes) == 4
    assert {line.predicate for line in changes} == {"lives_in", "works_at"}
    for line in changes:
        old, new = world.get(line.old_fact), world.get(line.new_fact)
        cause, change = world.get(line.cause), world.get(line.change)
        assert old.subject == new.subject == line.subject and old.object != new.object
        assert old.valid_to is not None and old.valid_to <= new.valid_from == change.date
        assert new.valid_to is None and cause.date < change.date
        assert not old.valid_at(change.date) and new.valid_at(change.date)
        assert any(link.cause == cause.id and link.effect == change.id for link in world.links)
        assert world.start < change.date < world.end
    movers = {s.subject for s in changes if s.predicate == "lives_in"}
    assert any(not world.person(m).speaker for m in movers)  # mentioned people move too


@pytest.mark.parametrize("seed", range(6))
def test_every_ended_fact_ends_with_an_event_of_its_storyline(seed):
    world = build_world(seed, sessions=3)
    for fact in world.facts:
        assert fact.valid_to is None or fact.valid_from < fact.valid_to
        if fact.valid_to is not None:
            line = world.storyline_of(fact.id)
            assert line is not None and line.old_fact == fact.id
            enders = [world.get(e) for e in (line.change, line.cause) if e]
            assert fact.valid_to in {e.date for e in enders}


@pytest.mark.parametrize("seed", range(6))
def test_chains_and_two_effects(seed):
    world = build_world(seed, sessions=4)
    moved = next(e for e in world.events if e.kind == "moved" and world.person(e.subject).speaker)
    effects = [world.get(e) for e in world.effects_of(moved.id)]
    assert sorted(e.kind for e in effects) == ["cancelled_trip", "sold"]  # one cause, two effects
    (first,) = world.causes_of(moved.id)  # and a chain: cause -> move -> sale
    assert (
        world.get(first).date < moved.date < min(e.date for e in effects) and max(e.date for e in effects) < world.end
    )
    car = next(t for t in world.things if t.kind == "car")
    owned = world.facts_of(car.owner, "owns")
    assert any(f.object == car.id and f.valid_to == next(e for e in effects if e.kind == "sold").date for f in owned)
    (plan,) = world.facts_of(moved.subject, "plans_trip")
    assert plan.valid_to < plan.month  # the plan was cancelled before the month it was for


@pytest.mark.parametrize("seed", range(6))
def test_relationships_and_pets(seed):
    world = build_world(seed, sessions=5)
    (dating,) = [f for f in world.facts if f.predicate == "dating"]
    partner = world.person(dating.object)
    assert partner.of == dating.subject and partner.relation in ("girlfriend", "boyfriend")
    starts = world.events_of(dating.subject, "started_dating")
    assert [e.date for e in starts] == [dating.valid_from]
    breakups = world.events_of(dating.subject, "broke_up")
    assert [e.date for e in breakups] == ([dating.valid_to] if dating.valid_to else [])
    (pet,) = [t for t in world.things if t.pet]
    (adopted,) = world.events_of(pet.owner, "adopted")
    assert adopted.args["thing"] == pet.id and not world.person(pet.owner).speaker
    assert any(f.object == pet.id and f.valid_from == adopted.date for f in world.facts_of(pet.owner, "owns"))


def test_people_have_relations_and_same_pronoun_rivals():
    world = build_world(11, sessions=3, people=4)
    mentioned = [p for p in world.mentioned() if p.relation not in ("girlfriend", "boyfriend")]
    assert len(mentioned) == 4 and len([p for p in world.people if p.speaker]) == 2
    for person in mentioned:
        assert person.of in world.speakers and person.relation
        assert f"my {person.relation}" in person.descriptions
        assert any(o.id != person.id and o.pronouns == person.pronouns for o in mentioned)
        assert world.facts_of(person.id, "works_at") and world.facts_of(person.id, "lives_in")
    relations = [(p.of, p.relation) for p in world.mentioned()]
    assert len(set(relations)) == len(relations)  # "my sister" is never ambiguous
    assert len({p.name for p in world.people}) == len(world.people)


def test_joined_companies_have_offices_and_spare_places_are_unused():
    world = build_world(4, sessions=4, storylines=5, people=4)
    joined = {world.get(s.new_fact).object for s in world.storylines if s.predicate == "works_at"}
    offices = {f.subject for f in world.facts if f.predicate == "based_in"}
    assert joined == offices
    used = {f.object for f in world.facts} | {v for e in world.events for v in e.args.values()}
    assert world.spare_places and not used & set(world.spare_places)


def test_timeline_spans_months_and_bad_sizes_raise():
    world = build_world(5, sessions=4)
    assert (world.end - world.start).days >= 60
    assert isinstance(world.start, date)
    with pytest.raises(ValueError, match="storylines"):
        build_world(5, storylines=9, people=4)
