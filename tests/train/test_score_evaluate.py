from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from datasets import load_from_disk

from schemas import DEFAULT_INSTRUCTION, CaseCandidate, RerankCase, ScoredCase
from tests.train.toy_data import toy_rows
from train import evaluate, score
from train.data import CaseFileError, case_triples, read_cases, rows_to_cases, to_triple, write_jsonl
from train.evaluate import evaluate_scores

CASES = [
    RerankCase(
        case_id="c1",
        query="Where did Anna live in June?",
        query_time=datetime(2023, 6, 14, 10, 0),
        candidates=[
            CaseCandidate(id="a", text="I moved to Porto.", speaker="Anna", date_time=datetime(2023, 5, 1, 9, 0)),
            CaseCandidate(id="b", text="Lyon was lovely."),
        ],
        positives=["a"],
        meta={"skill": "temporal"},
    ),
    RerankCase(
        case_id="c2",
        query="Why?",
        instruction="Find the cause",
        candidates=[CaseCandidate(id="x", text="Because of the job.")],
    ),
]


def test_to_triple_renders_like_judging() -> None:
    instruction, query, doc = to_triple(CASES[0], CASES[0].candidates[0])
    assert instruction == DEFAULT_INSTRUCTION
    assert query == "Asked on 2023-06-14 (Wed) 10:00.\nWhere did Anna live in June?"
    assert doc == "[2023-05-01 (Mon) 09:00] Anna: I moved to Porto."
    assert case_triples(CASES[1]) == [("Find the cause", "Why?", "Because of the job.")]


def test_rows_to_cases_keeps_gold_and_skill(toy_dataset_dir: Path) -> None:
    cases = rows_to_cases(load_from_disk(str(toy_dataset_dir))["test"])
    assert [c.case_id for c in cases] == ["q10", "q11", "q12"]
    assert all(c.positives == ["g"] for c in cases)
    assert cases[1].meta["skill"] == "coreference"
    assert cases[1].context[0].text == "Who is she?"
    assert cases[0].candidates[2].date_time is None


def test_rows_to_cases_names_the_bad_row() -> None:
    good = toy_rows(2)
    bad = {**good[1].model_dump(mode="json"), "skill": "astrology"}
    with pytest.raises(ValueError, match=r"test row 1: skill"):
        rows_to_cases([good[0].model_dump(mode="json"), bad], name="test")


def test_read_cases_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    write_jsonl(path, CASES)
    assert read_cases(path) == CASES
    with path.open("a") as fh:
        fh.write('{"case_id": "c3", "query": "q", "candidates": []}\n')
    with pytest.raises(CaseFileError, match=r"cases.jsonl:3: candidates"):
        read_cases(path)


