"""Shared helpers for the generators tests."""

from __future__ import annotations

from schemas import BuildConfig, GeneratedDialogue


def make_config(**generate) -> BuildConfig:
    return BuildConfig.model_validate({"seed": 13, "generate": generate})


def answering_ids(generated: GeneratedDialogue, query_id: str) -> set[str]:
    """What answers a query, recomputed from the world (not from the plan's `answers`)."""
    world = generated.world
    about = world["query_plans"][query_id]["about"]
    if "effect" in about:
        return {link["cause"] for link in world["links"] if link["effect"] == about["effect"]}
    at = about["at"]
    return {
        f["id"]
        for f in world["facts"]
        if f["subject"] == about["subject"]
        and f["predicate"] == about["predicate"]
        and f["valid_from"] <= at
        and (f["valid_to"] is None or at < f["valid_to"])
    }
