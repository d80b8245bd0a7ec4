from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from datasets import load_from_disk

import pipelines.export as export_module
from pipelines.export import FEATURES, load_dialogues, load_rows, main, save_dataset, to_dataset_dict
from pipelines.formats import LOCOMO_CATEGORIES, locomo_date, locomo_samples
from schemas import ContextTurn, DatasetRow, Dialogue, RowCandidate, Session, Turn
from tests.pipelines.fast_run import fast_build
from train.locomo import load_locomo, parse_date


def _row(i: int) -> DatasetRow:
    cand = RowCandidate(memory_id="D1:1", text="t", speaker=None, timestamp=None, gold=1, label=0.9, tier=4,
                        origin="evidence")  # fmt: skip
    return DatasetRow(query_id=f"q{i}", dialogue_id="d", skill="causal", instruction="i", query="why?", context=[],
                      query_time="2023-01-01T00:00:00", answer="a", candidates=[cand])  # fmt: skip


def test_empty_splits_are_left_out_and_the_folder_swaps_whole(tmp_path):
    folder = tmp_path / "dataset"
    save_dataset(to_dataset_dict({"train": [_row(1), _row(2)]}), "card v1", folder)
    save_dataset(to_dataset_dict({"train": [_row(3)]}), "card v2", folder)
    ds = load_from_disk(str(folder))
    assert len(ds["train"]) == 1 and ds["train"][0]["query_id"] == "q3"
    assert list(ds) == ["train"] and ds["train"].features == FEATURES
    assert (folder / "README.md").read_text() == "card v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    run = tmp_path_factory.mktemp("exp") / "run"
    fast_build(run)
    return run


def test_cli_writes_each_format_per_split(run_dir, tmp_path, capsys):
    rows = load_rows(run_dir)
    assert main([str(run_dir), "--format", "jsonl", "--out", str(tmp_path / "j")]) == 0
    for name, part in rows.items():
        lines = (tmp_path / "j" / f"{name}.jsonl").read_text().splitlines()
        assert [DatasetRow.model_validate_json(line) for line in lines] == part
    assert main([str(run_dir), "--format", "flagembedding", "--out", str(tmp_path / "f"), "--split", "test"]) == 0
    assert [p.name for p in (tmp_path / "f").iterdir()] == ["test.jsonl"]
    unanswerable = sum(1 for r in rows["test"] if r.skill == "unanswerable")
    records = (tmp_path / "f" / "test.jsonl").read_text().splitlines()
    assert len(records) == len(rows["test"]) - unanswerable
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"exported {len(records)} flagembedding records (test {len(records)})")
    assert err[-1].endswith(f"skipped {unanswerable} queries (no positive)")

    out = tmp_path / "f2"
    assert main([str(run_dir), "--format", "flagembedding", "--out", str(out), "--split", "test"]) == 0
    assert (out / "test.jsonl").read_bytes() == (tmp_path / "f" / "test.jsonl").read_bytes()  # deterministic


