from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from schemas import ContextTurn
from train.locomo import LocomoError, load_locomo, normalize_dia_id, parse_date

QUIRKY = [
    {
        "sample_id": "conv-x",
        "conversation": {
            "speaker_a": "Ana",
            "speaker_b": "Raj",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [
                {"speaker": "Ana", "dia_id": "D1:1", "text": "I started pottery classes."},
                {"speaker": "Raj", "dia_id": "D1:2", "text": "Nice!", "blip_caption": "a photo of a vase"},
                {"speaker": "Ana", "dia_id": "D1:2", "text": "A repeated id."},
            ],
            "session_2_date_time": "9:00 am on 20 May, 2023",
            "session_2": [],
            "session_11_date_time": "8:30 pm on 1 June, 2023",
            "session_11": [
                {"speaker": "Raj", "dia_id": "D11:26", "text": "I ran 5 km in 2022."},
                {"speaker": "Ana", "dia_id": "D11:5", "text": "Good for you."},
            ],
        },
        "qa": [
            {
                "question": "What classes did Ana start?",
                "answer": "pottery",
                "evidence": ["D1:1; D11:5"],
                "category": 4,
            },
            {"question": "When did Raj run 5 km?", "answer": 2022, "evidence": ["D:11:26", "D11:05"], "category": 2},
            {"question": "What did Raj share?", "answer": "a vase", "evidence": ["D9:17", "D1:2"], "category": 1},
            {"question": "What does Ana bake?", "evidence": ["D30:1"], "category": 5, "adversarial_answer": "bread"},
            {"question": "", "answer": "x", "evidence": [], "category": 3},
        ],
    }
]


def test_parse_date_and_normalize_ids() -> None:
    assert parse_date("10:12 am on 3 March, 2023") == datetime(2023, 3, 3, 10, 12)
    assert parse_date("7:40 pm on 19 June, 2023") == datetime(2023, 6, 19, 19, 40)
    assert normalize_dia_id("D:11:26") == "D11:26"
    assert normalize_dia_id("D30:05") == "D30:5"
    assert normalize_dia_id(" D8:6 ") == "D8:6"


def test_quirky_file_is_repaired_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "quirky.json"
    path.write_text(json.dumps(QUIRKY))
    cases, counts = load_locomo(path)
    assert [c.case_id for c in cases] == ["conv-x:qa0", "conv-x:qa1", "conv-x:qa2", "conv-x:qa3"]
    assert [c.positives for c in cases] == [["D1:1", "D11:5"], ["D11:26", "D11:5"], ["D1:2"], []]
    assert counts["evidence_split"] == 1
    assert counts["evidence_repaired"] == 2
    assert counts["evidence_dropped"] == 2  # D9:17 and D30:1 point at no turn
    assert counts["qa_without_evidence"] == 1
    assert counts["qa_without_question"] == 1
    assert counts["answers_not_string"] == 1
    assert counts["adversarial"] == 1
    assert counts["empty_sessions"] == 1
    assert counts["duplicate_turns"] == 1
    assert counts["turns"] == 4 and counts["cases"] == 4

    first = cases[0]
    assert [c.id for c in first.candidates] == ["D1:1", "D1:2", "D11:26", "D11:5"]
    assert first.candidates[1].text == "Nice! [shares a photo of a vase]"
    assert first.candidates[2].date_time == datetime(2023, 6, 1, 20, 30)
    assert first.query_time is not None and first.query_time > datetime(2023, 6, 1, 20, 30)
    assert cases[1].meta == {"sample_id": "conv-x", "category": 2, "category_name": "temporal", "answer": "2022"}
    assert cases[3].meta["answer"] == "bread" and cases[3].meta["category_name"] == "adversarial"


def test_fixture_sample_loads(locomo_sample: Path) -> None:
    cases, counts = load_locomo(locomo_sample)
    assert counts["samples"] == 1 and len(cases) == counts["qa"] == 6
    assert cases[0].positives == ["D1:1", "D2:2"]
    assert len(cases[0].candidates) == 10
    assert cases[0].candidates[5].text.endswith("[shares a photo of a terraced street at dusk]")


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(LocomoError, match=r"bad\.json"):
        load_locomo(bad)
    bad.write_text(json.dumps([{"sample_id": "s1", "qa": []}]))
    with pytest.raises(LocomoError, match="sample s1: no 'conversation'"):
        load_locomo(bad)


