"""The aggregate stage: pool every teacher's judgments of a query, fit Bradley-Terry, map strengths to labels."""

from __future__ import annotations

from collections import Counter

from judges.audit import teacher_agreement
from judges.bradley_terry import fit
from judges.judging import check_unique_queries
from judges.labels import tier, win_rate_labels
from schemas import AggregateConfig, Example, JudgeConfig, Judgment, SoftLabel


def aggregate(
    examples: list[Example], judgments: list[Judgment], judge_config: JudgeConfig, config: AggregateConfig
) -> list[SoftLabel]:
    """One soft label per (query, candidate), in example then candidate order.

    Each judgment is an outcome weighted by its teacher's `weight`; the two orders of a pair are separate outcomes.
    """
    check_unique_queries(examples)
    weights = {t.name: t.weight for t in judge_config.teachers}
    by_query: dict[str, list[Judgment]] = {ex.query.query_id: [] for ex in examples}
    for j in judgments:
        if j.query_id not in by_query:
            raise ValueError(f"judgment of teacher {j.teacher!r}: query_id {j.query_id!r} is not among the examples")
        if j.teacher not in weights:
            raise ValueError(f"judgment for query {j.query_id!r}: teacher {j.teacher!r} is not in judge.teachers")
        by_query[j.query_id].append(j)

    labels: list[SoftLabel] = []
    for ex in examples:
        query_id = ex.query.query_id
        ids = [c.memory.memory_id for c in ex.candidates]
        known = set(ids)
        js = by_query[query_id]
        for j in js:
            for memory_id in (j.first, j.second):
                if memory_id not in known:
                    raise ValueError(f"judgment for query {query_id!r}: memory_id {memory_id!r} is not a candidate")
        outcomes = [(j.first, j.second, j.p_first, weights[j.teacher]) for j in js]
        strengths = fit(ids, outcomes, prior=config.prior, max_iter=config.max_iter)
        rates = win_rate_labels(strengths)
        counts = Counter(m for j in js for m in (j.first, j.second))
        agreement = teacher_agreement(js, ids)
        for memory_id in ids:
            labels.append(
                SoftLabel(
                    query_id=query_id,
                    memory_id=memory_id,
                    label=rates[memory_id],
                    tier=tier(rates[memory_id]),
                    strength=strengths[memory_id],
                    interval=None,
                    n_judgments=counts[memory_id],
                    agreement=agreement,
                )
            )
    return labels
