"""The dataset card (README.md in the dataset folder): what it is, how it was built, what is in it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from schemas import SCHEMA_VERSION, BuildConfig, DatasetRow


def _size_category(n: int) -> str:
    return "n<1K" if n < 1_000 else "1K<n<10K" if n < 10_000 else "10K<n<100K" if n < 100_000 else "100K<n<1M"


def _label_histogram(rows: list[DatasetRow], bins: int = 10) -> list[tuple[str, int, int]]:
    """(bin, gold count, non-gold count) over every candidate's label."""
    gold, other = Counter(), Counter()
    for row in rows:
        for c in row.candidates:
            b = min(bins - 1, int(c.label * bins))
            (gold if c.gold else other)[b] += 1
    return [(f"{b / bins:.1f}–{(b + 1) / bins:.1f}", gold[b], other[b]) for b in range(bins)]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _calibration_lines(report: dict[str, Any]) -> list[str]:
    """The audit's headline figures (on dialogues outside the calibration slice)."""
    counts = report.get("counts", {})
    lines = [
        "## Calibration against the scenario's graded gold",
        "",
        f"Measured on {counts.get('reported_dialogues', '?')} dialogues outside the calibration slice (full figures: "
        "`audit/audit.json` in the run folder).",
        "",
        "Labels are calibrated to expected grade / 4 (`grade` 0-4 from the scenario; tier = nearest grade): ECE and",
        "Spearman (within query) against it; ECE against binary gold is not what a graded label aims at.",
        "",
        "| labels | ECE vs grade/4 | Spearman | ECE vs 0/1 | AUC |",
        "|---|---|---|---|---|",
    ]
    rows = [
        ("pooled", report.get("pooled", {})),
        ("pooled, without scenario teachers", report.get("pooled_without_scenario", {})),
    ]
    rows += [(f"skill: {k}", v) for k, v in sorted(report.get("per_skill", {}).items())]
    for name, fig in rows:
        cells = " | ".join(_fmt(fig.get(k)) for k in ("ece_graded", "spearman", "ece", "auc"))
        lines.append(f"| {name} | {cells} |")
    lines.append("")
    return lines


def render_card(
    config: BuildConfig,
    splits: dict[str, list[DatasetRow]],
    fingerprints: dict[str, str],
    report: dict[str, Any] | None = None,
    *,
    decontamination: dict[str, Any] | None = None,
) -> str:
    """The card's markdown. `decontamination`: the build manifest's section of that name, when it had any."""
    rows = [r for part in splits.values() for r in part]
    n_candidates = sum(len(r.candidates) for r in rows)
    skills = Counter(r.skill for r in rows)
    origins = Counter(c.origin for r in rows for c in r.candidates)
    gold_labels = [c.label for r in rows for c in r.candidates if c.gold]
    other_labels = [c.label for r in rows for c in r.candidates if not c.gold]

    def mean(xs: list[float]) -> str:
        return f"{sum(xs) / len(xs):.3f}" if xs else "n/a"

    lines = [
        "---",
        f"license: {config.export.license}",
        "language:",
        "- en",
        "task_categories:",
        "- text-ranking",
        "tags:",
        "- memory",
        "- reranking",
        "- synthetic",
        "- distillation",
        "size_categories:",
        f"- {_size_category(len(rows))}",
        "---",
        "",
        f"# memdistill: {config.name}",
        "",
        "Synthetic training data for agent-memory rerankers, built by memdistill. Each row is one query about a",
        "multi-session, dated dialogue generated from a seeded scenario world, with candidate memories (dialogue",
        "turns) that carry the scenario's gold relevance (`gold`), a soft label from a panel of teachers comparing",
        "candidates pairwise in both orders and aggregated with Bradley–Terry (`label` in [0, 1], calibrated to the",
        "expected `grade` / 4), a tier 0–4 (the nearest grade), the graded relevance from the scenario (`grade`: 4",
        "answers alone, 3 a necessary part, 2 the right fact at the wrong time, 1 same person or topic, 0 unrelated),",
        "and",
        "where the candidate came from (`origin`: `evidence`, `constructed:<reason>` hard negatives, or",
        "`retrieved:<retriever>`).",
        "",
        "Render a candidate as `[YYYY-MM-DD (Day) HH:MM] Speaker: text` and the query with its context turns and",
        "`Asked on <query_time>.`: the same rendering was used by the teachers (`schemas.render_memory`,",
        "`schemas.render_query`).",
        "",
        "## Splits",
        "",
        "Split by dialogue: no dialogue appears in two splits.",
        "",
        "| split | queries | dialogues | fingerprint |",
        "|---|---|---|---|",
    ]
    for name, part in splits.items():
        lines.append(
            f"| {name} | {len(part)} | {len({r.dialogue_id for r in part})} | `{fingerprints.get(name, '')}` |"
        )
    lines += ["", "## Skill mix", "", "| skill | queries |", "|---|---|"]
    lines += [f"| {skill} | {n} |" for skill, n in sorted(skills.items())]
    lines += ["", "## Candidate origins", "", "| origin | candidates |", "|---|---|"]
    lines += [f"| {origin} | {n} |" for origin, n in sorted(origins.items())]
    lines += [
        "",
        "## Labels",
        "",
        f"{n_candidates} candidates; mean label of gold candidates {mean(gold_labels)}, of the others "
        f"{mean(other_labels)}.",
        "",
        "| label | gold | not gold |",
        "|---|---|---|",
    ]
    lines += [f"| {b} | {g} | {o} |" for b, g, o in _label_histogram(rows)]
    lines += [""] + (_calibration_lines(report) if report else [])
    if decontamination is not None:
        files = ", ".join(
            f"`{Path(str(f['path'])).name}` ({f['questions']} questions)" for f in decontamination["files"]
        )
        lines += [
            "## Decontamination",
            "",
            f"{decontamination['dropped']} queries were dropped because at least {decontamination['threshold']} of "
            f"their word {decontamination['n']}-grams occur in an evaluation set: {files}.",
            "",
        ]
    if config.generate.filler == "chitchat":
        lines += [
            "## Sources and licences",
            "",
            "The small talk between the scenario's turns is real human conversation: exchanges from the Chit-Chat",
            "Challenge dataset (BYU PCC lab; PyPI `chitchat-dataset`, MIT licence), filtered so that no filler turn",
            "names a person, place or date or uses a word of the scenario's topics (`generators.realize.smalltalk`).",
            "Everything else is generated from the seeded scenario world.",
            "",
        ]
    earned = (report or {}).get("per_teacher", {})
    lines += ["## Teachers", "", "| name | kind | model | config weight | earned weight |", "|---|---|---|---|---|"]
    for t in config.judge.teachers:
        default = "all-MiniLM-L6-v2 (packaged)" if t.kind == "embedding" else "-"
        model = t.model or (f"provider {t.provider}" if t.provider else default)
        lines.append(f"| {t.name} | {t.kind} | {model} | {t.weight} | {_fmt(earned.get(t.name, {}).get('weight'))} |")
    lines += [
        "",
        f"Pairing: `{config.judge.pairing}`, both orders: {config.judge.both_orders}.",
        "",
        "## Build config",
        "",
        f"Schema version {SCHEMA_VERSION}, config hash `{config.config_hash()}`.",
        "",
        "```json",
        json.dumps(config.model_dump(mode="json"), indent=2, sort_keys=True),
        "```",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_from_disk",
        'ds = load_from_disk("path/to/dataset")',
        "```",
        "",
    ]
    return "\n".join(lines)
