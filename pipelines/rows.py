"""Join an example with its soft labels into one dataset row."""

from __future__ import annotations

from schemas import DatasetRow, Example, RowCandidate, SoftLabel


def to_row(example: Example, labels: list[SoftLabel]) -> DatasetRow:
    by_id = {lab.memory_id: lab for lab in labels if lab.query_id == example.query.query_id}
    missing = [c.memory.memory_id for c in example.candidates if c.memory.memory_id not in by_id]
    if missing:
        raise ValueError(f"query {example.query.query_id!r}: no soft label for candidates {missing}")
    q = example.query
    return DatasetRow(
        query_id=q.query_id,
        dialogue_id=q.dialogue_id,
        skill=q.skill,
        instruction=q.instruction,
        query=q.text,
        context=q.context,
        query_time=q.query_time.isoformat(),
        answer=q.answer,
        candidates=[
            RowCandidate(
                memory_id=c.memory.memory_id,
                text=c.memory.text,
                speaker=c.memory.speaker,
                timestamp=c.memory.timestamp.isoformat() if c.memory.timestamp else None,
                gold=c.gold,
                grade=c.grade,
                label=by_id[c.memory.memory_id].label,
                tier=by_id[c.memory.memory_id].tier,
                origin=c.origin,
            )
            for c in example.candidates
        ],
    )
