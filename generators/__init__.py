"""Scenario worlds, dialogue realizers, query writers per skill, and hard negatives.

The pipeline calls:

- `generate_dialogue(config, index)`: a scenario world drawn from a seed derived from `(config.seed, index)`,
  realized as a multi-session dialogue, with `config.generate.queries_per_skill` queries for every configured
  skill. The world's JSON (plus `query_plans`: per query id, the fact/event ids that answer it and the ones that
  make hard negatives) rides along in `GeneratedDialogue.world`.
- `generate_dialogue_llm(config, index, provider)`: the same scenario, its template script rewritten by a model
  (`generate.realizer = "llm"`), checked against the scenario; `RealizationError` when it cannot be made faithful.
- `build_candidates(generated, config)`: per query, the gold evidence plus constructed and BM25-retrieved
  negatives, as `schemas.Example`s.

The template path is deterministic: the same config and index give the same bytes. The model path is as
deterministic as its provider (a response cache makes a re-run repeat itself).
"""

from __future__ import annotations

import random

from generators.candidates import build_examples
from generators.queries import write_queries
from generators.realize import realize, smalltalk
from generators.realize.llm import RealizationError, realize_llm
from generators.skills import get_writer
from generators.world import World, build_world
from providers.base import Provider
from schemas import BuildConfig, Dialogue, Example, GeneratedDialogue
from schemas.seeds import derive_seed


def dialogue_seed(seed: int, index: int) -> int:
    return derive_seed("dialogue", seed, index)


def _scripted(config: BuildConfig, index: int) -> tuple[int, World, Dialogue]:
    """The scenario world of dialogue `index` and its template realization."""
    settings = config.generate
    for skill in dict.fromkeys(settings.skills):
        get_writer(skill)  # an unknown skill fails here, naming it
    seed = dialogue_seed(config.seed, index)
    per_skill = settings.queries_per_skill
    world = build_world(
        derive_seed(seed, "world"),
        settings.locale,
        settings.sessions,
        storylines=max(3, per_skill),
        people=max(4, per_skill),
        episodes=settings.episodes,
    )
    filler = (
        smalltalk.take(config.seed, index, settings.filler_exchanges * settings.sessions)
        if settings.filler == "chitchat"
        else None
    )
    dialogue = realize(
        world,
        f"dlg-{index:05d}",
        settings.sessions,
        random.Random(derive_seed(seed, "realize")),
        filler,
        settings.filler_exchanges,
        settings.recalls,
    )
    return seed, world, dialogue


def _with_queries(config: BuildConfig, seed: int, world: World, dialogue: Dialogue) -> GeneratedDialogue:
    skills = list(dict.fromkeys(config.generate.skills))
    queries, plans = write_queries(
        world, dialogue, skills, config.generate.queries_per_skill, derive_seed(seed, "queries")
    )
    return GeneratedDialogue(dialogue=dialogue, queries=queries, world={**world.to_dict(), "query_plans": plans})


def generate_dialogue(config: BuildConfig, index: int) -> GeneratedDialogue:
    """Dialogue `dlg-<index>` from the template realizer, with its queries and the world it came from."""
    if config.generate.realizer != "template":
        raise ValueError(f"generate.realizer is {config.generate.realizer!r}: use generate_dialogue_llm")
    return _with_queries(config, *_scripted(config, index))


async def generate_dialogue_llm(config: BuildConfig, index: int, provider: Provider) -> GeneratedDialogue:
    """Dialogue `dlg-<index>` rewritten by a model from its template script (see `generators.realize.llm`).

    Queries are written over the rewritten turns, so their evidence is what the model said. Raises
    `RealizationError` when the model keeps dropping or changing a fact.
    """
    seed, world, scripted = _scripted(config, index)
    dialogue = await realize_llm(provider, world, scripted, config.generate.realizer_attempts)
    return _with_queries(config, seed, world, dialogue)


def build_candidates(generated: GeneratedDialogue, config: BuildConfig) -> list[Example]:
    """One example per query of the dialogue, its candidates deterministic from `config.seed` and the dialogue id."""
    return build_examples(generated, config)


__all__ = ["RealizationError", "build_candidates", "generate_dialogue", "generate_dialogue_llm"]