def test_score_cli_writes_one_line_per_case(tiny_qwen_dir: Path, tmp_path: Path) -> None:
    cases_path, out = tmp_path / "cases.jsonl", tmp_path / "scores.jsonl"
    write_jsonl(cases_path, CASES)
    assert score.main(["--model", str(tiny_qwen_dir), "--cases", str(cases_path), "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 2
    scored = [ScoredCase.model_validate_json(line) for line in lines]
    assert [s.case_id for s in scored] == ["c1", "c2"]
    assert set(scored[0].scores) == {"a", "b"} and all(0 < v < 1 for v in scored[0].scores.values())


def test_score_cli_reports_a_bad_line(tiny_qwen_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases_path = tmp_path / "cases.jsonl"
    cases_path.write_text("not json\n")
    argv = ["--model", str(tiny_qwen_dir), "--cases", str(cases_path), "--out", str(tmp_path / "s.jsonl")]
    assert score.main(argv) == 2
    assert "cases.jsonl:1" in capsys.readouterr().err


def test_evaluate_scores_groups_and_skips() -> None:
    cases = [*CASES, CASES[0].model_copy(update={"case_id": "c3", "meta": {"skill": "causal"}})]
    scored = [
        ScoredCase(case_id="c1", scores={"a": 0.9, "b": 0.1}),
        ScoredCase(case_id="c3", scores={"a": 0.2, "b": 0.8}),
    ]
    report = evaluate_scores(cases, scored)
    assert report["evaluated"] == 2 and report["skipped_no_positives"] == 1
    assert report["overall"]["mrr@10"] == pytest.approx(0.75)
    assert report["by_group"]["temporal"]["map"] == 1.0
    assert report["by_group"]["causal"]["map"] == 0.5
    assert report["by_group"]["all"]["skipped_no_positives"] == 1
    with pytest.raises(ValueError, match="c3"):
        evaluate_scores(cases, scored[:1])


def test_evaluate_cli_on_dataset(tiny_qwen_dir: Path, toy_dataset_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    argv = ["--model", str(tiny_qwen_dir), "--data", str(toy_dataset_dir), "--out", str(out)]
    assert evaluate.main(argv) == 0
    report = json.loads(out.read_text())
    assert report["split"] == "test" and report["evaluated"] == 3
    assert set(report["by_group"]) == {"temporal", "causal", "coreference"}
    assert 0 < report["overall"]["map"] <= 1


def test_evaluate_cli_on_locomo_counts_repairs(
    tiny_qwen_dir: Path, locomo_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quirky = json.loads(locomo_sample.read_text())
    quirky[0]["qa"][0]["evidence"] = ["D1:1; D2:02"]
    quirky[0]["qa"][1]["evidence"] = ["D9:9"]
    quirky[0]["qa"][2]["answer"] = 2023
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps(quirky))
    out, scores_out = tmp_path / "report.json", tmp_path / "scores.jsonl"
    argv = ["--model", str(tiny_qwen_dir), "--locomo", str(path), "--out", str(out), "--scores-out", str(scores_out)]
    assert evaluate.main(argv) == 0
    report = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == report
    counts = report["locomo_counts"]
    assert (counts["evidence_split"], counts["evidence_repaired"], counts["evidence_dropped"]) == (1, 1, 1)
    assert counts["answers_not_string"] == 1
    assert report["skipped_no_positives"] == 1 and report["evaluated"] == 5
    assert set(report["by_group"]) == {"multi_hop", "temporal", "open_domain", "single_hop", "adversarial"}
    assert report["by_group"]["single_hop"]["skipped_no_positives"] == 1

    # the saved scores give the same report without the model
    again = tmp_path / "again.json"
    assert evaluate.main(["--scores", str(scores_out), "--locomo", str(path), "--out", str(again)]) == 0
    assert json.loads(again.read_text())["overall"] == report["overall"]


def with_candidates(texts: dict[str, str], positive: str) -> RerankCase:
    """CASES[0] with these candidates (id -> text), one of them the positive."""
    candidates = [CaseCandidate(id=cid, text=text) for cid, text in texts.items()]
    return CASES[0].model_copy(update={"candidates": candidates, "positives": [positive]})


def test_bm25_baseline_ranks_the_overlapping_memory_first() -> None:
    from train.baselines import bm25_scores

    case = with_candidates(
        {
            "x": "The weather was grey all week.",
            "y": "Anna said she would live in Porto from June.",
            "z": "Ben bought a car.",
        },
        positive="y",
    )
    scores = bm25_scores([case])[0].scores
    assert max(scores, key=scores.get) == "y"


def test_evaluate_reports_calibration_for_students_only() -> None:
    scored = [ScoredCase(case_id="c1", scores={"a": 0.9, "b": 0.2})]
    report = evaluate_scores(CASES, scored, threshold=0.5)
    overall = report["overall"]
    assert overall["recall@1"] == 1.0
    assert overall["ece"] == pytest.approx((0.1 + 0.2) / 2)
    assert overall["brier"] == pytest.approx((0.01 + 0.04) / 2)
    assert (overall["precision@t"], overall["recall@t"]) == (1.0, 1.0)
    uncalibrated = evaluate_scores(CASES, scored, calibrated=False)["overall"]
    assert uncalibrated["ece"] is None and uncalibrated["map"] == 1.0


def test_evaluate_reports_the_tier_table_on_graded_and_binary_cases() -> None:
    scored = [ScoredCase(case_id="c1", scores={"a": 0.9, "b": 0.7})]  # tiers 4 and 3
    binary = evaluate_scores(CASES, scored)["overall"]  # positives only: a is grade 4, b grade 0
    assert binary["tiers"]["at_tier"]["3"] == {
        "precision": 0.5,
        "recall": 1.0,
        "kept": 1.0,
        "precision_evidence": 0.5,
        "r_precision": 1.0,  # a ranks first: a threshold between .9 and .7 would keep it alone
    }
    assert binary["spearman"] == pytest.approx(1.0)
    graded = [CASES[0].model_copy(update={"meta": {"skill": "temporal", "grades": {"a": 4, "b": 3}}})]
    tiers = evaluate_scores(graded, scored)["overall"]["tiers"]
    assert tiers["share_grade"]["3"] == 0.5 and tiers["share_tier"]["3"] == 0.5
    assert tiers["at_tier"]["3"]["precision"] == 1.0 and tiers["at_tier"]["4"]["recall"] == 1.0
    assert evaluate_scores(graded, scored, calibrated=False)["overall"]["tiers"] is None


def test_evaluate_reports_how_far_scores_follow_candidate_length() -> None:
    case = with_candidates(
        {
            "short": "Porto.",
            "mid": "She moved to Porto in June.",
            "long": "Ben said the weather in Leeds was grey all week and he stayed in.",
        },
        positive="mid",
    )
    by_length = [ScoredCase(case_id=case.case_id, scores={"short": 0.1, "mid": 0.5, "long": 0.9})]
    assert evaluate_scores([case], by_length)["overall"]["length_rho"] == pytest.approx(1.0)
    against = [ScoredCase(case_id=case.case_id, scores={"short": 0.3, "mid": 0.9, "long": 0.2})]
    report = evaluate_scores([case], against, calibrated=False)
    assert report["overall"]["length_rho"] == pytest.approx(-0.5)
    assert report["by_group"][evaluate.group_of(case)]["length_rho"] == pytest.approx(-0.5)


def test_evaluate_cli_baselines_without_a_model(
    toy_dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    assert evaluate.main(["--data", str(toy_dataset_dir), "--baselines", "bm25", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    report = json.loads(out.read_text())
    assert set(report["baselines"]) == {"bm25"} and report["overall"]["ece"] is None
    assert "| bm25 | 3 |" in captured.err
    with pytest.raises(SystemExit):
        evaluate.main(["--data", str(toy_dataset_dir), "--baselines", "tfidf", "--out", str(out)])
