"""The model card (README.md in the saved model directory): what was trained, how, and how well."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from train.calibration import calibration_line
from train.config import TrainConfig
from train.evaluate import format_table
from train.floor import floor_line, interpolation_line

_PRIOR_USE = """The logit adds the base model's embedding cosine (an embedding prior: `embedding_prior/` holds that
encoder, `memdistill_student.json` its weight, bias and share), so load it whole through memdistill;
sentence-transformers' `CrossEncoder` would read the cross-encoder term alone.

```python
from scoring.rerankers import load_student

student = load_student(None, "{path}")
scores = student.score([(instruction, query_side, rendered_memory)])  # in [0, 1]
```"""

_USE = {
    "cross_encoder": """```python
from sentence_transformers import CrossEncoder

model = CrossEncoder("{path}")
scores = model.predict([(instruction + "\\n" + query_side, rendered_memory)])  # in [0, 1]
```""",
    "qwen3": """```python
from scoring.rerankers import load_student  # memdistill; or the Qwen3-Reranker recipe: p("yes") at the last position

student = load_student(None, "{path}")
scores = student.score([(instruction, query_side, rendered_memory)])
```""",
}


def target_words(config: TrainConfig) -> str:
    """What the student fitted, in the card's words (the config's `target`, `label_sharpness` and `gold_weight`)."""
    if config.target == "gold":
        return "binary gold (evidence 1, every other candidate 0)"
    words = "the teachers' graded soft labels"
    if config.label_sharpness != 1.0:
        words += f", sharpened: sigmoid({config.label_sharpness:g} * logit(label))"
    if config.gold_weight:
        words += f", mixed with binary gold at weight {config.gold_weight:g}"
    return words


def model_card(
    config: TrainConfig,
    summary: Mapping[str, Any],
    evaluation: Mapping[str, Mapping[str, Any]] | None,
    eval_source: str | None,
) -> str:
    stages = "\n".join(
        f"| {s['name']} | {s['loss']} | {s['examples']} | {s['steps']} | {s['lr']} | "
        f"{s['first_loss'] if s['first_loss'] is None else round(s['first_loss'], 4)} -> "
        f"{s['last_loss'] if s['last_loss'] is None else round(s['last_loss'], 4)} |"
        for s in summary["stages"]
    )
    parts = [
        "---",
        "library_name: transformers",
        "tags: [reranker, memory-retrieval, memdistill]",
        "---",
        f"# memdistill {config.student} student",
        "",
        f"Distilled by memdistill from `{summary['model']}` on `{summary['data']}`; fitted to {target_words(config)}.",
        "The query side carries the instruction, the context turns and the query time; the document is the",
        "rendered memory (`[date] speaker: text`). "
        + (
            "Score = sigmoid(scale * logit + offset), on the labels' scale (expected grade / 4; see Calibration)."
            if summary.get("calibration")
            else "Score = sigmoid(logit)."
        ),
        "",
        "## Training",
        "| stage | loss | examples | steps | lr | loss first -> last |",
        "|---|---|---|---|---|---|",
        stages,
        "",
        f"Seed {config.seed}; max length {summary.get('max_length')}; LoRA: "
        f"{'yes' if config.engine.lora else 'no'}; training time {summary['seconds']} s.",
        "",
        "## Evaluation",
    ]
    if evaluation:
        parts += [
            f"On {eval_source}. Ranking metrics are per query, averaged; ECE and Brier pool the candidates"
            " (baselines score no probabilities: n/a).",
            "",
            format_table(evaluation),
        ]
    else:
        parts.append("Not evaluated (no evaluation split).")
    floor = summary.get("floor")
    if floor:
        parts += [
            "",
            "## Floor: kept what it started with?",
            f"{'Yes' if floor['kept'] else '**No**'}: {floor_line(floor)}, on a held-out split.",
        ]
    if summary.get("interpolation"):
        parts.append(f"\nThe student's {interpolation_line(summary['interpolation'])}.")
    if summary.get("calibration"):
        parts += [
            "",
            "## Calibration: tiers that mean grades",
            f"{calibration_line(summary['calibration'])}. Scores read through memdistill (`load_student`) are on the",
            "labels' scale, expected grade / 4: tier = the nearest grade to 4 x score, so keeping score >= 0.625",
            "keeps tier 3 and up (the evaluation's tier table). The map is monotone: rankings are the logit's, and a",
            "loader that ignores `memdistill_student.json` gets the same ranking with uncalibrated scores.",
        ]
    use = _PRIOR_USE if config.embedding_prior else _USE[config.student]
    parts += ["", "## Use", use.format(path=summary["out"]), ""]
    return "\n".join(parts)


def write_model_card(out: Path, text: str) -> Path:
    path = out / "README.md"
    path.write_text(text, encoding="utf-8")
    return path
