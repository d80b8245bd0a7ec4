"""`--decontaminate`: queries overlapping evaluation sets are dropped, counted, and keyed by the sets' content."""

from __future__ import annotations

import json

import pytest
from datasets import load_from_disk

from pipelines.build import main
from pipelines.decontaminate import EvalSetError, load_eval_sets, ngrams, read_questions
from pipelines.shards import read_shard
from schemas import GeneratedDialogue
from tests.pipelines.fast_run import FAST, TINY, fast_build


def test_ngrams_and_overlap():
    assert ngrams("Where did Anna live, in May?", 5) == {
        ("where", "did", "anna", "live", "in"),
        ("did", "anna", "live", "in", "may"),
    }
    assert ngrams("Who is she?", 5) == {("who", "is", "she")}  # shorter than n: one gram of all its words
    sets = load_eval_sets([], threshold=0.5)
    assert not sets.contaminated("anything at all here")


def test_reads_reranking_cases_and_locomo(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"case_id": "a", "query": "Q one?", "candidates": []}) + "\n\n")
    locomo = tmp_path / "locomo.json"
    locomo.write_text(json.dumps([{"sample_id": "s", "qa": [{"question": "Q two?"}, {"answer": "no question"}]}]))
    assert read_questions(cases) == ["Q one?"] and read_questions(locomo) == ["Q two?"]
    sets = load_eval_sets([cases, locomo])
    assert [f["questions"] for f in sets.files] == [1, 1]
    assert sets.contaminated("q ONE") and not sets.contaminated("Q three?")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"query": "ok"}\n{"query": 3}\n', "x.jsonl:2: a reranking case needs a string 'query'"),
        ('{"query": "ok"}\n{oops\n', "x.jsonl:2: not JSON"),
        ('[{"conversation": {}}]', "x.jsonl: sample 0: a LoCoMo sample needs a 'qa' list"),
    ],
)
def test_bad_eval_file_names_file_and_line(tmp_path, text, needle):
    path = tmp_path / "x.jsonl"
    path.write_text(text)
    with pytest.raises(EvalSetError, match=needle):
        load_eval_sets([path])


def test_build_drops_overlapping_queries_and_keys_candidates_by_content(tmp_path, capsys):
    run = tmp_path / "run"
    clean = fast_build(run)
    generated = [g for p in sorted(run.glob("generate/*/shard-*.jsonl")) for g in read_shard(p, GeneratedDialogue)]
    queries = [q for g in generated for q in g.queries]
    # the same question reworded at its start: most of its 5-grams still match, and no other query's
    target = next(
        q
        for q in queries
        if len(q.text.split()) >= 8
        and not any(ngrams("So tell me: " + q.text) & ngrams(o.text) for o in queries if o is not q)
    )
    evals = tmp_path / "eval.jsonl"
    evals.write_text(json.dumps({"query": "So tell me: " + target.text}) + "\n" + json.dumps({"query": "Hi?"}) + "\n")

    args = ["--config", str(TINY), "--out", str(run), "--quiet", *[x for s in FAST for x in ("--set", s)]]
    assert main([*args, "--decontaminate", str(evals)]) == 0
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["counts"]["decontaminated_dropped"] == 1
    assert manifest["decontamination"]["dropped_queries"] == [target.query_id]
    assert manifest["decontamination"]["files"][0]["questions"] == 2
    assert manifest["counts"]["queries"] == clean["counts"]["queries"] - 1
    assert manifest["stage_keys"]["generate"] == clean["stage_keys"]["generate"]
    assert manifest["stage_keys"]["candidates"] != clean["stage_keys"]["candidates"]
    ids = {i for split in load_from_disk(str(run / "dataset")).values() for i in split["query_id"]}
    assert target.query_id not in ids and len(ids) == manifest["counts"]["queries"]
    card = (run / "dataset" / "README.md").read_text()
    assert "## Decontamination" in card and "1 queries were dropped" in card and "`eval.jsonl` (2 questions)" in card

    moved = tmp_path / "elsewhere.jsonl"
    moved.write_bytes(evals.read_bytes())  # the same content under another name: nothing recomputed
    assert main([*args, "--decontaminate", str(moved)]) == 0
    again = json.loads((run / "manifest.json").read_text())
    assert all(s["shards_computed"] == 0 for s in again["stages"].values())
    assert again["dataset"]["fingerprints"] == manifest["dataset"]["fingerprints"]

    moved.write_text(json.dumps({"query": "Hi?"}) + "\n")  # changed content: recomputed, nothing dropped
    assert main([*args, "--decontaminate", str(moved)]) == 0
    changed = json.loads((run / "manifest.json").read_text())
    assert changed["stages"]["candidates"]["shards_computed"] == 3 and changed["counts"]["decontaminated_dropped"] == 0
    assert changed["dataset"]["fingerprints"] == clean["dataset"]["fingerprints"]

    assert main([*args, "--decontaminate", str(moved), "--decontaminate-threshold", "1.5"]) == 2
    assert "threshold must be in (0, 1]" in capsys.readouterr().err
