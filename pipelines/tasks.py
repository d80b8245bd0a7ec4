"""What one shard of each stage computes: plain functions of picklable inputs, so an engine may run them anywhere.

Every task is called as `task(clients, failed, *args)` and returns the shard's records; items it had to keep aside
go to `failed`. `clients` are the build's provider clients by name (the engine supplies them: the build's own in
this process, or ones a Ray worker opened on the same run folder).
"""

from __future__ import annotations

import asyncio

import generators
import judges
from generators.retrieve import dialogue_embeddings
from providers.base import ProviderError
from providers.batching import BatchPending
from providers.budget import BudgetExceeded
from providers.client import Client
from schemas import BuildConfig, Example, Failure, GeneratedDialogue, Judgment, SoftLabel, TextEmbeddings
from scoring.embedding import reusing


def generate(
    clients: dict[str, Client], failed: list[Failure], config: BuildConfig, bounds: tuple[int, int]
) -> list[GeneratedDialogue]:
    """Dialogues `bounds[0]`..`bounds[1] - 1`, by the template or through a model."""
    if config.generate.realizer == "template":
        return [generators.generate_dialogue(config, k) for k in range(*bounds)]
    provider = clients[config.generate.realizer_provider]

    async def one(k: int) -> GeneratedDialogue | None:
        try:
            return await generators.generate_dialogue_llm(config, k, provider)
        except generators.RealizationError as exc:
            failed.append(Failure(stage="generate", item=f"dlg-{k:05d}", error=str(exc), raw=exc.raw,
                                  attempts=exc.attempts))  # fmt: skip
            return None
        except (BudgetExceeded, BatchPending):
            raise
        except ProviderError as exc:  # a call that exhausted its retries: kept aside, retried by the next run
            failed.append(Failure(stage="generate", item=f"dlg-{k:05d}", error=f"{type(exc).__name__}: {exc}"))
            return None

    async def shard() -> list[GeneratedDialogue | None]:
        try:
            return await asyncio.gather(*(one(k) for k in range(*bounds)))
        finally:
            await provider.aclose()

    return [g for g in asyncio.run(shard()) if g is not None]


def embed(
    clients: dict[str, Client], failed: list[Failure], config: BuildConfig, generated: list[GeneratedDialogue]
) -> list[TextEmbeddings]:
    """Each dialogue's memories encoded once, for the embedding retriever and the embedding teacher to read back."""
    return [dialogue_embeddings(g.dialogue) for g in generated]


def candidates(
    clients: dict[str, Client],
    failed: list[Failure],
    config: BuildConfig,
    generated: list[GeneratedDialogue],
    dropped: frozenset[str],
    embedded: list[TextEmbeddings] | None = None,
) -> list[Example]:
    """Each query's candidate pool, leaving out the queries in `dropped` (near-duplicates, contaminated); the
    memories in `embedded` are not encoded again."""
    with reusing(embedded or []):
        made = [e for g in generated for e in generators.build_candidates(g, config)]
    return [e for e in made if e.query.query_id not in dropped]


def judge(
    clients: dict[str, Client],
    failed: list[Failure],
    config: BuildConfig,
    examples: list[Example],
    embedded: list[TextEmbeddings] | None = None,
) -> list[Judgment]:
    """Every teacher's judgments of the shard's examples; the memories in `embedded` are not encoded again."""
    kinds = {name: p.kind for name, p in config.providers.items()}
    with reusing(embedded or []):
        return judges.judge(
            examples, config.judge, config.seed, open_provider=clients.__getitem__, provider_kinds=kinds, failed=failed
        )


def aggregate(
    clients: dict[str, Client],
    failed: list[Failure],
    config: BuildConfig,
    examples: list[Example],
    judgments: list[Judgment],
    calibration: judges.Calibration,
) -> list[SoftLabel]:
    return judges.aggregate(
        examples, judgments, config.judge, config.aggregate, calibration=calibration, seed=config.seed
    )