def test_cli_bad_run_and_split_are_one_line(run_dir, tmp_path, capsys):
    assert main([str(tmp_path / "nothing"), "--format", "jsonl", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "nothing/dataset: no built dataset" in err and "\n" not in err
    one_split = tmp_path / "one"
    save_dataset(to_dataset_dict({"train": [_row(1)]}), "card", one_split / "dataset")
    assert main([str(one_split), "--format", "jsonl", "--out", str(tmp_path / "o"), "--split", "test"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no split 'test' (it has train)" in err and "\n" not in err
    keep = tmp_path / "keep"
    (keep / "notes.txt").parent.mkdir()
    (keep / "notes.txt").write_text("mine")
    assert main([str(one_split), "--format", "sentence-transformers", "--out", str(keep)]) == 2
    assert "keep: exists and is not a saved dataset" in capsys.readouterr().err
    assert (keep / "notes.txt").read_text() == "mine"


def test_push_to_hub_needs_a_token_and_never_shows_it(run_dir, tmp_path, capsys, monkeypatch):
    args = [str(run_dir), "--format", "sentence-transformers", "--out", str(tmp_path / "st"), "--push-to-hub", "me/x"]
    monkeypatch.delenv("HF_TOKEN", raising=False)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "HF_TOKEN" in err and "\n" not in err and not (tmp_path / "st").exists()

    pushed = []
    monkeypatch.setenv("HF_TOKEN", "hf_secret123")
    monkeypatch.setattr(export_module, "push_to_hub", lambda ds, repo, token, card: pushed.append((ds, repo, token)))
    assert main(args) == 0
    ((ds, repo, token),) = pushed
    assert repo == "me/x" and token == "hf_secret123" and ds["train"].column_names == ["query", "passage", "score"]
    assert "hf_secret123" not in capsys.readouterr().err

    def refuse(ds, repo, token, card):
        raise RuntimeError(f"401 Unauthorized (token {token})\nmore")

    monkeypatch.setattr(export_module, "push_to_hub", refuse)
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: push to me/x failed: 401") and "hf_secret123" not in err


def test_locomo_export_is_evaluated_by_the_locomo_loader(run_dir, tmp_path, capsys):
    """Every row of the split becomes a case over all turns of its dialogue, with its gold, time, context and
    instruction; a second export is byte-identical."""
    assert main([str(run_dir), "--format", "locomo", "--out", str(tmp_path / "l"), "--split", "test"]) == 0
    assert [p.name for p in (tmp_path / "l").iterdir()] == ["test.json"]
    rows = load_rows(run_dir, ["test"])["test"]
    dialogues = {d.dialogue_id: d for d in load_dialogues(run_dir)}
    cases, counts = load_locomo(tmp_path / "l" / "test.json")
    assert len(cases) == len(rows) == counts["cases"]
    assert counts["samples"] == len({r.dialogue_id for r in rows})
    assert counts["turn_ids_repaired"] == counts["evidence_dropped"] == counts["empty_sessions"] == 0
    assert any(r.context for r in rows) and any(r.skill == "unanswerable" for r in rows)  # round trips not vacuous
    for case, row in zip(cases, rows, strict=True):
        dialogue = dialogues[row.dialogue_id]
        turns = [(s, t) for s in dialogue.sessions for t in s.turns]
        assert [(c.id, c.speaker, c.text, c.date_time) for c in case.candidates] == [
            (t.turn_id, t.speaker, t.text, s.date_time) for s, t in turns
        ]
        assert sorted(case.positives or []) == sorted(c.memory_id for c in row.candidates if c.gold)
        assert (case.query, case.query_time) == (row.query, datetime.fromisoformat(row.query_time))
        assert case.context == row.context and case.instruction == row.instruction
        assert case.meta["category"] == LOCOMO_CATEGORIES[row.skill] and case.meta["category_name"] == row.skill
        assert case.meta["query_id"] == row.query_id and case.meta["answer"] == row.answer
        assert (case.positives == []) == (row.skill == "unanswerable")
    assert counts["qa_without_evidence"] == sum(r.skill == "unanswerable" for r in rows)
    # adversarial: nothing answers it, or it gives one speaker's words to the other (the evidence is the real speaker)
    assert counts["adversarial"] == sum(r.skill in ("unanswerable", "speaker_swap") for r in rows)
    assert capsys.readouterr().err.strip().endswith(f"exported 1 locomo records (test 1) -> {tmp_path / 'l'}")

    assert main([str(run_dir), "--format", "locomo", "--out", str(tmp_path / "l2"), "--split", "test"]) == 0
    assert (tmp_path / "l2" / "test.json").read_bytes() == (tmp_path / "l" / "test.json").read_bytes()


def test_locomo_export_of_every_split_names_the_rows_dialogues(run_dir, tmp_path):
    assert main([str(run_dir), "--format", "locomo", "--out", str(tmp_path / "l")]) == 0
    for name, part in load_rows(run_dir).items():
        samples = json.loads((tmp_path / "l" / f"{name}.json").read_text(encoding="utf-8"))
        assert [s["sample_id"] for s in samples] == list(dict.fromkeys(r.dialogue_id for r in part))
        assert [q["query_id"] for s in samples for q in s["qa"]] == [r.query_id for r in part]


def test_locomo_dates_round_trip_through_the_loaders_parser():
    for when, text in [
        (datetime(2023, 3, 3, 10, 12), "10:12 am on 3 March, 2023"),
        (datetime(2023, 6, 19, 19, 5), "7:05 pm on 19 June, 2023"),
        (datetime(2024, 1, 1, 0, 30), "12:30 am on 1 January, 2024"),
        (datetime(2024, 12, 31, 12, 0), "12:00 pm on 31 December, 2024"),
    ]:
        assert locomo_date(when) == text and parse_date(text) == when


def _dialogue(dialogue_id: str, turn_ids: list[list[str]]) -> Dialogue:
    sessions = [
        Session(index=i, date_time=datetime(2023, 1, i, 9, 0), turns=[Turn(turn_id=t, speaker="A", text=f"say {t}")
                                                                        for t in ids])
        for i, ids in enumerate(turn_ids, 1)
    ]  # fmt: skip
    return Dialogue(dialogue_id=dialogue_id, speakers=("A", "B"), sessions=sessions)


def _locomo_row(query_id: str, dialogue_id: str, gold: list[str], other: str) -> DatasetRow:
    cands = [RowCandidate(memory_id=m, text="t", speaker="A", timestamp=None, gold=int(m in gold), label=0.5, tier=2,
                          origin="evidence") for m in [*gold, other]]  # fmt: skip
    return DatasetRow(query_id=query_id, dialogue_id=dialogue_id, skill="multi_hop", instruction="i", query="q?",
                      context=[ContextTurn(speaker="B", text="hm")], query_time="2023-02-01T08:00:00", answer="a",
                      candidates=cands)  # fmt: skip


def test_locomo_samples_map_other_turn_ids_and_their_evidence():
    odd = _dialogue("odd", [["x", "y"], ["z"]])
    plain = _dialogue("plain", [["D1:1", "D1:2"]])
    rows = [_locomo_row("q1", "odd", ["z", "x"], "y"), _locomo_row("q2", "plain", ["D1:2"], "D1:1")]
    rows.append(_locomo_row("q3", "odd", ["y"], "z"))
    samples = locomo_samples(rows, [plain, odd])
    assert [s["sample_id"] for s in samples] == ["odd", "plain"]  # the rows' order, not the dialogues'
    conv = samples[0]["conversation"]
    assert [t["dia_id"] for t in conv["session_1"] + conv["session_2"]] == ["D1:1", "D1:2", "D2:1"]
    assert conv["session_2_date_time"] == "9:00 am on 2 January, 2023"
    assert [q["evidence"] for q in samples[0]["qa"]] == [["D1:1", "D2:1"], ["D1:2"]]  # mapped, conversation order
    assert samples[1]["qa"][0]["evidence"] == ["D1:2"] and samples[1]["qa"][0]["context"] == [
        {"speaker": "B", "text": "hm"}
    ]
    with pytest.raises(ValueError, match="dialogue 'gone' is not among"):
        locomo_samples([_locomo_row("q4", "gone", ["D1:1"], "D1:2")], [plain])
    with pytest.raises(ValueError, match=r"gold memories \['D9:9'\] are not turns"):
        locomo_samples([_locomo_row("q5", "plain", ["D9:9"], "D1:1")], [plain])


def test_locomo_export_of_a_folder_without_a_manifest_is_one_line_naming_it(run_dir, tmp_path, capsys):
    """The LoCoMo format needs the whole dialogues, so the build's manifest: its absence is one line, not a trace."""
    copy = tmp_path / "run"
    shutil.copytree(run_dir / "dataset", copy / "dataset")
    assert main([str(copy), "--format", "locomo", "--out", str(tmp_path / "l")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"{copy / 'manifest.json'}: missing" in err and "Traceback" not in err
