"""The build config: a pydantic model loaded from TOML, with `key=value` overrides.

Any unknown key or bad value raises `ConfigError` with one line naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from schemas.query import SKILLS, Skill

EPISODE_SKILLS = frozenset({"single_hop", "feeling", "aggregation", "speaker_swap"})


class ConfigError(ValueError):
    """A config that cannot be used; the message is one line naming the file and field."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """`true` is not a count: pydantic would take it as 1 (`--set generate.dialogues=true`)."""
        if isinstance(value, bool) and cls.model_fields[info.field_name].annotation in (int, float):
            raise ValueError("expected a number, not a boolean")
        return value


class GenerateConfig(_Section):
    dialogues: int = Field(default=40, ge=1, le=10**9)
    sessions: int = Field(default=12, ge=2, le=60, description="sessions per dialogue")
    episodes: int = Field(default=14, ge=0, le=200, description="everyday episodes per speaker (generators.life)")
    filler: Literal["scripted", "chitchat"] = Field(
        default="chitchat", description="small talk: real exchanges (chitchat-dataset), or short scripted lines"
    )
    filler_exchanges: int = Field(
        default=9, ge=0, le=40, description="chitchat: real small-talk exchanges per session, between 2/3 of it and it"
    )
    recalls: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="chance that a later session comes back to an everyday episode ('remember how ...'): one more "
        "turn that answers a question about it on its own",
    )
    skills: list[Skill] = Field(default_factory=lambda: list(SKILLS), min_length=1)
    queries_per_skill: int = Field(default=2, ge=1, le=100, description="per dialogue")
    realizer: Literal["template", "llm"] = "template"
    realizer_provider: str | None = Field(default=None, description="name of a [providers.NAME] entry, for llm")
    realizer_attempts: int = Field(default=3, ge=1, le=20, description="tries per session before it is kept aside")
    locale: str = "en_US"

    @model_validator(mode="after")
    def _episodes_for_skills(self) -> GenerateConfig:
        needing = [s for s in self.skills if s in EPISODE_SKILLS]
        if needing and self.episodes == 0:
            raise ValueError(f"skills {needing} ask about everyday episodes: set generate.episodes > 0")
        return self


class ProviderConfig(_Section):
    """One model endpoint. The API key is read from the environment variable `api_key_env`, never from here."""

    kind: Literal["openai", "anthropic", "openai_compatible", "transformers", "offline"]
    model: str = Field(min_length=1, description="model id; a local path for transformers; any label for offline")
    base_url: str | None = None
    api_key_env: str | None = Field(
        default=None,
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="name of the environment variable holding the key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)",
    )
    max_concurrency: int = Field(default=8, ge=1, description="calls in flight at most (cut on 429, grown back)")
    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=4, ge=0, description="retries of a transient error (429, 5xx, timeout)")
    output_retries: int = Field(default=2, ge=0, description="retries of an answer that does not fit the schema")
    price_input_per_mtok: float | None = Field(default=None, ge=0, description="USD; default from the price table")
    price_output_per_mtok: float | None = Field(default=None, ge=0, description="USD; default from the price table")
    device: str | None = Field(default=None, description="transformers: cpu, cuda, cuda:1 (default: cuda if any)")
    execution: Literal["online", "batch"] = Field(
        default="online", description="batch: OpenAI Batch / Anthropic Message Batches, collected on a later run"
    )

    @model_validator(mode="after")
    def _needs_url(self) -> ProviderConfig:
        if self.kind == "openai_compatible" and not self.base_url:
            raise ValueError("an openai_compatible provider needs base_url")
        if self.execution == "batch" and self.kind not in ("openai", "anthropic"):
            raise ValueError(f"execution = 'batch' needs kind openai or anthropic, not {self.kind!r}")
        return self


class CandidatesConfig(_Section):
    constructed: int = Field(default=3, ge=0, description="constructed hard negatives per query, at most")
    retrieved: int = Field(default=3, ge=0, description="retrieved negatives per query, at most, over all retrievers")
    dialogue: int = Field(
        default=3, ge=0, description="negatives from the whole dialogue per query: other queries' evidence first"
    )
    filler: int = Field(
        default=0,
        ge=0,
        description="of the `dialogue` negatives, how many are turns that state nothing (chit-chat, asides): most "
        "of what a first stage passes over a long conversation (1 measured worse: README)",
    )
    retrievers: list[Literal["bm25", "embedding"]] = Field(
        default_factory=lambda: ["bm25", "embedding"], description="who retrieves negatives from the same dialogue"
    )
    max_candidates: int = Field(default=12, ge=2)
    dedup_threshold: float = Field(
        default=0.9, gt=0, le=1, description="drop a query this similar (word 1+2-gram Jaccard) to an earlier one"
    )


class TeacherConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    kind: Literal["scenario", "bm25", "embedding", "cross_encoder", "yes_no", "llm"]
    model: str | None = Field(
        default=None,
        description="embedding: sentence-transformers dir (None = packaged all-MiniLM-L6-v2); cross_encoder: a "
        "sequence-classification model dir; yes_no: a causal LM dir read in the Qwen3-Reranker format",
    )
    provider: str | None = Field(default=None, description="llm: name of a [providers.NAME] entry")
    method: Literal["auto", "logprobs", "verdict"] = Field(
        default="auto", description="llm: A/B token log-probabilities, or a structured verdict with a confidence"
    )
    weight: float = Field(default=1.0, gt=0)
    temperature: float = Field(default=1.0, gt=0, description="scale of score differences before the sigmoid")

    @model_validator(mode="after")
    def _llm_needs_provider(self) -> TeacherConfig:
        if (self.kind == "llm") != (self.provider is not None):
            raise ValueError(f"teacher {self.name}: `provider` is for (and required by) kind llm")
        return self


class JudgeConfig(_Section):
    teachers: list[TeacherConfig] = Field(
        default_factory=lambda: [
            TeacherConfig(name="scenario", kind="scenario"),
            TeacherConfig(name="minilm", kind="embedding"),
            TeacherConfig(name="bm25", kind="bm25"),
        ],
        min_length=1,
    )
    pairing: Literal["all", "active"] = "all"
    active_budget: float = Field(
        default=0.35, gt=0, le=1, description="active: fraction of the all-pairs calls to spend per query"
    )
    both_orders: bool = True
    null_anchor: bool = Field(
        default=True, description="compare every candidate with 'no memory' too, so labels are absolute"
    )

    @model_validator(mode="after")
    def _unique(self) -> JudgeConfig:
        names = [t.name for t in self.teachers]
        if len(set(names)) != len(names):
            raise ValueError(f"teacher names repeat: {names}")
        return self

    def teacher_weights(self) -> dict[str, float]:
        """Each teacher's configured weight, by name, in panel order."""
        return {t.name: t.weight for t in self.teachers}


