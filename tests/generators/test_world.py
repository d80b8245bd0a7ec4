from __future__ import annotations

import json
from datetime import date

from generators.world import build_world


def test_same_seed_same_world_and_json_serialisable():
    a, b = build_world(7, sessions=4), build_world(7, sessions=4)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
    assert a.to_dict() != build_world(8, sessions=4).to_dict()


def test_facts_change_over_time_with_a_cause():
    world = build_world(3, sessions=4, storylines=4, people=4)
    assert len(world.storylines) == 4
    assert {line.predicate for line in world.storylines} == {"lives_in", "works_at"}
    for line in world.storylines:
        old, new = world.get(line.old_fact), world.get(line.new_fact)
        cause, change = world.get(line.cause), world.get(line.change)
        assert old.subject == new.subject == line.subject and old.object != new.object
        assert old.valid_to is not None and old.valid_to <= new.valid_from == change.date
        assert new.valid_to is None and cause.date < change.date
        assert not old.valid_at(change.date) and new.valid_at(change.date)
        assert any(link.cause == cause.id and link.effect == change.id for link in world.links)
        assert world.start < change.date < world.end


def test_people_have_relations_and_same_pronoun_rivals():
    world = build_world(11, sessions=3, people=4)
    mentioned = world.mentioned()
    assert len(mentioned) == 4 and len([p for p in world.people if p.speaker]) == 2
    for person in mentioned:
        assert person.of in world.speakers and person.relation
        assert f"my {person.relation}" in person.descriptions
        assert any(o.id != person.id and o.pronouns == person.pronouns for o in mentioned)
        assert world.facts_of(person.id, "works_at") and world.facts_of(person.id, "lives_in")
    relations = [(p.of, p.relation) for p in mentioned]
    assert len(set(relations)) == len(relations)  # "my sister" is never ambiguous
    assert len({p.name for p in world.people}) == len(world.people)


def test_timeline_spans_months():
    world = build_world(5, sessions=4)
    assert (world.end - world.start).days >= 60
    assert isinstance(world.start, date)
