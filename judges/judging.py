"""The judge stage: every configured teacher judges the selected pairs of every example.

Pairing `all` asks every pair at once. Pairing `active` asks in rounds: every teacher answers the round's pairs of
every query, then `judges.pairing.ActivePlan` picks each query's next round from its judgments so far (each
teacher's own fit, and the pooled fit with the config weights), until each query's budget is spent.
"""

from __future__ import annotations

from judges.pairing import ActivePlan, Pair, select_pairs
from judges.teachers import ProviderFactory, Teacher, judges_null, make_teacher
from schemas import Example, Failure, JudgeConfig, Judgment

ACTIVE_PRIOR = 0.1  # the pooled fits between rounds: the aggregate stage's default prior


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
    """All teachers' judgments, ordered by example, then teacher (config order), then pair (as asked).

    With `config.null_anchor`, pairs of every candidate with the null anchor are asked too, when some teacher can
    judge them (scenario, llm); the others skip them. LLM teachers open their providers with `open_provider(name)`;
    pairs they cannot judge go to `failed`.
    """
    check_unique_queries(examples)
    failed = [] if failed is None else failed
    kinds = provider_kinds or {}
    teachers = [make_teacher(cfg, open_provider, kinds.get(cfg.provider or "", "")) for cfg in config.teachers]
    null_anchor = config.null_anchor and any(judges_null(cfg) for cfg in config.teachers)
    if config.pairing == "active":
        per_teacher = judge_active(examples, config, seed, teachers, null_anchor, failed)
    else:
        pairs = select_pairs(examples, config.pairing, config.both_orders, seed, null_anchor=null_anchor)
        per_teacher = [teacher.judge(examples, pairs, failed) for teacher in teachers]
    by_query: dict[str, list[Judgment]] = {ex.query.query_id: [] for ex in examples}
    for judgments in per_teacher:
        for judgment in judgments:
            by_query[judgment.query_id].append(judgment)
    return [j for ex in examples for j in by_query[ex.query.query_id]]


def judge_active(
    examples: list[Example],
    config: JudgeConfig,
    seed: int,
    teachers: list[Teacher],
    null_anchor: bool,
    failed: list[Failure],
) -> list[list[Judgment]]:
    """Each teacher's judgments (in the order asked) from rounds of active pairing over all examples at once."""
    weights = config.teacher_weights()
    null_judges = frozenset(cfg.name for cfg in config.teachers if judges_null(cfg))
    plans = [
        ActivePlan.start(
            ex, config.active_budget, config.both_orders, seed, null_anchor, weights, null_judges, ACTIVE_PRIOR
        )
        for ex in examples
    ]
    index = {ex.query.query_id: k for k, ex in enumerate(examples)}
    so_far: list[list[Judgment]] = [[] for _ in examples]
    per_teacher: list[list[Judgment]] = [[] for _ in teachers]
    asked: list[list[Pair]] = [plan.first_round() for plan in plans]
    while any(asked):
        for mine, teacher in zip(per_teacher, teachers, strict=True):
            for j in teacher.judge(examples, asked, failed):
                mine.append(j)
                so_far[index[j.query_id]].append(j)
        asked = [plan.next_round(js) if plan.room > 0 else [] for plan, js in zip(plans, so_far, strict=True)]
    return per_teacher
