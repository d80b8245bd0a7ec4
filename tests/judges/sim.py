"""Simulated queries and teachers for the aggregation and audit tests (no model, no scenario world).

Every candidate has a latent usefulness grade: evidence 3, constructed hard negative 1, retrieved negative 0; the
null anchor sits at 2 (between helps and does not help). Teachers see the grade through noise:
- `scenario`: pairwise from the grades, null pairs included (reads the world, like the scenario teacher);
- `similar`: pointwise similarity that likes evidence and, almost as much, hard negatives; no null pairs;
- `lexical`: pointwise, prefers the retrieved negatives it chose itself (anti-correlated with gold); no null;
- `biased`: pairwise from the grades plus a strong preference for whatever is shown first, null included.
"""

from __future__ import annotations

import itertools
from datetime import datetime

import numpy as np

from judges.anchor import NULL_ID
from judges.pooling import sigmoid
from schemas import Candidate, Example, Judgment, Memory, Query

# the simulated panel's skills (a fixed set: the sim's figures do not move when a skill is added)
SKILLS = ("temporal", "causal", "coreference", "multi_hop", "knowledge_update", "unanswerable")

NULL_GRADE = 2.0


def grade(c: Candidate) -> float:
    if c.gold:
        return 3.0
    return 1.0 if c.origin.startswith("constructed") else 0.0


def examples(n_dialogues: int, seed: int, queries_per_skill: int = 2) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    for d in range(n_dialogues):
        for skill in SKILLS:
            for k in range(queries_per_skill):
                qid = f"d{d}_{skill}_{k}"
                n_gold = 0 if skill == "unanswerable" else 2 if skill == "multi_hop" else 1
                n_constructed = int(rng.integers(2, 4))
                origins = ["evidence"] * n_gold
                origins += [f"constructed:{r}" for r in rng.choice(["superseded", "wrong_referent"], n_constructed)]
                origins += [f"retrieved:{r}" for r in rng.choice(["bm25", "embedding"], 3)]
                order = rng.permutation(len(origins))
                candidates = [
                    Candidate(
                        memory=Memory(memory_id=f"{qid}_m{i}", speaker="Anna", text=f"memory {i} of {qid}"),
                        gold=1 if origins[i] == "evidence" else 0,
                        origin=str(origins[i]),
                    )
                    for i in order
                ]
                query = Query(
                    query_id=qid,
                    dialogue_id=f"d{d}",
                    skill=skill,
                    instruction="Judge whether the memory helps answer the question",
                    text=f"question {qid}",
                    query_time=datetime(2023, 7, 1),
                    answer="-",
                    evidence=[c.memory.memory_id for c in candidates if c.gold],
                )
                out.append(Example(query=query, candidates=candidates))
    return out


def _pairs(ex: Example, null: bool) -> list[tuple[str, str]]:
    ids = [c.memory.memory_id for c in ex.candidates] + ([NULL_ID] if null else [])
    return [p for a, b in itertools.combinations(ids, 2) for p in ((a, b), (b, a))]


def pairwise_teacher(
    name: str, exs: list[Example], seed: int, sharpness: float = 1.5, noise: float = 0.5, first_bias: float = 0.0
) -> list[Judgment]:
    rng = np.random.default_rng(seed)
    out = []
    for ex in exs:
        g = {c.memory.memory_id: grade(c) for c in ex.candidates} | {NULL_ID: NULL_GRADE}
        for a, b in _pairs(ex, null=True):
            p = sigmoid(sharpness * (g[a] - g[b]) + first_bias + rng.normal(0, noise))
            out.append(Judgment(teacher=name, query_id=ex.query.query_id, first=a, second=b, p_first=float(p)))
    return out


def pointwise_teacher(
    name: str, exs: list[Example], seed: int, means: dict[str, float], noise: float
) -> list[Judgment]:
    """Scores `means[origin kind or full origin] + noise`, z-scored per query, p = sigmoid(z_a - z_b)."""
    rng = np.random.default_rng(seed)
    out = []
    for ex in exs:
        s = {}
        for c in ex.candidates:
            s[c.memory.memory_id] = means.get(c.origin, means.get(c.origin.split(":")[0], 0.0)) + rng.normal(0, noise)
        values = np.array(list(s.values()))
        z = {k: (v - values.mean()) / (values.std() or 1.0) for k, v in s.items()}
        for a, b in _pairs(ex, null=False):
            out.append(
                Judgment(
                    teacher=name, query_id=ex.query.query_id, first=a, second=b, p_first=float(sigmoid(z[a] - z[b]))
                )
            )
    return out


def similar(exs: list[Example], seed: int) -> list[Judgment]:
    return pointwise_teacher("similar", exs, seed, {"evidence": 1.0, "constructed": 0.8, "retrieved": 0.3}, 0.35)


def lexical(exs: list[Example], seed: int) -> list[Judgment]:
    return pointwise_teacher("lexical", exs, seed, {"evidence": 0.4, "constructed": 0.3, "retrieved:bm25": 1.2}, 0.3)
