"""The global steps between judging and labelling: fit the calibration on the calibration slice, audit the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import judges
from pipelines.shards import write_atomic
from schemas import BuildConfig, Example, Judgment, SoftLabel


def _in(dialogues: set[str], examples: list[Example], judgments: list[Judgment]) -> tuple[list, list]:
    chosen = [e for e in examples if e.query.dialogue_id in dialogues]
    ids = {e.query.query_id for e in chosen}
    return chosen, [j for j in judgments if j.query_id in ids]


def fit_or_load(
    folder: Path, config: BuildConfig, examples: list[Example], judgments: list[Judgment], slice_ids: set[str]
) -> judges.Calibration:
    """`folder/calibration.json`, fitted once on the calibration slice's judgments and reused after."""
    path = folder / "calibration.json"
    if path.exists():
        return judges.Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    cal_examples, cal_judgments = _in(slice_ids, examples, judgments)
    calibration = judges.fit_calibration(cal_examples, cal_judgments, config.judge, config.aggregate)
    write_atomic(path, calibration.model_dump_json(indent=2).encode())
    return calibration


def write_audit(
    run_dir: Path,
    config: BuildConfig,
    examples: list[Example],
    judgments: list[Judgment],
    labels: list[SoftLabel],
    slice_ids: set[str],
) -> dict[str, Any]:
    """`audit/audit.json`: calibration and quality figures on every dialogue outside the calibration slice."""
    cal_examples, cal_judgments = _in(slice_ids, examples, judgments)
    reported = {e.query.dialogue_id for e in examples} - slice_ids
    report = judges.audit(
        examples,
        judgments,
        labels,
        judge_config=config.judge,
        aggregate_config=config.aggregate,
        calibration_examples=cal_examples,
        calibration_judgments=cal_judgments,
        reported_dialogues=reported,
    )
    write_atomic(run_dir / "audit" / "audit.json", (json.dumps(report, indent=2, sort_keys=True) + "\n").encode())
    return report
