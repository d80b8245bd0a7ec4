"""The null anchor: a virtual candidate, "no memory", compared with every real candidate.

Bradley-Terry strengths are relative within a query; the strength of a candidate over the null makes them absolute,
so a query no memory answers ("unanswerable") gives every candidate a low label. The null is never exported.
"""

from __future__ import annotations

from schemas import Memory

NULL_ID = "__none__"
NULL_TEXT = "(no memory)"


def null_memory() -> Memory:
    return Memory(memory_id=NULL_ID, text=NULL_TEXT)


def is_null(memory_id: str) -> bool:
    return memory_id == NULL_ID