def test_summaries_as_candidates_mark_the_evidence_sessions(locomo_sample: Path) -> None:
    cases, counts = load_locomo(locomo_sample, candidates="summaries")
    assert counts["summaries"] == 2
    assert [c.id for c in cases[0].candidates] == ["S1", "S2"]
    assert cases[0].candidates[1].date_time == datetime(2023, 6, 19, 19, 40)
    assert cases[0].positives == ["S1", "S2"]  # evidence D1:1 and D2:2
    assert cases[1].positives == ["S2"]


def test_observations_as_candidates_follow_their_cited_turns(locomo_sample: Path) -> None:
    cases, counts = load_locomo(locomo_sample, candidates="observations")
    assert counts["observations"] == 5 and counts["observations_unlinked"] == 0
    first = cases[0]
    texts = {c.id: c.text for c in first.candidates}
    assert [texts[p] for p in first.positives] == [
        "Priya signed a lease on a flat in Leeds.",
        "Priya moved to York because her partner got a teaching job there.",
    ]
    assert first.candidates[0].speaker == "Priya"


def test_fixed_pools_keep_positives_and_are_seeded(locomo_sample: Path) -> None:
    full, _ = load_locomo(locomo_sample)
    pooled, _ = load_locomo(locomo_sample, pool=4, seed=1)
    again, _ = load_locomo(locomo_sample, pool=4, seed=1)
    other, _ = load_locomo(locomo_sample, pool=4, seed=2)
    assert pooled == again
    assert all(len(c.candidates) == 4 for c in pooled)
    for case, whole in zip(pooled, full, strict=True):
        assert set(case.positives or []) <= {c.id for c in case.candidates}
        assert case.positives == whole.positives
    assert [[c.id for c in x.candidates] for x in pooled] != [[c.id for c in x.candidates] for x in other]
    with pytest.raises(LocomoError, match="pool 1"):
        load_locomo(locomo_sample, pool=1)


def test_export_extension_fields_are_read_when_present(locomo_sample: Path, tmp_path: Path) -> None:
    """`context`, `query_time`, `instruction`, `skill` and `query_id` (what pipelines.export --format locomo adds)
    reach the case; items without them keep the defaults."""
    data = json.loads(locomo_sample.read_text())
    qa = data[0]["qa"]
    qa[1] |= {"context": [{"speaker": "Tomas", "text": "She moved?"}], "query_time": "2023-07-01T09:30:00",
              "instruction": " Find the memory. ", "skill": "causal", "query_id": "dlg-1-q2"}  # fmt: skip
    path = tmp_path / "extended.json"
    path.write_text(json.dumps(data))
    plain, _ = load_locomo(locomo_sample)
    cases, _ = load_locomo(path)
    case = cases[1]
    assert case.context == [ContextTurn(speaker="Tomas", text="She moved?")]
    assert case.query_time == datetime(2023, 7, 1, 9, 30) and case.instruction == "Find the memory."
    assert case.meta == {**plain[1].meta, "category_name": "causal", "query_id": "dlg-1-q2"}
    assert plain[1].query_time == datetime(2023, 6, 20, 19, 40) and plain[1].context == [] and not plain[1].instruction
    assert cases[0] == plain[0] and cases[2:] == plain[2:]

    qa[1]["context"] = [{"speaker": "Tomas"}]
    path.write_text(json.dumps(data))
    with pytest.raises(LocomoError, match=r"extended\.json: sample sample-1: qa 1: context text: Field required"):
        load_locomo(path)
    qa[1] |= {"context": [], "query_time": "yesterday"}
    path.write_text(json.dumps(data))
    with pytest.raises(LocomoError, match="qa 1: query_time: Invalid isoformat"):
        load_locomo(path)
