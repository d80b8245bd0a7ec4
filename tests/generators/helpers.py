"""Shared helpers for the generators tests: configs, and the gold of a query recomputed from the world's JSON."""

from __future__ import annotations

import os
import subprocess
import sys

from generators.life import CATEGORY
from schemas import BuildConfig, GeneratedDialogue


def make_config(**generate) -> BuildConfig:
    """The test config: seed 13, the given `generate` settings, BM25 as the only retriever (no model to load)."""
    return BuildConfig.model_validate({"seed": 13, "generate": generate, "candidates": {"retrievers": ["bm25"]}})


def digests_across_hash_seeds(code: str, text: str, seeds: tuple[str, ...] = ("1", "2", "3")) -> set[str]:
    """The sha256 of `text` (an expression over what `code` made) in a fresh process per PYTHONHASHSEED: one digest
    when nothing follows the process's string hashing."""
    program = f"import hashlib\n{code}\nprint(hashlib.sha256(({text}).encode()).hexdigest())"
    run = [sys.executable, "-c", program]
    return {
        subprocess.run(run, env={**os.environ, "PYTHONHASHSEED": s}, capture_output=True, text=True, check=True).stdout
        for s in seeds
    }


def _valid(fact: dict, at: str) -> bool:
    return fact["valid_from"] <= at and (fact["valid_to"] is None or at < fact["valid_to"])


def answering_ids(generated: GeneratedDialogue, query_id: str) -> set[str]:
    """What answers a query, recomputed from the world (not from the plan's `answers`)."""
    world = generated.world
    about = world["query_plans"][query_id]["about"]
    ask = about["ask"]
    facts = {f["id"]: f for f in world["facts"]}
    events = {e["id"]: e for e in world["events"]}

    def state(subject: str, predicate: str, at: str) -> set[str]:
        return {
            f["id"] for f in facts.values() if (f["subject"], f["predicate"]) == (subject, predicate) and _valid(f, at)
        }

    if ask == "state":
        return state(about["subject"], about["predicate"], about["at"])
    if ask == "when":
        return {about["event"]}
    if ask == "cause":
        return {link["cause"] for link in world["links"] if link["effect"] == about["effect"]}
    if ask == "effects":
        return {link["effect"] for link in world["links"] if link["cause"] == about["cause"]}
    if ask == "duration":
        fact = facts[about["fact"]]
        lines = [s for s in world["storylines"] if s["old_fact"] == fact["id"]]
        enders = {e for s in lines for e in (s["change"], s["cause"]) if e}
        return {fact["id"]} | {e for e in enders if events[e]["date"] == fact["valid_to"]}
    if ask == "office":
        jobs = {f["id"] for f in facts.values() if f["subject"] == about["subject"] and f["object"] == about["org"]}
        return jobs | {f["id"] for f in facts.values() if f["subject"] == about["org"] and f["predicate"] == "based_in"}
    if ask == "state_at_event":
        event = events[about["event"]]
        return {event["id"]} | state(about["subject"], about["predicate"], event["date"])
    if ask == "ended":
        return {s["change"] for s in world["storylines"] if s["old_fact"] == about["fact"] and not s["new_fact"]}
    if ask == "none":
        return set()
    told = {i for session in generated.dialogue.sessions for turn in session.turns for i in turn.expresses}
    if ask == "main":
        return {about["event"]}
    if ask in ("more", "feeling"):
        return {about["event"], f"{about['event']}#{ask}"}
    if ask == "swap":
        return {about["event"]} | ({f"{about['event']}#feeling"} & told)
    if ask == "in_month":
        return {
            e["id"]
            for e in events.values()
            if e["subject"] == about["subject"]
            and e["kind"] in CATEGORY
            and e["kind"] != "favourite"
            and e["date"][:7] == about["month"][:7]
            and e["id"] in told
        }
    if ask == "list":
        subjects = set(world["speakers"]) if about["subject"] == "both" else {about["subject"]}
        return {
            e["id"]
            for e in events.values()
            if e["subject"] in subjects
            and CATEGORY.get(e["kind"]) == about["category"]
            and e["kind"] != "practised"
            and e["id"] in told
        }
    raise AssertionError(f"unknown ask {ask!r} in the plan of {query_id}")


def expressed(generated: GeneratedDialogue) -> dict[str, set[str]]:
    """Turn id -> the scenario ids it expresses."""
    return {t.turn_id: set(t.expresses) for s in generated.dialogue.sessions for t in s.turns}
