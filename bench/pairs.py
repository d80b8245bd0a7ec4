"""Active pairing against all pairs: for several budgets, the share of the all-pairs calls used and the mean
Kendall tau (per query, over its candidates) of the active ranking against the all-pairs ranking.

    python bench/pairs.py [--config configs/default.toml] [--dialogues 30] [--budgets 0.15 0.25 0.35 0.5]
                          [--teacher scenario:scenario --teacher minilm:embedding] [--rank bt|labels]

Examples come from the config's generate + candidates stages, in this process. The teachers default to the
scenario teacher and the packaged MiniLM (the null anchor is on, so the scenario teacher judges it). `--rank bt`
ranks by the Bradley-Terry strengths of the pooled judgments (config weights, the config's prior); `--rank labels`
by `judges.aggregate` labels without calibration. Target: tau >= 0.95 at <= 35% of the calls.

Calls are distinct teacher queries, counted alike in both modes: an llm teacher's two orders of a pair are two
queries; a pointwise teacher's (scenario, bm25, embedding, cross_encoder, yes_no) are one, since it gives `p` and
`1 - p` for the two orders of one comparison (both are still emitted, so aggregation weighs them as in `all`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from scipy.stats import kendalltau

import generators
from judges import judge
from judges.bradley_terry import fit
from judges.pairing import candidate_ids
from schemas import AggregateConfig, BuildConfig, Example, JudgeConfig, Judgment, TeacherConfig, load_config


def ranking_scores(
    examples: list[Example], judgments: list[Judgment], judge_config: JudgeConfig, aggregate_config: AggregateConfig,
    rank: str,
) -> dict[str, dict[str, float]]:  # fmt: skip
    """Per query, a score per candidate (higher ranks first)."""
    if rank == "labels":
        import judges

        labels = judges.aggregate(
            examples=examples, judgments=judgments, judge_config=judge_config, aggregate_config=aggregate_config
        )
        out: dict[str, dict[str, float]] = {}
        for s in labels:
            out.setdefault(s.query_id, {})[s.memory_id] = s.label
        return out
    weights = judge_config.teacher_weights()
    by_query: dict[str, list[Judgment]] = {}
    for j in judgments:
        by_query.setdefault(j.query_id, []).append(j)
    out = {}
    for ex in examples:
        js = by_query.get(ex.query.query_id, [])
        items = candidate_ids(ex) + sorted({m for j in js for m in (j.first, j.second)} - set(candidate_ids(ex)))
        outcomes = [(j.first, j.second, j.p_first, weights[j.teacher]) for j in js]
        strengths = fit(items, outcomes, aggregate_config.prior, aggregate_config.max_iter)
        out[ex.query.query_id] = {m: strengths[m] for m in candidate_ids(ex)}
    return out


ORDER_SENSITIVE = frozenset({"llm"})  # teacher kinds whose verdict may change with the order of a pair


def teacher_queries(judgments: list[Judgment], kinds: dict[str, str]) -> dict[str, int]:
    """Distinct teacher queries per query id: (teacher, ordered pair) for llm teachers, else (teacher, pair)."""
    seen: dict[str, set[tuple[str, object]]] = {}
    for j in judgments:
        pair = (j.first, j.second) if kinds[j.teacher] in ORDER_SENSITIVE else frozenset((j.first, j.second))
        seen.setdefault(j.query_id, set()).add((j.teacher, pair))
    return {q: len(asked) for q, asked in seen.items()}


def parse_teacher(spec: str) -> TeacherConfig:
    name, _, kind = spec.partition(":")
    return TeacherConfig(name=name, kind=kind or name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=None, help="a TOML build config (default: the built-in defaults)")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--dialogues", type=int, default=30)
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.15, 0.25, 0.35, 0.5])
    parser.add_argument("--teacher", action="append", default=None, help="name:kind, repeatable")
    parser.add_argument("--rank", choices=["bt", "labels"], default="bt")
    args = parser.parse_args()
    config: BuildConfig = load_config(args.config, args.overrides)
    teachers = [parse_teacher(s) for s in args.teacher or ["scenario:scenario", "minilm:embedding"]]
    base = config.judge.model_copy(update={"teachers": teachers, "pairing": "all"})

    start = time.perf_counter()
    generated = [generators.generate_dialogue(config, i) for i in range(args.dialogues)]
    examples = [e for g in generated for e in generators.build_candidates(g, config)]
    examples_s = time.perf_counter() - start

    start = time.perf_counter()
    full = judge(examples, base, seed=config.seed)
    full_s = time.perf_counter() - start
    reference = ranking_scores(examples, full, base, config.aggregate, args.rank)
    kinds = {t.name: t.kind for t in teachers}
    full_calls = teacher_queries(full, kinds)

    rows = []
    for budget in args.budgets:
        active_config = base.model_copy(update={"pairing": "active", "active_budget": budget})
        start = time.perf_counter()
        got = judge(examples, active_config, seed=config.seed)
        seconds = time.perf_counter() - start
        scores = ranking_scores(examples, got, active_config, config.aggregate, args.rank)
        calls = teacher_queries(got, kinds)
        taus = []
        for ex in examples:
            ids = candidate_ids(ex)
            if len(ids) < 2:
                continue
            tau = kendalltau(
                [reference[ex.query.query_id][m] for m in ids], [scores[ex.query.query_id][m] for m in ids]
            )
            taus.append(1.0 if np.isnan(tau.statistic) else float(tau.statistic))
        rows.append(
            {
                "budget": budget,
                "calls_fraction": round(sum(calls.values()) / sum(full_calls.values()), 4),
                "kendall_tau_mean": round(float(np.mean(taus)), 4),
                "kendall_tau_p10": round(float(np.quantile(taus, 0.1)), 4),
                "share_tau_ge_0.95": round(float(np.mean([t >= 0.95 for t in taus])), 4),
                "judge_seconds": round(seconds, 2),
            }
        )
    figures = {
        "config": args.config or "defaults",
        "overrides": args.overrides,
        "teachers": [f"{t.name}:{t.kind}" for t in teachers],
        "null_anchor": base.null_anchor,
        "both_orders": base.both_orders,
        "rank": args.rank,
        "dialogues": args.dialogues,
        "queries": len(examples),
        "candidates_per_query": round(float(np.mean([len(e.candidates) for e in examples])), 2),
        "examples_seconds": round(examples_s, 2),
        "all_pairs_calls": sum(full_calls.values()),
        "all_pairs_seconds": round(full_s, 2),
        "active": rows,
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