class AggregateConfig(_Section):
    prior: float = Field(default=0.1, ge=0, description="strength of the Bradley-Terry prior (pseudo-ties)")
    max_iter: int = Field(default=200, ge=1, le=100_000)
    weights: Literal["earned", "config"] = Field(
        default="earned", description="earned: config weight x reliability measured on the calibration slice"
    )
    calibrator: Literal["isotonic", "platt"] = "isotonic"  # labels are expected grade / 4: a sigmoid cannot fit them
    calibration_fraction: float = Field(
        default=0.2, gt=0, lt=1, description="share of the train dialogues that fits weights and the calibrator"
    )
    bootstrap: int = Field(default=20, ge=0, le=10_000, description="bootstrap resamples for label intervals (0: none)")


class SplitConfig(_Section):
    validation: float = Field(default=0.15, ge=0, lt=1)
    test: float = Field(default=0.15, ge=0, lt=1)

    @model_validator(mode="after")
    def _sum(self) -> SplitConfig:
        if self.validation + self.test >= 1:
            raise ValueError("validation + test must leave room for train")
        return self


class ExportConfig(_Section):
    license: str = "cc-by-4.0"


class BuildConfig(_Section):
    name: str = Field(default="default", pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = 13
    shard_size: int = Field(default=10, ge=1, le=100_000, description="dialogues per shard")
    generate: GenerateConfig = Field(default_factory=GenerateConfig)
    candidates: CandidatesConfig = Field(default_factory=CandidatesConfig)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    aggregate: AggregateConfig = Field(default_factory=AggregateConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    max_cost_usd: float | None = Field(default=None, gt=0, description="stop cleanly (resumable) past this spend")
    max_failed_share: float = Field(
        default=0.25, ge=0, le=1, description="stop (resumable) when more of a stage's items than this fail for good"
    )

    @model_validator(mode="after")
    def _providers_exist(self) -> BuildConfig:
        if self.generate.realizer == "llm":
            name = self.generate.realizer_provider
            if name not in self.providers:
                raise ValueError(f"generate.realizer_provider {name!r} names no [providers.NAME] entry")
        for teacher in self.judge.teachers:
            if teacher.provider is not None and teacher.provider not in self.providers:
                raise ValueError(
                    f"teacher {teacher.name}: provider {teacher.provider!r} names no [providers.NAME] entry"
                )
        return self

    def section_hash(self, *sections: str, exclude: dict[str, Any] | None = None) -> str:
        """A short stable hash of some sections (with the seed), to key what they produce.

        `exclude` is passed to pydantic's `model_dump` for every section: fields a stage does not read.
        """
        data = {s: getattr(self, s).model_dump(mode="json", exclude=exclude) for s in sections}
        data["seed"] = self.seed
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]

    def config_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_override(data: dict[str, Any], assignment: str) -> None:
    key, sep, raw = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {assignment!r}: expected key=value, e.g. generate.dialogues=8")
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {key}: {part!r} is not a section")
        node = child
    node[parts[-1]] = _parse_value(raw.strip())


def describe_validation_error(err: ValidationError) -> str:
    """The first problem as one line: `field.path: message (got value)`, and how many more there are."""
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    extra = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
    got = first.get("input")
    shown = "" if first["type"] == "extra_forbidden" or isinstance(got, dict | list) else f" (got {got!r})"
    return f"{where}: {first['msg']}{shown}{extra}"


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> BuildConfig:
    """Read a TOML build config (or the defaults when `path` is None), apply `key=value` overrides, validate."""
    source = str(path) if path is not None else "defaults"
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config {source}: file not found")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config {source}: not valid TOML: {exc}") from None
    for assignment in overrides:
        _apply_override(data, assignment)
    try:
        return BuildConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"config {source}: {describe_validation_error(exc)}") from None
