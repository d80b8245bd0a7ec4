"""Audit metrics of labels against scenario gold, and `audit_labels`, the figures `runs/<name>/audit/audit.json` holds.

Gold is `Candidate.gold`: a query's evidence candidates are 1, every other candidate 0 (all 0 for `unanswerable`);
graded gold is `Candidate.grade` (0-4, `schemas.grade`), and labels are calibrated to grade / 4: `ece_graded`,
`brier_graded` and `spearman` (within query, averaged) measure them against it, the binary figures (AUC, pairwise
accuracy; ECE against 0/1, which a graded label does not aim at) are kept beside.
Only dialogues in `reported_dialogues` are scored, and none of them may belong to the calibration slice.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
from scipy.stats import kendalltau

from judges.aggregation import aggregate
from judges.anchor import is_null
from judges.calibrate import fit_calibration
from judges.consistency import intransitive_triads, position_flip_rate, teacher_scores
from schemas import MAX_GRADE, AggregateConfig, Example, JudgeConfig, Judgment, SoftLabel
from scoring.metrics import BINS, auc, brier, ece, ece_adaptive, pairwise_accuracy, spearman_within, tier_table


def label_metrics(examples: list[Example], labels: dict[tuple[str, str], float]) -> dict:
    """Against graded gold: ECE and Brier of labels vs grade / 4, within-query Spearman; against binary gold: ECE
    (fixed and adaptive bins), Brier, AUC and pairwise accuracy."""
    groups = []
    graded = []
    for ex in examples:
        p = np.array([labels[(ex.query.query_id, c.memory.memory_id)] for c in ex.candidates])
        groups.append((p, np.array([c.gold for c in ex.candidates], dtype=float)))
        graded.append((p, np.array([c.graded() for c in ex.candidates], dtype=float)))
    p = np.concatenate([g[0] for g in groups]) if groups else np.zeros(0)
    y = np.concatenate([g[1] for g in groups]) if groups else np.zeros(0)
    target = np.concatenate([g[1] for g in graded]) / MAX_GRADE if graded else np.zeros(0)
    return {
        "ece_graded": ece(p, target),
        "brier_graded": brier(p, target),
        "spearman": spearman_within(graded),
        "ece": ece(p, y),
        "ece_adaptive": ece_adaptive(p, y),
        "brier": brier(p, y),
        "auc": auc(p, y),
        "pairwise_accuracy": pairwise_accuracy(groups),
        "mean_label": float(p.mean()) if len(p) else None,
        "n": len(p),
        "n_positive": int(y.sum()),
    }


def tiers(examples: list[Example], labels: dict[tuple[str, str], float]) -> dict:
    """`scoring.metrics.tier_table` of the labels against graded gold."""
    pairs = [(labels[(ex.query.query_id, c.memory.memory_id)], c.graded()) for ex in examples for c in ex.candidates]
    return tier_table([p for p, _ in pairs], [g for _, g in pairs])


def per_skill(examples: list[Example], labels: dict[tuple[str, str], float]) -> dict[str, dict]:
    skills = sorted({ex.query.skill for ex in examples})
    return {s: label_metrics([ex for ex in examples if ex.query.skill == s], labels) for s in skills}


def per_reason(examples: list[Example], labels: dict[tuple[str, str], float]) -> dict[str, dict]:
    """Per candidate origin: how many, the mean label and the mean grade / 4 (its target), the ECE against grade / 4,
    and the share of (candidate, evidence of its query) pairs where the candidate is labelled above the evidence
    (ties half; None for evidence or without evidence)."""
    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"label": [], "target": [], "above": []})
    for ex in examples:
        q = ex.query.query_id
        gold = [labels[(q, c.memory.memory_id)] for c in ex.candidates if c.gold == 1]
        for c in ex.candidates:
            label = labels[(q, c.memory.memory_id)]
            rows[c.origin]["label"].append(label)
            rows[c.origin]["target"].append(c.graded() / MAX_GRADE)
            if c.gold == 0:
                rows[c.origin]["above"] += [1.0 if label > g else 0.5 if label == g else 0.0 for g in gold]
    return {
        origin: {
            "n": len(r["label"]),
            "mean_label": float(np.mean(r["label"])),
            "mean_target": float(np.mean(r["target"])),
            "ece_graded": ece(np.array(r["label"]), np.array(r["target"])),
            "above_gold": float(np.mean(r["above"])) if r["above"] else None,
        }
        for origin, r in sorted(rows.items())
    }


def label_histogram(values: list[float], bins: int = BINS) -> dict:
    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=bins, range=(0.0, 1.0))
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def teacher_agreement_matrix(examples: list[Example], judgments: list[Judgment]) -> dict:
    """Kendall tau between each two teachers' per-query rankings (soft Borda), averaged over queries."""
    by_query: dict[str, list[Judgment]] = defaultdict(list)
    for j in judgments:
        if not (is_null(j.first) or is_null(j.second)):
            by_query[j.query_id].append(j)
    taus: dict[str, list[float]] = defaultdict(list)
    for ex in examples:
        scores = teacher_scores(by_query[ex.query.query_id], [c.memory.memory_id for c in ex.candidates])
        for a, b in itertools.combinations(sorted(scores), 2):
            tau = kendalltau(scores[a], scores[b]).statistic
            if tau is not None and np.isfinite(tau):
                taus[f"{a}~{b}"].append(float(tau))
    pairs = {k: float(np.mean(v)) for k, v in sorted(taus.items())}
    return {"pairs": pairs, "mean": float(np.mean(list(pairs.values()))) if pairs else None}


