"""Name material for scenario worlds: cities, relations, and Faker-drawn people and organisations."""

from __future__ import annotations

import random

from faker import Faker

CITIES: tuple[str, ...] = (
    "Porto", "Lyon", "Denver", "Austin", "Seattle", "Boston", "Chicago", "Toronto", "Montreal", "Vancouver",
    "Dublin", "Edinburgh", "Manchester", "Bristol", "Amsterdam", "Rotterdam", "Berlin", "Hamburg", "Munich",
    "Vienna", "Zurich", "Geneva", "Copenhagen", "Stockholm", "Oslo", "Helsinki", "Lisbon", "Madrid", "Barcelona",
    "Valencia", "Milan", "Turin", "Bologna", "Prague", "Krakow", "Budapest", "Athens", "Sydney", "Melbourne",
    "Auckland", "Portland", "Minneapolis", "Pittsburgh", "Philadelphia", "Atlanta", "Nashville", "San Diego",
    "Sacramento", "Phoenix", "Raleigh",
)  # fmt: skip

# relation -> the gender it implies ("any" fits both)
RELATIONS: dict[str, str] = {
    "sister": "female", "mother": "female", "aunt": "female", "niece": "female", "sister-in-law": "female",
    "brother": "male", "father": "male", "uncle": "male", "nephew": "male", "brother-in-law": "male",
    "cousin": "any", "friend": "any", "colleague": "any", "neighbour": "any", "roommate": "any",
    "old classmate": "any", "manager": "any", "best friend": "any", "teammate": "any", "friend from college": "any",
}  # fmt: skip

PRONOUNS: dict[str, tuple[str, str, str]] = {"female": ("she", "her", "her"), "male": ("he", "him", "his")}


def first_name(fake: Faker, gender: str, taken: set[str]) -> str:
    """A first name of the gender not in `taken` (added to it)."""
    for _ in range(200):
        name = fake.first_name_female() if gender == "female" else fake.first_name_male()
        if name not in taken and " " not in name:
            taken.add(name)
            return name
    raise RuntimeError(f"could not draw an unused {gender} first name")


def org_name(fake: Faker, taken: set[str]) -> str:
    """A company name without commas (they break sentences), not in `taken` (added to it)."""
    for _ in range(200):
        name = fake.company()
        if "," not in name and name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("could not draw an unused company name")


def cities(rng: random.Random, fake: Faker, n: int) -> list[str]:
    """`n` distinct city names: real ones while they last, then Faker's."""
    chosen = rng.sample(CITIES, min(n, len(CITIES)))
    taken = set(chosen)
    while len(chosen) < n:
        name = fake.city()
        if name not in taken:
            taken.add(name)
            chosen.append(name)
    return chosen


def relation_for(rng: random.Random, gender: str, used: set[str]) -> str:
    """A relation fitting the gender that this speaker does not have yet (so "my sister" is unambiguous)."""
    options = [r for r, g in RELATIONS.items() if g in (gender, "any") and r not in used]
    if not options:
        raise RuntimeError(f"no unused relation left for a {gender} person")
    relation = rng.choice(options)
    used.add(relation)
    return relation


PET_NAMES: tuple[str, ...] = (
    "Biscuit", "Luna", "Milo", "Pepper", "Mochi", "Olive", "Toby", "Nala", "Ziggy", "Maple", "Hazel", "Bruno",
    "Pickles", "Juniper", "Waffles", "Cleo", "Rocket", "Poppy", "Otis", "Pumpkin",
)  # fmt: skip

CARS: tuple[str, ...] = (
    "Honda", "Volvo", "Fiat", "Subaru", "Toyota", "Mini", "VW Golf", "Mazda", "Ford Focus", "Skoda",
)  # fmt: skip

PETS: tuple[str, ...] = ("dog", "cat", "puppy", "kitten")

# a new partner's relation to the person dating them, by the partner's gender
PARTNERS: dict[str, str] = {"female": "girlfriend", "male": "boyfriend"}
