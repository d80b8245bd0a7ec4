"""Toy examples built directly from schemas records."""

from __future__ import annotations

from datetime import datetime

from schemas import Candidate, Example, Memory, Query

ASKED = datetime(2023, 7, 15, 12, 0)


def example(query_id: str, question: str, memories: dict[str, str], gold: list[str]) -> Example:
    """An example whose candidates are `memories` (id -> text), in dict order; `gold` ids are the evidence."""
    candidates = [
        Candidate(
            memory=Memory(memory_id=mid, speaker="Anna", timestamp=datetime(2023, 6, 1 + i, 10, 0), text=text),
            gold=1 if mid in gold else 0,
            origin="evidence" if mid in gold else "retrieved:bm25",
        )
        for i, (mid, text) in enumerate(memories.items())
    ]
    query = Query(
        query_id=query_id,
        dialogue_id="d1",
        skill="temporal",
        instruction="Judge whether the memory helps answer the question",
        text=question,
        query_time=ASKED,
        answer="-",
        evidence=gold,
    )
    return Example(query=query, candidates=candidates)


def porto() -> Example:
    return example(
        "q_porto",
        "Where did Anna move to in May?",
        {
            "m_gold": "I moved to Porto in May, the new flat is near the river.",
            "m_cat": "My cat knocked a glass off the kitchen table this morning.",
            "m_bike": "The bike shop fixed my flat tyre for ten euros.",
            "m_film": "We watched a long documentary about volcanoes last night.",
            "m_job": "My manager wants the quarterly report by Friday.",
        },
        gold=["m_gold"],
    )


def guitar() -> Example:
    return example(
        "q_guitar",
        "What instrument is Anna learning to play?",
        {
            "g_cook": "I burned the pasta again, cooking is not my thing.",
            "g_gold": "I am learning to play the guitar, my first real instrument.",
            "g_rain": "It rained all weekend so we stayed inside.",
            "g_car": "The car needs new brakes before the trip.",
        },
        gold=["g_gold"],
    )
