"""Teachers: each judges ordered pairs of a query's candidates. `make_teacher` builds one from its config."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from judges.pairing import Pair
from judges.teachers.bm25 import bm25_scores
from judges.teachers.embedding import embedding_scores
from judges.teachers.llm import LLMPairwiseTeacher
from judges.teachers.local_model import model_scores
from judges.teachers.pointwise import PointwiseTeacher
from judges.teachers.scenario import ScenarioTeacher
from providers.base import Provider
from schemas import Example, Failure, Judgment, TeacherConfig


class Teacher(Protocol):
    """Judges the given ordered pairs of each example (`pairs[k]` belongs to `examples[k]`).

    Returns judgments in example order, then pair order. The pairs come from outside so that pair selection
    (all pairs, or active pairing in rounds) stays separate from the teachers. Pairs may include the null anchor
    (`judges.anchor.NULL_ID`); a teacher that cannot judge it skips those pairs (see `JUDGES_NULL`).
    """

    name: str

    def judge(self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure]) -> list[Judgment]: ...


ProviderFactory = Callable[[str], Provider]

JUDGES_NULL = frozenset({"scenario", "llm"})  # teacher kinds that compare a memory with "no memory"


def judges_null(cfg: TeacherConfig) -> bool:
    return cfg.kind in JUDGES_NULL


def make_teacher(cfg: TeacherConfig, open_provider: ProviderFactory | None = None, provider_kind: str = "") -> Teacher:
    """A teacher from its config. LLM teachers open their provider by name, inside their own event loop."""
    if cfg.kind == "scenario":
        return ScenarioTeacher(name=cfg.name, temperature=cfg.temperature)
    if cfg.kind in ("cross_encoder", "yes_no"):
        if not cfg.model:
            raise ValueError(f"teacher {cfg.name!r}: kind {cfg.kind} needs `model`, a local model directory")
        score = partial(model_scores, kind=cfg.kind, model_path=cfg.model)
        return PointwiseTeacher(name=cfg.name, temperature=cfg.temperature, score=score)
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


__all__ = [
    "JUDGES_NULL",
    "LLMPairwiseTeacher",
    "PointwiseTeacher",
    "ProviderFactory",
    "ScenarioTeacher",
    "Teacher",
    "judges_null",
    "make_teacher",
]
