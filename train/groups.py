"""Training examples from dataset rows: weighted mixing, pointwise examples (BCE) and InfoNCE groups, and their
collators (tokenize on the fly; targets travel under names the Trainer does not treat as `labels`)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import torch

from schemas import DatasetRow, RowCandidate, origin_kind
from schemas.seeds import derive_seed
from scoring.rerankers import Student
from train.data import case_triples, row_to_case


def seeded_rng(*parts: object) -> random.Random:
    """A Random seeded from the parts through sha256 (never Python's salted `hash`)."""
    return random.Random(derive_seed(*parts))


def weighted(rows: Sequence[DatasetRow], weight: float, seed: int, name: str) -> list[DatasetRow]:
    """`floor(weight)` copies of the rows plus a seeded sample of `frac(weight)` of them, in a stable order."""
    whole = int(weight)
    out = [r for _ in range(whole) for r in rows]
    extra = round((weight - whole) * len(rows))
    if extra:
        out += seeded_rng("mix", seed, name).sample(list(rows), extra)
    return out


def binary_targets(rows: Sequence[DatasetRow]) -> list[DatasetRow]:
    """The rows with each candidate's label replaced by its binary gold (a config's `target = "gold"`): the binary
    student that graded labels are compared with."""
    return relabeled(rows, lambda c: float(c.gold))


def relabeled(rows: Sequence[DatasetRow], label_of: Callable[[RowCandidate], float]) -> list[DatasetRow]:
    """Copies of the rows with each candidate's label replaced by `label_of(candidate)`; the input is left as it was."""
    return [
        row.model_copy(update={"candidates": [c.model_copy(update={"label": label_of(c)}) for c in row.candidates]})
        for row in rows
    ]


def sharpened(label: float, sharpness: float) -> float:
    """sigmoid(sharpness * logit(label)); 0, 0.5 and 1 stay where they are."""
    if label <= 0.0 or label >= 1.0:
        return label
    z = sharpness * (math.log(label) - math.log1p(-label))
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))  # no overflow at any z


def label_targets(rows: Sequence[DatasetRow], sharpness: float = 1.0, gold_weight: float = 0.0) -> list[DatasetRow]:
    """The rows with each candidate's label replaced by what a `target = "label"` student fits:
    `gold_weight * gold + (1 - gold_weight) * sharpened(label, sharpness)`.

    Sharpness widens the gaps between grades in logit space and keeps their order (labels .25 / .5 / .75 at sharpness 3:
    .036 / .5 / .964). The gold weight is distillation's hard-label term (Hinton et al. 2015: a weighted sum of the
    loss on the hard labels and the loss on the teacher's soft ones); BCE is linear in its target, so that sum is BCE on
    this mix. At .5 the evidence fits ~.98 and every other candidate at most .5 x its label, in the labels' order: a
    gap at the evidence boundary binary gold would give, the grades below it kept. Either way the calibration after
    training (a scale and an offset on the logit, fitted to the unchanged labels of another split) maps the scores
    back to expected grade / 4. Every stage that reads `main` fits these, InfoNCE's soft targets included."""
    return relabeled(rows, lambda c: gold_weight * c.gold + (1.0 - gold_weight) * sharpened(c.label, sharpness))


DIALOGUE_ORIGIN = "dialogue:other_query"


def with_dialogue_negatives(rows: Sequence[DatasetRow], k: int, seed: int) -> list[DatasetRow]:
    """Each row with up to `k` more negatives, label 0: candidates of other queries on the same dialogue, their
    evidence first.

    A row's pool holds only its own evidence and look-alikes of it; a reranker in a real memory system ranks every
    turn the first stage lets through. Trained on pools alone, a student learns what evidence looks like (a dated
    event, a move, a new job) more than whether it answers this query, and on a whole dialogue it puts any
    evidence-like turn on top. Other queries' evidence is the cure. Every turn expressing a query's answer is among
    its gold candidates, so a turn outside its pool is no answer to it. Seeded per query.
    """
    if k <= 0:
        return list(rows)
    pools: dict[str, dict[str, RowCandidate]] = {}
    evidence: set[tuple[str, str]] = set()  # (dialogue, memory) that answers some query
    for row in rows:
        pool = pools.setdefault(row.dialogue_id, {})
        for c in row.candidates:
            pool.setdefault(c.memory_id, c)
            if c.gold:
                evidence.add((row.dialogue_id, c.memory_id))
    out = []
    for row in rows:
        own = {c.memory_id for c in row.candidates}
        rng = seeded_rng("dialogue-negatives", seed, row.query_id)
        others = [(mid, c) for mid, c in sorted(pools[row.dialogue_id].items()) if mid not in own]
        # other queries' evidence first: turns that look like answers, so the student must match them to the query
        first = [c for mid, c in others if (row.dialogue_id, mid) in evidence]
        rest = [c for mid, c in others if (row.dialogue_id, mid) not in evidence]
        chosen = rng.sample(first, min(k, len(first)))
        chosen += rng.sample(rest, min(k - len(chosen), len(rest)))
        extra = [c.model_copy(update={"gold": 0, "label": 0.0, "tier": 0, "origin": DIALOGUE_ORIGIN}) for c in chosen]
        out.append(row.model_copy(update={"candidates": [*row.candidates, *extra]}))
    return out


