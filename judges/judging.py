"""The judge stage: every configured teacher judges the selected pairs of every example."""

from __future__ import annotations

from judges.pairing import select_pairs
from judges.teachers import ProviderFactory, make_teacher
from schemas import Example, Failure, JudgeConfig, Judgment


def check_unique_queries(examples: list[Example]) -> None:
    seen: set[str] = set()
    for ex in examples:
        if ex.query.query_id in seen:
            raise ValueError(f"examples: query_id {ex.query.query_id!r} repeats")
        seen.add(ex.query.query_id)


def judge(
    examples: list[Example],
    config: JudgeConfig,
    seed: int,
    *,
    open_provider: ProviderFactory | None = None,
    provider_kinds: dict[str, str] | None = None,
    failed: list[Failure] | None = None,
) -> list[Judgment]:
    """All teachers' judgments, ordered by example, then teacher (config order), then pair.

    LLM teachers open their providers with `open_provider(name)`; pairs they cannot judge go to `failed`.
    """
    check_unique_queries(examples)
    failed = [] if failed is None else failed
    kinds = provider_kinds or {}
    pairs = select_pairs(examples, config.pairing, config.both_orders, seed)
    by_query: dict[str, list[Judgment]] = {ex.query.query_id: [] for ex in examples}
    for teacher_cfg in config.teachers:
        teacher = make_teacher(teacher_cfg, open_provider, kinds.get(teacher_cfg.provider or "", ""))
        for judgment in teacher.judge(examples, pairs, failed):
            by_query[judgment.query_id].append(judgment)
    return [j for ex in examples for j in by_query[ex.query.query_id]]
