"""Checks over generated data: near-duplicate queries to drop, and diversity figures for the manifest.

Both are pure and deterministic (no salted `hash()`, no set iteration order in the results).
"""

from __future__ import annotations

import calendar
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from schemas import Example, GeneratedDialogue, Query
from scoring.text import words

PRONOUNS = frozenset(("he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs"))
MONTHS = frozenset(name.lower() for name in calendar.month_name if name)


def _shingles(query: Query) -> frozenset[str]:
    """Word 1- and 2-grams of the query's context (speaker and text) and question, lower-cased."""
    seq = [w for c in query.context for w in (*words(c.speaker), *words(c.text))] + words(query.text)
    return frozenset(seq) | frozenset(f"{a} {b}" for a, b in itertools.pairwise(seq))


def near_duplicates(queries: list[Query], threshold: float = 0.9, across_dialogues: bool = False) -> list[str]:
    """Ids of queries to drop, in input order: those whose word 1+2-gram Jaccard similarity (context and question)
    with an earlier kept query is at least `threshold`. The first of a group is kept.

    By default only queries on the same dialogue are compared: the same question about another dialogue asks
    about other memories, so it is another example. Exact: a prefix filter on rare n-grams finds every pair
    above the threshold without comparing all pairs.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"near_duplicates: threshold must be in (0, 1], got {threshold}")
    sets = [_shingles(q) for q in queries]
    df = Counter(s for shingles in sets for s in shingles)
    index: dict[tuple[str, str], list[int]] = defaultdict(list)  # (scope, shingle) -> kept queries
    dropped: list[str] = []
    for k, (query, shingles) in enumerate(zip(queries, sets, strict=True)):
        scope = "" if across_dialogues else query.dialogue_id
        ordered = sorted(shingles, key=lambda s: (df[s], s))  # rarest first
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1]
        seen: set[int] = set()
        duplicate = False
        for s in prefix:
            for j in index.get((scope, s), ()):
                if j in seen:
                    continue
                seen.add(j)
                other = sets[j]
                if len(shingles & other) >= threshold * len(shingles | other) - 1e-9:
                    duplicate = True
                    break
            if duplicate:
                break
        if duplicate:
            dropped.append(query.query_id)
            continue
        for s in prefix:
            index[(scope, s)].append(k)
    return dropped


def distinct_n(texts: Iterable[str], n: int) -> float:
    """Distinct word n-grams over all n-grams of the texts (n-grams do not cross texts); 0 when there are none."""
    grams: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        seq = words(text)
        grams.update(tuple(seq[i : i + n]) for i in range(len(seq) - n + 1))
    total = sum(grams.values())
    return round(len(grams) / total, 4) if total else 0.0


def _masks(world: dict[str, Any]) -> dict[str, list[str]]:
    """What `template_of` masks for a world: the names of its entities (any list of records with a `name`:
    people, places, organisations, things) and people's relations."""
    names: set[str] = set()
    relations: set[str] = set()
    for group in world.values():
        for entity in group if isinstance(group, list) else ():
            if isinstance(entity, dict):
                names.update(n for n in (entity.get("name"), entity.get("surname")) if isinstance(n, str) and n)
                if isinstance(entity.get("relation"), str):
                    relations.add(entity["relation"])
    return {"<name>": sorted(names), "<rel>": sorted(relations)}


def template_of(text: str, masks: dict[str, list[str]]) -> str:
    """The phrasing of a text: each listed string (any case) -> its mask (e.g. `{"<name>": ["Anna", "Porto"]}`), then
    pronouns -> `<pron>`, months -> `<month>`, numbers -> `<num>`; lower-cased words and punctuation, one space
    apart."""
    for mask, strings in masks.items():
        if strings:
            ordered = sorted(strings, key=lambda x: (-len(x), x))  # longest first: "Anna Lee" before "Anna"
            pattern = "|".join(rf"\b{re.escape(x)}\b" for x in ordered)
            text = re.sub(pattern, f" {mask} ", text, flags=re.IGNORECASE)
    out = []
    for w in re.findall(r"<\w+>|\w+|[^\w\s]", text.lower()):
        if w in PRONOUNS:
            w = "<pron>"
        elif w in MONTHS:
            w = "<month>"
        elif w.isdigit():
            w = "<num>"
        out.append(w)
    return " ".join(out)


def _spread(values: list[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "min": 0, "max": 0}
    return {"mean": round(sum(values) / len(values), 2), "min": min(values), "max": max(values)}


def diversity(generated: list[GeneratedDialogue], examples: list[Example] | None = None) -> dict[str, Any]:
    """Diversity figures: distinct-1/2/3 of turn and query texts, query phrasings (names, relations, pronouns,
    months and numbers masked) overall and per skill, skill mix, queries with context, turns and sessions per
    dialogue, and with `examples` the candidate origins and candidates per query. JSON-serialisable."""
    turns = [t.text for g in generated for s in g.dialogue.sessions for t in s.turns]
    queries = [q for g in generated for q in g.queries]
    templates: dict[str, set[str]] = defaultdict(set)
    for g in generated:
        masks = _masks(g.world)
        for q in g.queries:
            templates[q.skill].add(template_of(q.text, masks))
    figures: dict[str, Any] = {
        "dialogues": len(generated),
        "queries": len(queries),
        "turn_distinct": {f"distinct_{n}": distinct_n(turns, n) for n in (1, 2, 3)},
        "query_distinct": {f"distinct_{n}": distinct_n([q.text for q in queries], n) for n in (1, 2, 3)},
        "query_phrasings": len(set().union(*templates.values())) if templates else 0,
        "query_phrasings_per_skill": {skill: len(t) for skill, t in sorted(templates.items())},
        "skill_mix": dict(sorted(Counter(q.skill for q in queries).items())),
        "queries_with_context": dict(sorted(Counter(q.skill for q in queries if q.context).items())),
        "turns_per_dialogue": _spread([sum(len(s.turns) for s in g.dialogue.sessions) for g in generated]),
        "sessions_per_dialogue": _spread([len(g.dialogue.sessions) for g in generated]),
    }
    if examples is not None:
        origins = Counter(c.origin for e in examples for c in e.candidates)
        figures["candidate_origins"] = dict(sorted(origins.items()))
        figures["candidates_per_query"] = _spread([len(e.candidates) for e in examples])
    return figures