def panel_labels(
    teachers: list[str],
    examples: list[Example],
    judgments: list[Judgment],
    judge_config: JudgeConfig,
    aggregate_config: AggregateConfig,
    calibration_examples: list[Example],
    calibration_judgments: list[Judgment],
    calibrated: bool = True,
) -> dict[tuple[str, str], float]:
    """Labels from a sub-panel, with its own calibration fitted on the calibration slice (no bootstrap), or
    uncalibrated (config weights, raw probabilities)."""
    keep = set(teachers)
    config = judge_config.model_copy(update={"teachers": [t for t in judge_config.teachers if t.name in keep]})
    quick = aggregate_config.model_copy(update={"bootstrap": 0})
    calibration = fit_calibration(
        calibration_examples, [j for j in calibration_judgments if j.teacher in keep], config, quick
    )
    labels = aggregate(
        examples, [j for j in judgments if j.teacher in keep], config, quick, calibration if calibrated else None
    )
    return {(s.query_id, s.memory_id): s.label for s in labels}


def audit_labels(
    examples: list[Example],
    judgments: list[Judgment],
    labels: list[SoftLabel],
    *,
    judge_config: JudgeConfig,
    aggregate_config: AggregateConfig,
    calibration_examples: list[Example],
    calibration_judgments: list[Judgment],
    reported_dialogues: set[str],
) -> dict:
    """The audit figures, JSON-serialisable, over the examples of `reported_dialogues` only.

    Keys: `pooled`, `per_skill`, `per_reason`, `tiers` (the tier table), `per_teacher` (each teacher alone,
    calibrated on the slice, with its earned weight, position-flip rate and intransitive triads),
    `pooled_without_scenario` (the panel minus `scenario` teachers, with its per-skill, per-reason and tier figures;
    None when nothing is left: the scenario teacher reads the table graded gold is computed from, so this is the
    honest figure), `agreement`, `intransitive_triads`, `label_histogram`,
    `counts`. A reported dialogue of the calibration slice is an error: the calibration never reports on itself.
    """
    slice_ids = {ex.query.dialogue_id for ex in calibration_examples}
    leaked = sorted(slice_ids & set(reported_dialogues))
    if leaked:
        raise ValueError(f"audit: reported_dialogues include calibration-slice dialogues {leaked[:5]}")
    reported = [ex for ex in examples if ex.query.dialogue_id in reported_dialogues]
    query_ids = {ex.query.query_id for ex in reported}
    label_of = {(s.query_id, s.memory_id): s.label for s in labels if s.query_id in query_ids}
    for ex in reported:
        for c in ex.candidates:
            if (ex.query.query_id, c.memory.memory_id) not in label_of:
                raise ValueError(f"audit: no label for query {ex.query.query_id!r}, memory {c.memory.memory_id!r}")
    js = [j for j in judgments if j.query_id in query_ids]
    names = [t.name for t in judge_config.teachers]
    panel = (judge_config, aggregate_config, calibration_examples, calibration_judgments)

    full = fit_calibration(calibration_examples, calibration_judgments, judge_config, aggregate_config)
    flips = position_flip_rate(js)
    triads = intransitive_triads(js)
    per_teacher = {}
    for name in names:
        own = panel_labels([name], reported, js, *panel)
        raw = label_metrics(reported, panel_labels([name], reported, js, *panel, calibrated=False))
        fit = full.teachers[name]
        per_teacher[name] = {
            **label_metrics(reported, own),
            "uncalibrated": {k: raw[k] for k in ("ece_graded", "spearman", "ece", "brier", "auc", "pairwise_accuracy")},
            "weight": fit.weight,
            "reliability": fit.reliability,
            "calibration_accuracy": fit.accuracy,
            "slope": fit.slope,
            "position_bias": -fit.bias / fit.slope if fit.slope > 0 else None,  # logit units of the teacher
            "position_flip_rate": flips.get(name),
            "intransitive_triads": triads.get(name, {}).get("rate"),
            "n_judgments": sum(j.teacher == name for j in js),
        }
    scenario = {t.name for t in judge_config.teachers if t.kind == "scenario"}
    rest = [n for n in names if n not in scenario]
    without = None
    if rest:
        other = panel_labels(rest, reported, js, *panel)
        without = {
            **label_metrics(reported, other),
            "teachers": rest,
            "per_skill": per_skill(reported, other),
            "per_reason": per_reason(reported, other),
            "tiers": tiers(reported, other),
        }
    return {
        "pooled": label_metrics(reported, label_of),
        "per_skill": per_skill(reported, label_of),
        "per_reason": per_reason(reported, label_of),
        "tiers": tiers(reported, label_of),
        "per_teacher": per_teacher,
        "pooled_without_scenario": without,
        "agreement": teacher_agreement_matrix(reported, js),
        "intransitive_triads": triads,
        "label_histogram": label_histogram(list(label_of.values())),
        "calibration": full.model_dump(mode="json", exclude={"dialogues"}),
        "counts": {
            "reported_dialogues": len({ex.query.dialogue_id for ex in reported}),
            "queries": len(reported),
            "candidates": sum(len(ex.candidates) for ex in reported),
            "judgments": len(js),
            "calibration_dialogues": len(slice_ids),
            "calibration_queries": len(calibration_examples),
        },
    }
