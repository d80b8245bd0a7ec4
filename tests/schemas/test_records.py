from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from schemas import (
    Candidate,
    ContextTurn,
    Dialogue,
    Example,
    GeneratedDialogue,
    Memory,
    Query,
    RerankCase,
    Session,
    SoftLabel,
    Turn,
    render_memory,
    render_query,
    undated_memory_text,
    undated_query_text,
)

T0 = datetime(2023, 6, 14, 10, 5)


def _dialogue(turn_ids=("D1:1", "D1:2")) -> Dialogue:
    turns = [Turn(turn_id=t, speaker="Anna" if i % 2 == 0 else "Ben", text=f"turn {t}") for i, t in enumerate(turn_ids)]
    return Dialogue(
        dialogue_id="dlg-1", speakers=("Anna", "Ben"), sessions=[Session(index=1, date_time=T0, turns=turns)]
    )


def _query(**kw) -> Query:
    base = dict(
        query_id="q1",
        dialogue_id="dlg-1",
        skill="temporal",
        instruction="Find the memory",
        text="Where did Anna live in June?",
        query_time=T0,
        answer="Porto",
        evidence=["D1:1"],
    )
    return Query(**{**base, **kw})


def test_dialogue_rejects_repeated_turn_ids():
    with pytest.raises(ValidationError, match="not unique"):
        _dialogue(("D1:1", "D1:1"))


def test_dialogue_rejects_sessions_out_of_order():
    turn = [Turn(turn_id="x", speaker="A", text="t")]
    with pytest.raises(ValidationError, match="date order"):
        Dialogue(
            dialogue_id="d",
            speakers=("A", "B"),
            sessions=[
                Session(index=1, date_time=datetime(2023, 2, 1), turns=turn),
                Session(index=2, date_time=datetime(2023, 1, 1), turns=[Turn(turn_id="y", speaker="A", text="t")]),
            ],
        )


def test_memories_carry_session_date():
    mems = _dialogue().memories()
    assert [m.memory_id for m in mems] == ["D1:1", "D1:2"]
    assert all(m.timestamp == T0 for m in mems)


def test_skill_is_a_closed_set():
    with pytest.raises(ValidationError, match="skill"):
        _query(skill="vibes")


def test_evidence_must_exist_in_dialogue():
    with pytest.raises(ValidationError, match="D9:9"):
        GeneratedDialogue(dialogue=_dialogue(), queries=[_query(evidence=["D9:9"])])
    GeneratedDialogue(dialogue=_dialogue(), queries=[_query()])


def test_unanswerable_has_no_evidence_and_others_need_it():
    with pytest.raises(ValidationError, match="needs evidence"):
        _query(evidence=[])
    with pytest.raises(ValidationError, match="no evidence"):
        _query(skill="unanswerable")
    _query(skill="unanswerable", evidence=[])


def test_label_bounds_and_tiers():
    with pytest.raises(ValidationError, match="label"):
        SoftLabel(query_id="q", memory_id="m", label=1.2, tier=4, strength=0.0, n_judgments=1)
    with pytest.raises(ValidationError, match="tier"):
        SoftLabel(query_id="q", memory_id="m", label=0.5, tier=5, strength=0.0, n_judgments=1)


def test_candidate_origin_format():
    mem = Memory(memory_id="D1:1", text="x")
    Candidate(memory=mem, gold=1, origin="evidence")
    Candidate(memory=mem, gold=0, origin="constructed:superseded")
    with pytest.raises(ValidationError, match="origin"):
        Candidate(memory=mem, gold=0, origin="made up")


def test_example_gold_must_match_evidence():
    mems = _dialogue().memories()
    ok = [
        Candidate(memory=mems[0], gold=1, origin="evidence"),
        Candidate(memory=mems[1], gold=0, origin="retrieved:bm25"),
    ]
    Example(query=_query(), candidates=ok)
    wrong = [Candidate(memory=mems[0], gold=0, origin="retrieved:bm25"), ok[1]]
    with pytest.raises(ValidationError, match="evidence"):
        Example(query=_query(), candidates=wrong)


def test_json_round_trip_is_exact():
    g = GeneratedDialogue(dialogue=_dialogue(), queries=[_query(context=[ContextTurn(speaker="Ben", text="And her?")])])
    again = GeneratedDialogue.from_json(g.to_json())
    assert again == g
    assert again.to_json() == g.to_json()


def test_unknown_field_rejected():
    with pytest.raises(ValidationError, match="Extra inputs"):
        Memory(memory_id="m", text="t", colour="red")


def test_render_memory_and_query():
    m = Memory(memory_id="D1:1", speaker="Anna", timestamp=T0, text="I moved to Porto.")
    assert render_memory(m) == "[2023-06-14 (Wed) 10:05] Anna: I moved to Porto."
    assert render_memory(Memory(memory_id="x", text="bare")) == "bare"
    q = render_query("Where does she live?", [ContextTurn(speaker="Ben", text="How is Anna?")], T0)
    assert q == "Conversation so far:\nBen: How is Anna?\nAsked on 2023-06-14 (Wed) 10:05.\nWhere does she live?"


@pytest.mark.parametrize("context", [[], [ContextTurn(speaker="Ben", text="Asked on 2023-06-14 (Wed) 10:05.")]])
def test_undated_text_is_what_rendering_without_a_date_gives(context):
    text = "On [2023-06-14 (Wed) 10:05] I moved to Porto."  # a date inside the text stays
    dated = render_memory(Memory(memory_id="m", speaker="Anna", timestamp=T0, text=text))
    assert undated_memory_text(dated) == render_memory(Memory(memory_id="m", speaker="Anna", text=text))
    assert undated_memory_text(text) == text
    query = render_query("Where does she live?", context, T0)
    assert undated_query_text(query) == render_query("Where does she live?", context, None)
    assert undated_query_text(undated_query_text(query)) == undated_query_text(query)


def test_case_positives_must_be_candidates():
    with pytest.raises(ValidationError, match="positives"):
        RerankCase(case_id="c", query="q", candidates=[{"id": "a", "text": "t"}], positives=["b"])
    case = RerankCase(case_id="c", query="q", candidates=[{"id": "a", "text": "t", "date_time": "2023-01-02T03:04"}])
    assert case.candidates[0].as_memory().timestamp == datetime(2023, 1, 2, 3, 4)
