"""bench/realism.py: its figures on hand-made LoCoMo files, the shared fixture, and the tiny build."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from tests.pipelines.fast_run import fast_build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT.parent / "shared" / "fixtures" / "locomo_format_sample.json"
_spec = importlib.util.spec_from_file_location("bench_realism", ROOT / "bench" / "realism.py")
realism = importlib.util.module_from_spec(_spec)
sys.modules["bench_realism"] = realism  # dataclasses look their module up
_spec.loader.exec_module(realism)


def _sample(sample_id: str, sessions: list[list[tuple[str, str]]], qa: list[dict]) -> dict:
    conv: dict = {"speaker_a": "Ana", "speaker_b": "Ben"}
    for n, turns in enumerate(sessions, 1):
        conv[f"session_{n}_date_time"] = f"10:00 am on {n} March, 2023"
        conv[f"session_{n}"] = [
            {"speaker": who, "dia_id": f"D{n}:{k}", "text": text, "extra_field": 1}
            for k, (who, text) in enumerate(turns, 1)
        ]
    return {"sample_id": sample_id, "conversation": conv, "qa": qa, "new_top_level": {}}


@pytest.fixture
def handmade(tmp_path: Path) -> Path:
    long = "I finally finished the long hike up the ridge with my sister last weekend"
    sessions = [
        [("Ana", long), ("Ben", "ok"), ("Ana", "ok"), ("Ben", "Nice, how was the weather up there")],
        [("Ana", "We adopted a puppy named Biscuit from the shelter on Friday"), ("Ben", "ok"), ("Ana", "ok")],
    ]
    qa = [
        {"question": "What did Ana do with her sister?", "answer": "a hike", "evidence": ["D1:1"], "category": 1},
        {"question": "How did Ana feel about Biscuit in 2023?", "answer": "Biscuit", "evidence": ["D2:1"]},
        {"question": "What did Ben say?", "answer": "weather", "evidence": ["D1:4; D2:9"], "category": 4},
    ]
    path = tmp_path / "hand.json"
    path.write_text(json.dumps([_sample("a", sessions, qa)]), encoding="utf-8")
    return path


def test_handmade_figures(handmade: Path):
    build, reference = realism.measure_files(handmade, None, handmade, seed=1)
    assert build == reference
    assert build["sessions_per_dialogue"] == 2 and build["turns_per_dialogue"] == 7
    assert build["short_turns"] == pytest.approx(4 / 7)
    assert build["duplicate_turns"] == pytest.approx(1 - 4 / 7)  # "ok" four times: one text
    assert build["what_questions"] == pytest.approx(2 / 3)
    assert build["feelings_questions"] == pytest.approx(1 / 3)
    # evidence D1:1 and D1:4 are one session back, D2:1 none (D2:9 is no turn)
    assert build["evidence_outside_latest"] == pytest.approx(2 / 3)
    assert build["sessions_back_median"] == 1
    assert build["answer_words_in_evidence"] == pytest.approx(1.0)  # "a hike": "a" is a stop word, "hike" is there
    assert build["multi_hop_evidence_turns"] == 1
    # the whole dialogue is each pool; gold turns of 15, 11 and 7 words outrank 6, 5 and 4 of their 6 negatives
    assert build["auc_length"] == pytest.approx(15 / 18)


def test_template_masks_names_and_numbers():
    names = {"Ana", "Ben"}
    assert realism.template("When did Ana move to Porto in 2023?", names) == ("when", "did", "<name>", "move")
    assert realism.template("Ben's 3 dogs, what are they?", names) == ("ben's", "<num>", "dogs", "what")
    assert realism.template("Did I tell Priya?", names) == ("did", "i", "tell", "<name>")


def test_pool_auc_is_symmetric_and_ties_count_half():
    pools = [[(1, {"length": 3.0}), (0, {"length": 1.0}), (0, {"length": 3.0})]]
    assert realism.pool_auc(pools)["length"] == pytest.approx(0.75)
    flipped = [[(1, {"length": 1.0}), (0, {"length": 3.0})]]
    assert realism.pool_auc(flipped)["length"] == pytest.approx(1.0)
    assert realism.pool_auc(flipped)["date"] is None


@pytest.fixture
def locomo_fixture() -> Path:
    """The shared LoCoMo-format sample beside the checkout (a clone elsewhere has none: skip, as tests/train does)."""
    if not FIXTURE.is_file():
        pytest.skip(f"{FIXTURE} not found")
    return FIXTURE


def test_fixture_side_by_side(capsys, tmp_path: Path, locomo_fixture: Path):
    out = tmp_path / "r.json"
    assert realism.main(["--locomo", str(FIXTURE), "--reference", str(FIXTURE), "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["build"]["questions"] == 6 and figures["reference"]["turns"] == 10
    assert figures["reference"]["candidates_per_query"] == 10  # a pool of 50 holds the whole dialogue
    table = capsys.readouterr().out
    assert "| distinct-2 over turns |" in table and ">= 0.45" in table


def test_tiny_build_through_its_export(tmp_path: Path):
    run = tmp_path / "run"
    fast_build(run)
    out = tmp_path / "r.json"
    reference = ["--reference", str(FIXTURE)] if FIXTURE.is_file() else []
    assert realism.main([str(run), *reference, "--json", str(out)]) == 0
    build = json.loads(out.read_text())["build"]
    assert build["dialogues"] == 3 and build["pools"] > 0
    assert build["candidates_in_dialogue"] == 1.0  # every pool candidate is a turn: positions are known
    assert build["fact_kinds"] >= 1 and "lives_in" in build["fact_kind_names"]
    for name in realism.FEATURES:
        assert 0.5 <= build[f"auc_{name}"] <= 1.0


def test_bad_input_is_one_line(tmp_path: Path, capsys):
    assert realism.main([str(tmp_path)]) == 2
    assert f"{tmp_path / 'manifest.json'}: missing" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('[{"qa": []}]')
    with pytest.raises(SystemExit, match="no 'conversation' object"):
        realism.main(["--locomo", str(bad)])
