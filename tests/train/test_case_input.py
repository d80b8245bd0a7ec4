"""What evaluation reads is refused with one line naming the file and case, never reported as wrong metrics:
repeated case ids (in cases or scores), non-finite scores, empty inputs, undecodable files, a damaged dataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from schemas import CaseCandidate, RerankCase, ScoredCase
from train import evaluate, score
from train.data import write_jsonl

CASES = [
    RerankCase(
        case_id=f"c{i}",
        query="Where did Anna live in June?",
        candidates=[CaseCandidate(id="a", text="I moved to Porto."), CaseCandidate(id="b", text="Lyon was lovely.")],
        positives=["a"],
    )
    for i in range(2)
]
SCORES = [ScoredCase(case_id=f"c{i}", scores={"a": 0.9, "b": 0.2}) for i in range(2)]


def run(tmp_path: Path, cases: list, scores: list, capsys) -> tuple[int, str]:
    write_jsonl(tmp_path / "cases.jsonl", cases)
    write_jsonl(tmp_path / "scores.jsonl", scores)
    args = ["--cases", str(tmp_path / "cases.jsonl"), "--scores", str(tmp_path / "scores.jsonl")]
    code = evaluate.main([*args, "--out", str(tmp_path / "report.json")])
    return code, capsys.readouterr().err.strip()


def test_clean_inputs_evaluate(tmp_path, capsys):
    assert run(tmp_path, CASES, SCORES, capsys)[0] == 0


def test_a_second_score_line_for_a_case_is_refused(tmp_path, capsys):
    worse = ScoredCase(case_id="c1", scores={"a": 0.1, "b": 0.8})
    code, err = run(tmp_path, CASES, [*SCORES, worse], capsys)
    assert code == 2 and err == f"error: {tmp_path / 'scores.jsonl'}:3: case 'c1' repeats (first at " \
                                f"{tmp_path / 'scores.jsonl'}:2)"  # fmt: skip


def test_a_nan_score_is_refused_naming_the_case(tmp_path, capsys):
    (tmp_path / "scores.jsonl").write_text('{"case_id": "c0", "scores": {"a": NaN, "b": 0.2}}\n')
    code = evaluate.main(["--cases", str(tmp_path / "c.jsonl"), "--scores", str(tmp_path / "scores.jsonl"),
                          "--out", str(tmp_path / "r.json")])  # fmt: skip
    assert code == 2  # the cases file is missing: named first
    write_jsonl(tmp_path / "c.jsonl", CASES)
    code = evaluate.main(["--cases", str(tmp_path / "c.jsonl"), "--scores", str(tmp_path / "scores.jsonl"),
                          "--out", str(tmp_path / "r.json")])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        code == 2 and err == f"error: {tmp_path / 'scores.jsonl'}:1: case 'c0': non-finite score for candidates ['a']"
    )


def test_a_repeated_case_is_refused(tmp_path, capsys):
    code, err = run(tmp_path, [*CASES, CASES[0]], SCORES, capsys)
    assert code == 2 and "cases.jsonl:3: case 'c0' repeats" in err and "\n" not in err


def test_empty_inputs_are_refused(tmp_path, capsys):
    code, err = run(tmp_path, [], SCORES, capsys)
    assert code == 2 and err == f"error: {tmp_path / 'cases.jsonl'}: no cases"
    code, err = run(tmp_path, CASES, [], capsys)
    assert code == 2 and err == f"error: {tmp_path / 'scores.jsonl'}: no cases"


def test_score_names_a_line_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    write_jsonl(path, CASES)
    path.write_bytes(path.read_bytes() + b'{"case_id": "\xff"}\n')
    code = score.main(["--model", str(tmp_path / "no-model"), "--cases", str(path), "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith(f"error: {path}:3: not UTF-8 text") and "\n" not in err


def test_a_truncated_arrow_file_is_one_line(toy_dataset_dir, tmp_path, capsys):
    data = tmp_path / "dataset"
    shutil.copytree(toy_dataset_dir, data)
    arrow = next(data.glob("test/*.arrow"))
    arrow.write_bytes(arrow.read_bytes()[:100])
    code = evaluate.main(["--data", str(data), "--baselines", "bm25", "--out", str(tmp_path / "r.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith(f"error: --data {data}: not a readable dataset (") and "\n" not in err


def test_locomo_items_that_are_not_objects_are_one_line(tmp_path, capsys):
    sample = {"sample_id": "s1", "conversation": {"session_1": [{"dia_id": "D1:1", "speaker": "A", "text": "hi"}]}}
    for bad, needle in [
        ({**sample, "qa": ["what?"]}, "sample s1: qa 0 is not an object (str)"),
        ({**sample, "conversation": {"session_1": ["hi"]}}, "sample s1: session_1[0] is not a turn object (str)"),
    ]:
        path = tmp_path / "locomo.json"
        path.write_text(json.dumps([bad]))
        assert evaluate.main(["--locomo", str(path), "--baselines", "bm25", "--out", str(tmp_path / "r.json")]) == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert err == f"error: {path}: {needle}"


def test_distill_and_export_name_a_truncated_arrow_file(toy_dataset_dir, tmp_path):
    from pipelines.export import ExportError, load_rows
    from train.data import load_dataset_dir

    run = tmp_path / "run"
    shutil.copytree(toy_dataset_dir, run / "dataset")
    arrow = next((run / "dataset").glob("train/*.arrow"))
    arrow.write_bytes(arrow.read_bytes()[:100])
    with pytest.raises(ValueError, match=rf"^--data {run / 'dataset'}: not a readable dataset \("):
        load_dataset_dir(run / "dataset", "--data")
    with pytest.raises(ExportError, match=r"not a readable dataset .*; build it again$"):
        load_rows(run)
