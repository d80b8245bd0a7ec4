"""Records shared by every stage of memdistill. This package imports nothing else from the project."""

from __future__ import annotations

from schemas.candidate import Candidate, origin_kind
from schemas.cases import CaseCandidate, RerankCase, ScoredCase
from schemas.config import (
    AggregateConfig,
    BuildConfig,
    CandidatesConfig,
    ConfigError,
    ExportConfig,
    GenerateConfig,
    JudgeConfig,
    ProviderConfig,
    SplitConfig,
    TeacherConfig,
    load_config,
)
from schemas.dataset import DatasetRow, RowCandidate
from schemas.dialogue import Dialogue, Session, Turn
from schemas.embeddings import TextEmbeddings
from schemas.example import Example, GeneratedDialogue, GeneratedQueries
from schemas.failure import Failure
from schemas.grade import EVIDENCE_TIER, MAX_GRADE, NULL_GRADE, REASON_GRADE, grade_of, tier_of
from schemas.judgment import Judgment
from schemas.label import SoftLabel
from schemas.memory import Memory
from schemas.query import SKILLS, ContextTurn, Query, Skill
from schemas.render import (
    DEFAULT_INSTRUCTION,
    QWEN3_RERANKER_PREFIX,
    QWEN3_RERANKER_SUFFIX,
    qwen3_reranker_pair,
    render_memory,
    render_query,
    undated_memory_text,
    undated_query_text,
)
from schemas.version import SCHEMA_VERSION

__all__ = [
    "DEFAULT_INSTRUCTION",
    "EVIDENCE_TIER",
    "MAX_GRADE",
    "NULL_GRADE",
    "QWEN3_RERANKER_PREFIX",
    "QWEN3_RERANKER_SUFFIX",
    "REASON_GRADE",
    "SCHEMA_VERSION",
    "SKILLS",
    "AggregateConfig",
    "BuildConfig",
    "Candidate",
    "CandidatesConfig",
    "CaseCandidate",
    "ConfigError",
    "ContextTurn",
    "DatasetRow",
    "Dialogue",
    "Example",
    "ExportConfig",
    "Failure",
    "GenerateConfig",
    "GeneratedDialogue",
    "GeneratedQueries",
    "JudgeConfig",
    "Judgment",
    "Memory",
    "ProviderConfig",
    "Query",
    "RerankCase",
    "RowCandidate",
    "ScoredCase",
    "Session",
    "Skill",
    "SoftLabel",
    "SplitConfig",
    "TeacherConfig",
    "TextEmbeddings",
    "Turn",
    "grade_of",
    "load_config",
    "origin_kind",
    "qwen3_reranker_pair",
    "render_memory",
    "render_query",
    "tier_of",
    "undated_memory_text",
    "undated_query_text",
]