def pointwise_examples(rows: Sequence[DatasetRow]) -> list[dict[str, Any]]:
    """One example per (query, candidate): instruction, query side, document, soft label."""
    out = []
    for row in rows:
        for (instruction, query, document), cand in zip(case_triples(row_to_case(row)), row.candidates, strict=True):
            out.append({"instruction": instruction, "query": query, "document": document, "label": cand.label})
    return out


def _hardness(origin: str, label: float) -> tuple[int, float]:
    """Sort key for negatives: constructed ones first (made to be confusable), then the teachers' label, high first."""
    return (0 if origin_kind(origin) == "constructed" else 1, -label)


def infonce_groups(
    rows: Sequence[DatasetRow], negatives: int, min_positive_label: float = 0.5, max_negative_label: float = 0.5
) -> list[dict[str, Any]]:
    """One group per positive: the positive first, then up to `negatives` hard negatives of the same row, then its
    easy negatives from the dialogue (`with_dialogue_negatives`), if it has any.

    A positive is a gold candidate the teachers agree with (label >= min_positive_label); a negative is a non-gold
    candidate they do not rate as relevant (label <= max_negative_label), constructed hard negatives preferred,
    then the highest-labelled. Rows without a positive or a negative give no group.
    """
    groups = []
    for row in rows:
        triples = case_triples(row_to_case(row))
        members = list(zip(triples, row.candidates, strict=True))
        pos = [(t, c) for t, c in members if c.gold == 1 and c.label >= min_positive_label]
        neg = [(t, c) for t, c in members if c.gold == 0 and c.label <= max_negative_label]
        easy = [(t, c) for t, c in neg if c.origin == DIALOGUE_ORIGIN]
        hard = [(t, c) for t, c in neg if c.origin != DIALOGUE_ORIGIN]
        neg = sorted(hard, key=lambda m: _hardness(m[1].origin, m[1].label))[:negatives] + easy
        if not neg:
            continue
        for triple, cand in pos:
            chosen = [(triple, cand), *neg]
            groups.append(
                {
                    "instruction": triple[0],
                    "query": triple[1],
                    "documents": [t[2] for t, _ in chosen],
                    "labels": [c.label for _, c in chosen],
                }
            )
    return groups


Collator = Callable[[list[dict[str, Any]]], dict[str, torch.Tensor]]


def tokenized(student: Student, examples: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each example with its token ids (`features`: one per document of a group, else one), tokenized in one go."""
    grouped = "documents" in examples[0] if examples else False
    docs = [e["documents"] if grouped else [e["document"]] for e in examples]
    flat = student.tokenize(
        [(e["instruction"], e["query"], d) for e, ds in zip(examples, docs, strict=True) for d in ds]
    )
    out, start = [], 0
    for e, ds in zip(examples, docs, strict=True):
        out.append({**e, "features": flat[start : start + len(ds)]})
        start += len(ds)
    return out


def unit_lengths(examples: Sequence[dict[str, Any]]) -> list[list[int]]:
    """Token counts of each tokenized example's members (the batching units)."""
    return [[len(f["input_ids"]) for f in e["features"]] for e in examples]


def _units(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The examples of a Trainer batch: either the examples themselves, or a prepared token-budget batch."""
    return [u for f in features for u in f["batch"]] if "batch" in features[0] else features


def pointwise_collator(student: Student, pack: bool = False) -> Collator:
    def collate(features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        units = _units(features)
        batch = student.collate([u["features"][0] for u in units], pack=pack)
        batch["soft_labels"] = torch.tensor([u["label"] for u in units], dtype=torch.float32)
        return batch

    return collate


def group_collator(student: Student, pack: bool = False) -> Collator:
    """Flatten the groups into one batch of sequences; `group_mask` [groups, G] marks the real members row-major."""

    def collate(features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        units = _units(features)
        width = max(len(u["features"]) for u in units)
        batch = student.collate([f for u in units for f in u["features"]], pack=pack)
        mask = torch.zeros(len(units), width, dtype=torch.bool)
        labels = torch.zeros(len(units), width, dtype=torch.float32)
        for i, u in enumerate(units):
            mask[i, : len(u["features"])] = True
            labels[i, : len(u["labels"])] = torch.tensor(u["labels"], dtype=torch.float32)
        batch["group_mask"] = mask
        batch["group_labels"] = labels
        return batch

    return collate
