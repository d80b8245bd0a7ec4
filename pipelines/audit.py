"""`python -m pipelines.audit RUN`: an HTML report of a finished build's label quality, with its figures.

    python -m pipelines.audit runs/NAME [--dialogues 5]

Reads the run folder (`manifest.json` for the config and stage keys, the candidates, judge and aggregate shards, the
calibration slice) and writes into `RUN/audit/`: `report.html` (one self-contained page), `audit.json` (the build's,
or recomputed when absent) and the figures as PNGs, and prints the headline figures and the tier table. Like
`audit.json`, every figure and table is over the dialogues outside the calibration slice; the dialogue browser may
show any. The same run gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ValidationError

import judges
from judges.anchor import NULL_ID
from pipelines import figures
from pipelines.calibrate import write_audit
from pipelines.manifest import ManifestError, read_manifest
from pipelines.report import BrowsedDialogue, BrowsedQuery, Section, browser_html, figure_html, render_report
from pipelines.report import table_html as html_table
from pipelines.shards import ShardError, write_atomic
from pipelines.stages import read_stage
from schemas import MAX_GRADE, BuildConfig, Example, Judgment, SoftLabel
from scoring.metrics import BINS, bin_of

METRICS = (
    "ece_graded",
    "spearman",
    "ece",
    "ece_adaptive",
    "brier",
    "auc",
    "pairwise_accuracy",
    "mean_label",
    "n",
    "n_positive",
)


class RunError(ValueError):
    """A run folder the audit cannot read; the message names the file."""


@dataclass(frozen=True)
class Run:
    path: Path
    manifest: dict[str, Any]
    config: BuildConfig
    examples: list[Example]
    judgments: list[Judgment]
    labels: list[SoftLabel]
    slice_ids: set[str]  # the calibration slice: never reported on


def _stage(run_dir: Path, manifest: dict[str, Any], stage: str, model: type[BaseModel]) -> list[Any]:
    try:
        return read_stage(run_dir, manifest, stage, model)
    except ShardError as exc:
        raise RunError(str(exc)) from None


def load_run(run_dir: Path) -> Run:
    """Everything the audit needs from a finished build's run folder; `RunError` naming the file otherwise."""
    if not run_dir.is_dir():
        raise RunError(f"{run_dir}: no such run folder")
    path = run_dir / "manifest.json"
    try:
        manifest = read_manifest(run_dir)
        config = BuildConfig.model_validate(manifest["config"])
    except ManifestError as exc:
        raise RunError(str(exc)) from None
    except (KeyError, TypeError):
        raise RunError(f"{path}: no build config under 'config'") from None
    except ValidationError as exc:
        raise RunError(f"{path}: 'config' is not a valid build config of this version: {exc.errors()[0]}") from None
    examples = _stage(run_dir, manifest, "candidates", Example)
    judgments = _stage(run_dir, manifest, "judge", Judgment)
    labels = _stage(run_dir, manifest, "aggregate", SoftLabel)
    cal_path = run_dir / "calibrate" / manifest["stage_keys"].get("calibrate", "?") / "calibration.json"
    try:
        calibration = judges.Calibration.model_validate_json(cal_path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise RunError(f"{cal_path}: cannot read the calibration: {exc}") from None
    return Run(run_dir, manifest, config, examples, judgments, labels, set(calibration.dialogues))


def load_or_write_audit(run: Run) -> dict[str, Any]:
    """The build's `audit/audit.json`; recomputed (and written) when absent or unreadable."""
    path = run.path / "audit" / "audit.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(report, dict) and "pooled" in report:
            return report
    except (OSError, ValueError):
        pass
    key = run.manifest["stage_keys"].get("aggregate", "?")
    return write_audit(run.path, run.config, lambda: (run.examples, run.judgments, run.labels), run.slice_ids, key)


def candidate_table(examples: list[Example], labels: dict[tuple[str, str], float]) -> pl.DataFrame:
    """One row per (query, candidate): query_id, dialogue_id, skill, memory_id, origin, gold, grade, label."""
    rows = [
        (
            ex.query.query_id,
            ex.query.dialogue_id,
            ex.query.skill,
            c.memory.memory_id,
            c.origin,
            c.gold,
            c.graded(),
            labels[(ex.query.query_id, c.memory.memory_id)],
        )
        for ex in examples
        for c in ex.candidates
    ]
    schema = {
        "query_id": pl.String,
        "dialogue_id": pl.String,
        "skill": pl.String,
        "memory_id": pl.String,
        "origin": pl.String,
        "gold": pl.Int64,
        "grade": pl.Int64,
        "label": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def reliability_bins(table: pl.DataFrame, bins: int = BINS) -> pl.DataFrame:
    """Per equal-width label bin (the binning of `scoring.metrics.ece`): lo, hi, n, mean label, and `gold_rate`, the
    mean target grade / 4 (the share of gold where candidates carry no grade)."""
    which = pl.Series("bin", bin_of(table["label"].to_numpy(), bins), dtype=pl.Int64)
    filled = (
        table.with_columns(which)
        .group_by("bin")
        .agg(n=pl.len(), mean_label=pl.col("label").mean(), gold_rate=(pl.col("grade") / MAX_GRADE).mean())
        .with_columns(pl.col("bin").cast(pl.Int64))
    )
    return (
        pl.DataFrame({"bin": list(range(bins))}, schema={"bin": pl.Int64})
        .join(filled, on="bin", how="left")
        .with_columns(lo=pl.col("bin") / bins, hi=(pl.col("bin") + 1) / bins, n=pl.col("n").fill_null(0).cast(pl.Int64))
        .select("bin", "lo", "hi", "n", "mean_label", "gold_rate")
    )


def teacher_labels(run: Run, examples: list[Example], teacher: str) -> dict[tuple[str, str], float]:
    """Labels from `teacher` alone, calibrated on the calibration slice (no bootstrap): what `audit.json`'s
    `per_teacher` figures measure."""
    ids = {e.query.query_id for e in examples}
    cal_examples = [e for e in run.examples if e.query.dialogue_id in run.slice_ids]
    cal_ids = {e.query.query_id for e in cal_examples}
    return judges.panel_labels(
        [teacher],
        examples,
        [j for j in run.judgments if j.query_id in ids],
        run.config.judge,
        run.config.aggregate,
        cal_examples,
        [j for j in run.judgments if j.query_id in cal_ids],
    )


def judgment_scores(judgments: list[Judgment]) -> pl.DataFrame:
    """Per (teacher, query, candidate): the mean probability it is preferred over the query's other candidates
    (`vs_candidates`, a soft Borda count) and over the null anchor (`vs_none`), both orders pooled."""
    df = pl.DataFrame(
        [(j.teacher, j.query_id, j.first, j.second, j.p_first) for j in judgments],
        schema={
            "teacher": pl.String,
            "query_id": pl.String,
            "first": pl.String,
            "second": pl.String,
            "p_first": pl.Float64,
        },
        orient="row",
    )
    sides = pl.concat(
        [
            df.select("teacher", "query_id", memory_id="first", other="second", p="p_first"),
            df.select("teacher", "query_id", memory_id="second", other="first", p=1.0 - pl.col("p_first")),
        ]
    ).filter(pl.col("memory_id") != NULL_ID)
    null = pl.col("other") == NULL_ID
    return (
        sides.group_by("teacher", "query_id", "memory_id")
        .agg(vs_candidates=pl.col("p").filter(~null).mean(), vs_none=pl.col("p").filter(null).mean())
        .sort("teacher", "query_id", "memory_id")
    )


def _pair(scores: tuple[float | None, float | None] | None) -> str:
    """ "vs candidates / vs none", each to 2 places, – where that teacher judged no such pair."""
    a, b = scores or (None, None)
    return " / ".join("–" if v is None else f"{v:.2f}" for v in (a, b))


def browse(run: Run, scores: pl.DataFrame, k: int) -> list[BrowsedDialogue]:
    """`k` dialogues chosen with the config's seed: each query with its candidates, each teacher's judgments
    summarised, and the final label, tier and interval."""
    dialogue_ids = sorted({e.query.dialogue_id for e in run.examples})
    chosen = sorted(random.Random(run.config.seed).sample(dialogue_ids, min(k, len(dialogue_ids))))
    label_of = {(s.query_id, s.memory_id): s for s in run.labels}
    teachers = [t.name for t in run.config.judge.teachers]
    summary = {(t, q, m): (a, b) for t, q, m, a, b in scores.iter_rows()}
    out = []
    for dialogue_id in chosen:
        queries = []
        for ex in (e for e in run.examples if e.query.dialogue_id == dialogue_id):
            q = ex.query.query_id
            rows = []
            for c in ex.candidates:
                s = label_of[(q, c.memory.memory_id)]
                rows.append(
                    {
                        "memory_id": c.memory.memory_id,
                        "speaker": c.memory.speaker,
                        "date": c.memory.timestamp.date().isoformat() if c.memory.timestamp else None,
                        "text": c.memory.text,
                        "origin": c.origin,
                        "gold": c.gold,
                        "gold_row": bool(c.gold),
                        **{t: _pair(summary.get((t, q, c.memory.memory_id))) for t in teachers},
                        "label": s.label,
                        "tier": s.tier,
                        "interval": None if s.interval is None else f"{s.interval[0]:.2f}–{s.interval[1]:.2f}",
                    }
                )
            table = pl.DataFrame(rows).with_columns(pl.col("interval").cast(pl.String))
            order = ["memory_id", "speaker", "date", "text", "origin", "gold", *teachers, "label", "tier", "interval"]
            table = table.sort("label", descending=True, maintain_order=True).select(*order, "gold_row")
            queries.append(BrowsedQuery(ex.query, table))
        out.append(BrowsedDialogue(dialogue_id, dialogue_id in run.slice_ids, queries))
    return out


def _metrics_table(named: list[tuple[str, dict[str, Any] | None]]) -> pl.DataFrame:
    rows = [{"labels": name, **{k: (fig or {}).get(k) for k in METRICS}} for name, fig in named if fig]
    schema = {"labels": pl.String, **{k: pl.Int64 if k.startswith("n") else pl.Float64 for k in METRICS}}
    return pl.DataFrame(rows, schema=schema)


def _skill_table(table: pl.DataFrame, report: dict[str, Any]) -> pl.DataFrame:
    counts = table.group_by("skill").agg(
        queries=pl.col("query_id").n_unique(),
        candidates=pl.len(),
        gold=pl.col("gold").sum(),
        mean_label_gold=pl.col("label").filter(pl.col("gold") == 1).mean(),
        mean_label_other=pl.col("label").filter(pl.col("gold") == 0).mean(),
    )
    without = (report.get("pooled_without_scenario") or {}).get("per_skill", {})
    figures_ = pl.DataFrame(
        [
            {
                "skill": s,
                **{k: v.get(k) for k in ("ece_graded", "spearman")},
                "spearman_without_scenario": without.get(s, {}).get("spearman"),
                **{k: v.get(k) for k in ("ece", "brier", "auc", "pairwise_accuracy")},
            }
            for s, v in report["per_skill"].items()
        ],
        schema={
            "skill": pl.String,
            "ece_graded": pl.Float64,
            "spearman": pl.Float64,
            "spearman_without_scenario": pl.Float64,
            "ece": pl.Float64,
            "brier": pl.Float64,
            "auc": pl.Float64,
            "pairwise_accuracy": pl.Float64,
        },
    )
    return counts.join(figures_, on="skill", how="left").sort("skill")


def _reason_table(table: pl.DataFrame, report: dict[str, Any]) -> pl.DataFrame:
    counts = table.group_by("origin").agg(
        candidates=pl.len(),
        mean_label=pl.col("label").mean(),
        max_label=pl.col("label").max(),
        labelled_relevant=(pl.col("label") >= 0.5).sum(),
    )
    without = (report.get("pooled_without_scenario") or {}).get("per_reason", {})
    above = pl.DataFrame(
        [
            {
                "origin": o,
                "target": v.get("mean_target"),
                "ece_graded": v.get("ece_graded"),
                "mean_label_without_scenario": without.get(o, {}).get("mean_label"),
                "above_gold": v.get("above_gold"),
            }
            for o, v in report["per_reason"].items()
        ],
        schema={
            "origin": pl.String,
            "target": pl.Float64,
            "ece_graded": pl.Float64,
            "mean_label_without_scenario": pl.Float64,
            "above_gold": pl.Float64,
        },
    )
    return counts.join(above, on="origin", how="left").sort("origin")


def tier_table(named: list[tuple[str, dict[str, Any] | None]]) -> pl.DataFrame:
    """One row per tier 0-4: the share of candidates of that grade, then per set of labels (`tiers` of audit.json)
    the share in that tier and, for tiers >= 1, precision and recall of keeping tier >= k against grade >= k."""
    rows = []
    for k in map(str, range(MAX_GRADE + 1)):
        row: dict[str, Any] = {"tier": int(k), "share_grade": named[0][1]["share_grade"][k] if named[0][1] else None}
        for name, fig in named:
            at = (fig or {}).get("at_tier", {}).get(k, {})
            row[f"{name}: share"] = (fig or {}).get("share_tier", {}).get(k)
            row[f"{name}: precision >= k"] = at.get("precision")
            row[f"{name}: recall >= k"] = at.get("recall")
        rows.append(row)
    schema = {"tier": pl.Int64, "share_grade": pl.Float64}
    for name, _ in named:
        schema |= {
            f"{name}: share": pl.Float64,
            f"{name}: precision >= k": pl.Float64,
            f"{name}: recall >= k": pl.Float64,
        }
    return pl.DataFrame(rows, schema=schema)


def _teacher_table(report: dict[str, Any], teachers: list[str]) -> pl.DataFrame:
    keys = ("weight", "calibration_accuracy", "position_flip_rate", "intransitive_triads", "n_judgments")
    rows = []
    for t in teachers:
        fig = report["per_teacher"].get(t, {})
        rows.append(
            {
                "teacher": t,
                **{k: fig.get(k) for k in keys},
                "ece_uncalibrated": (fig.get("uncalibrated") or {}).get("ece"),
            }
        )
    schema = {
        "teacher": pl.String,
        "weight": pl.Float64,
        "calibration_accuracy": pl.Float64,
        "position_flip_rate": pl.Float64,
        "intransitive_triads": pl.Float64,
        "n_judgments": pl.Int64,
        "ece_uncalibrated": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def make_figures(run: Run, report: dict[str, Any], table: pl.DataFrame, reported: list[Example]) -> dict[str, Any]:
    """name -> (caption, figure) for every figure of the page."""
    teachers = [t.name for t in run.config.judge.teachers]
    per_teacher = [
        (
            t,
            reliability_bins(candidate_table(reported, teacher_labels(run, reported, t))),
            report["per_teacher"].get(t, {}).get("ece_graded"),
        )
        for t in teachers
    ]
    per_skill = [
        (skill, reliability_bins(part), report["per_skill"].get(skill, {}).get("ece_graded"))
        for (skill,), part in sorted(table.partition_by("skill", as_dict=True).items())
    ]
    flips = {t: report["per_teacher"].get(t, {}).get("position_flip_rate") for t in teachers}
    return {
        "reliability_pooled": (
            "Reliability of the pooled labels",
            figures.reliability_figure([("pooled", reliability_bins(table), report["pooled"]["ece_graded"])]),
        ),
        "reliability_teachers": (
            "Reliability per teacher (each alone, calibrated on the slice)",
            figures.reliability_figure(per_teacher),
        ),
        "reliability_skills": ("Reliability per skill (pooled labels)", figures.reliability_figure(per_skill)),
        "label_histogram": ("Labels of gold and other candidates", figures.label_histogram_figure(table)),
        "teacher_agreement": (
            "Mean Kendall tau between teachers' per-query rankings",
            figures.agreement_figure(teachers, report["agreement"]["pairs"]),
        ),
        "position_flips": ("Position-flip rate per teacher", figures.flip_rate_figure(flips)),
    }


def write_report(run_dir: Path, dialogues: int = 5) -> Path:
    """Write `RUN/audit/report.html`, `audit.json` (when absent) and the PNG figures; return the page's path."""
    run = load_run(run_dir)
    report = load_or_write_audit(run)
    out = run_dir / "audit"
    reported = [e for e in run.examples if e.query.dialogue_id not in run.slice_ids]
    label_of = {(s.query_id, s.memory_id): s.label for s in run.labels}
    table = candidate_table(reported, label_of)
    teachers = [t.name for t in run.config.judge.teachers]

    images = []
    for name, (caption, fig) in make_figures(run, report, table, reported).items():
        png = figures.png_bytes(fig)
        write_atomic(out / f"{name}.png", png)
        images.append((name, figure_html(name, caption, png)))
    img = dict(images)

    per_teacher = [(f"teacher: {t}", report["per_teacher"].get(t)) for t in teachers]
    summary = _metrics_table(
        [
            ("pooled", report["pooled"]),
            ("pooled without scenario", report.get("pooled_without_scenario")),
            *per_teacher,
        ]
    )
    counts = report.get("counts", {})
    m = run.manifest
    facts = [
        ("run", f"{run.config.name} ({run_dir.name})"),
        ("config hash", str(m.get("config_hash"))),
        ("code version", str(m.get("code_version"))),
        ("seed", str(run.config.seed)),
        (
            "dialogues",
            f"{m.get('counts', {}).get('dialogues')} built; {counts.get('reported_dialogues')} reported, "
            f"{counts.get('calibration_dialogues')} in the calibration slice (never reported)",
        ),
        (
            "queries / candidates / judgments",
            f"{counts.get('queries')} / {counts.get('candidates')} / {counts.get('judgments')} (reported)",
        ),
        ("teachers", ", ".join(f"{t.name} ({t.kind})" for t in run.config.judge.teachers)),
        ("cost", f"${m.get('cost_usd', 0)}"),
    ]
    sections = [
        Section(
            "summary",
            "Calibration against graded gold (grade / 4) and binary gold",
            html_table(summary) + img["reliability_pooled"],
        ),
        Section(
            "teachers",
            "Teachers",
            html_table(_teacher_table(report, teachers))
            + img["reliability_teachers"]
            + img["teacher_agreement"]
            + img["position_flips"],
        ),
        Section(
            "tiers",
            "Tiers (label tier = nearest grade to 4 x label; graded gold from the scenario)",
            html_table(
                tier_table(
                    [
                        ("pooled", report.get("tiers")),
                        ("without scenario", (report.get("pooled_without_scenario") or {}).get("tiers")),
                    ]
                )
            ),
        ),
        Section("skills", "Skills", html_table(_skill_table(table, report)) + img["reliability_skills"]),
        Section("labels", "Labels and negatives", img["label_histogram"] + html_table(_reason_table(table, report))),
        Section("browser", "Dialogues", browser_html(browse(run, judgment_scores(run.judgments), dialogues), teachers)),
    ]
    page = render_report(f"memdistill audit: {run.config.name}", facts, sections)
    path = out / "report.html"
    write_atomic(path, page.encode("utf-8"))
    return path


def summary_text(report: dict[str, Any]) -> str:
    """The headline figures and the tier table of an audit.json, as printed by `main`."""
    without = report.get("pooled_without_scenario") or {}
    lines = []
    for name, fig in (("pooled", report["pooled"]), ("without scenario", without)):
        if fig:
            values = {k: fig.get(k) for k in ("ece_graded", "spearman", "auc")}
            lines.append(f"{name}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in values.items()))
    lines.append(
        "per skill (pooled): "
        + ", ".join(
            f"{s} ece_graded {_fmt(v.get('ece_graded'))}" for s, v in sorted(report.get("per_skill", {}).items())
        )
    )
    table = tier_table([("pooled", report.get("tiers")), ("without scenario", without.get("tiers"))])
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=240,
        fmt_str_lengths=60,
        float_precision=3,
        tbl_hide_dataframe_shape=True,
    ):
        lines.append(str(table))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.audit", description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="run folder written by python -m pipelines.build")
    parser.add_argument("--dialogues", type=int, default=5, help="dialogues shown in the browser (seeded choice)")
    args = parser.parse_args(argv)
    if args.dialogues < 0:
        parser.error("--dialogues must be >= 0")
    try:
        path = write_report(args.run, args.dialogues)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary_text(json.loads((path.parent / "audit.json").read_text(encoding="utf-8"))))
    print(f"audit report -> {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
