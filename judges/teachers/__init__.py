"""Teachers: each judges ordered pairs of a query's candidates. `make_teacher` builds one from its config."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from judges.pairing import Pair
from judges.teachers.bm25 import bm25_scores
from judges.teachers.embedding import embedding_scores
from judges.teachers.pointwise import PointwiseTeacher
from schemas import Example, Judgment, TeacherConfig


class Teacher(Protocol):
    """Judges the given ordered pairs of each example (`pairs[k]` belongs to `examples[k]`).

    Returns judgments in example order, then pair order. The pairs come from outside so that pair selection
    (all pairs today, active pairing later) stays separate from the teachers.
    """

    name: str

    def judge(self, examples: list[Example], pairs: list[list[Pair]]) -> list[Judgment]: ...


def make_teacher(cfg: TeacherConfig) -> Teacher:
    if cfg.kind == "bm25":
        return PointwiseTeacher(name=cfg.name, temperature=cfg.temperature, score=bm25_scores)
    if cfg.kind == "embedding":
        return PointwiseTeacher(
            name=cfg.name, temperature=cfg.temperature, score=partial(embedding_scores, model_path=cfg.model)
        )
    raise ValueError(f"teacher {cfg.name!r}: unknown kind {cfg.kind!r}")


__all__ = ["PointwiseTeacher", "Teacher", "make_teacher"]
