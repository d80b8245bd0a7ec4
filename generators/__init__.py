"""Scenario worlds, dialogue realizers, query writers per skill, and hard negatives.

The pipeline calls exactly two functions:

- `generate_dialogue(config, index)`: a scenario world drawn from a seed derived from `(config.seed, index)`,
  realized as a multi-session dialogue, with `config.generate.queries_per_skill` queries for every configured
  skill. The world's JSON (plus `query_plans`: per query id, the fact/event ids that answer it and the ones that
  make hard negatives) rides along in `GeneratedDialogue.world`.
- `build_candidates(generated, config)`: per query, the gold evidence plus constructed and BM25-retrieved
  negatives, as `schemas.Example`s.

Both are deterministic: the same config and index give the same bytes.
"""

from __future__ import annotations

import random

from generators.candidates import build_examples
from generators.queries import write_queries
from generators.realize import realize
from generators.seeds import derive_seed
from generators.skills import get_writer
from generators.world import build_world
from schemas import BuildConfig, Example, GeneratedDialogue


def dialogue_seed(seed: int, index: int) -> int:
    return derive_seed("dialogue", seed, index)


def generate_dialogue(config: BuildConfig, index: int) -> GeneratedDialogue:
    """Dialogue `dlg-<index>` with its queries and the world it came from."""
    settings = config.generate
    skills = list(dict.fromkeys(settings.skills))
    for skill in skills:
        get_writer(skill)  # an unknown skill fails here, naming it
    if settings.realizer != "template":
        raise ValueError(f"generate.realizer: no realizer {settings.realizer!r} (known: template)")
    seed = dialogue_seed(config.seed, index)
    per_skill = settings.queries_per_skill
    world = build_world(
        derive_seed(seed, "world"),
        settings.locale,
        settings.sessions,
        storylines=max(3, per_skill),
        people=max(4, per_skill),
    )
    dialogue = realize(world, f"dlg-{index:05d}", settings.sessions, random.Random(derive_seed(seed, "realize")))
    queries, plans = write_queries(world, dialogue, skills, per_skill, derive_seed(seed, "queries"))
    return GeneratedDialogue(dialogue=dialogue, queries=queries, world={**world.to_dict(), "query_plans": plans})


def build_candidates(generated: GeneratedDialogue, config: BuildConfig) -> list[Example]:
    """One example per query of the dialogue, its candidates deterministic from `config.seed` and the dialogue id."""
    return build_examples(generated, config)


__all__ = ["build_candidates", "generate_dialogue"]
