"""The global steps between judging and labelling: fit the calibration on the calibration slice, audit the rest."""

from __future__ import annotations

import json
from collections.abc import Callable
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
    folder: Path, config: BuildConfig, calibration_slice: Callable[[], tuple[list[Example], list[Judgment]]]
) -> judges.Calibration:
    """`folder/calibration.json`, fitted once on the calibration slice's examples and judgments (read only when
    there is a fit to do) and reused after."""
    path = folder / "calibration.json"
    if path.exists():
        return judges.Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    cal_examples, cal_judgments = calibration_slice()
    calibration = judges.fit_calibration(cal_examples, cal_judgments, config.judge, config.aggregate)
    write_atomic(path, calibration.model_dump_json(indent=2).encode())
    return calibration


def write_audit(
    run_dir: Path,
    config: BuildConfig,
    records: Callable[[], tuple[list[Example], list[Judgment], list[SoftLabel]]],
    slice_ids: set[str],
    key: str,
) -> dict[str, Any]:
    """`audit/audit.json`: calibration and quality figures on every dialogue outside the calibration slice.

    `key` is the labels' stage key: the report is written beside it (`audit/audit.key`) and reused while it matches;
    `records()` (every example, judgment and label) is only read when the report is made.
    """
    path, key_path = run_dir / "audit" / "audit.json", run_dir / "audit" / "audit.key"
    if path.exists() and key_path.exists() and key_path.read_text(encoding="utf-8") == key:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass  # recomputed below
    examples, judgments, labels = records()
    cal_examples, cal_judgments = _in(slice_ids, examples, judgments)
    reported = {e.query.dialogue_id for e in examples} - slice_ids
    report = judges.audit_labels(
        examples,
        judgments,
        labels,
        judge_config=config.judge,
        aggregate_config=config.aggregate,
        calibration_examples=cal_examples,
        calibration_judgments=cal_judgments,
        reported_dialogues=reported,
    )
    key_path.unlink(missing_ok=True)  # a report and a key that do not belong together are never left behind
    write_atomic(path, (json.dumps(report, indent=2, sort_keys=True) + "\n").encode())
    write_atomic(key_path, key.encode())
    return report
