from __future__ import annotations

import pytest
from datasets import load_from_disk

import pipelines.export as export_module
from pipelines.export import FEATURES, load_rows, main, save_dataset, to_dataset_dict
from schemas import DatasetRow, RowCandidate
from tests.pipelines.fast_run import fast_build


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
