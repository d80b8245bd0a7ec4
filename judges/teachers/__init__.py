"""Teachers: each judges ordered pairs of a query's candidates. `make_teacher` builds one from its config."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from judges.pairing import Pair
from judges.teachers.bm25 import bm25_scores
from judges.teachers.embedding import embedding_scores
from judges.teachers.llm import LLMPairwiseTeacher
from judges.teachers.pointwise import PointwiseTeacher
from providers.base import Provider
from schemas import Example, Failure, Judgment, TeacherConfig


class Teacher(Protocol):
    """Judges the given ordered pairs of each example (`pairs[k]` belongs to `examples[k]`).

    Returns judgments in example order, then pair order. The pairs come from outside so that pair selection
    (all pairs today, active pairing later) stays separate from the teachers.
    """

    name: str

    def judge(self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure]) -> list[Judgment]: ...


ProviderFactory = Callable[[str], Provider]


def make_teacher(cfg: TeacherConfig, open_provider: ProviderFactory | None = None, provider_kind: str = "") -> Teacher:
    """A teacher from its config. LLM teachers open their provider by name, inside their own event loop."""
    if cfg.kind == "bm25":
        return PointwiseTeacher(name=cfg.name, temperature=cfg.temperature, score=bm25_scores)
    if cfg.kind == "embedding":
        return PointwiseTeacher(
            name=cfg.name, temperature=cfg.temperature, score=partial(embedding_scores, model_path=cfg.model)
        )
    if cfg.kind == "llm":
        if open_provider is None:
            raise ValueError(f"teacher {cfg.name!r}: an llm teacher needs providers")
        method = cfg.method
        if method == "auto":  # Anthropic gives no token log-probabilities
            method = "verdict" if provider_kind == "anthropic" else "logprobs"
        return LLMPairwiseTeacher(cfg.name, cfg.provider, method, open_provider)
    raise ValueError(f"teacher {cfg.name!r}: unknown kind {cfg.kind!r}")


__all__ = ["LLMPairwiseTeacher", "PointwiseTeacher", "ProviderFactory", "Teacher", "make_teacher"]
