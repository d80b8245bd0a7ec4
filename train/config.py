"""The training config: stages (BCE, InfoNCE), their data mix and hyper-parameters, the engine, optional LoRA.

A pydantic model read from TOML; an unknown key or a bad value raises `TrainConfigError` with one line naming
the file and the field (as `schemas.load_config` does for build configs). Example: `configs/train.toml`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.config import describe_validation_error

MAIN = "main"
"""The dataset named on the command line (`--data`); stages read it unless they say otherwise."""


class TrainConfigError(ValueError):
    """A training config that cannot be used; one line naming the file and the field."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetSource(_Section):
    """Another dataset in the exported row format (a `save_to_disk` DatasetDict), e.g. a general corpus."""

    path: Path
    split: str = "train"


class LoraConfig(_Section):
    """LoRA adapters through peft; the saved model is merged, so it loads without peft."""

    r: int = Field(default=16, ge=1)
    alpha: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | Literal["all-linear"] = "all-linear"


class EngineConfig(_Section):
    """What the transformers Trainer does with every stage."""

    bf16: Literal["auto"] | bool = Field(default="auto", description="auto: on where a CUDA GPU supports it")
    gradient_checkpointing: bool = False
    grad_accum: int = Field(default=1, ge=1)
    save_steps: int = Field(default=0, ge=0, description="checkpoint every N steps (0: only the stage's end)")
    save_total_limit: int = Field(default=2, ge=1)
    logging_steps: int = Field(default=10, ge=1)
    dataloader_workers: int = Field(default=0, ge=0)
    optim: str = Field(default="adamw_torch_fused", description="a transformers `optim` name")
    attn_implementation: str | None = Field(
        default=None, description="e.g. sdpa, flash_attention_2, flex_attention (default: the model's own)"
    )
    packing: Literal["auto"] | bool = Field(
        default="auto",
        description="padding-free packed batches (qwen3); auto: where the attention reads them natively (flash)",
    )
    freeze_embeddings: bool = Field(default=False, description="keep the input token embeddings as pretrained")
    freeze_layers: int = Field(default=0, ge=0, description="keep the lowest N transformer layers as pretrained")
    lora: LoraConfig | None = None


class StageConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    loss: Literal["bce", "infonce"]
    data: dict[str, float] = Field(
        default_factory=lambda: {MAIN: 1.0},
        description="dataset name -> weight: w copies of its rows (a seeded sample for the fraction)",
    )
    epochs: float = Field(default=1.0, gt=0)
    max_steps: int = Field(default=-1, description="stop after N optimizer steps (overrides epochs)")
    lr: float = Field(default=2e-5, gt=0)
    batch_size: int = Field(default=16, ge=1, description="per device: examples (bce) or groups (infonce)")
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        description="token budget per device batch, examples grouped by length; batch_size is then a cap",
    )
    warmup: float = Field(default=0.1, ge=0, description="warmup steps, or a fraction of all steps when < 1")
    train: Literal["all", "head"] = Field(
        default="all",
        description="what learns: every trainable weight, or the cross-encoder's output head alone on the frozen "
        "encoder (a linear probe before fine-tuning: LP-FT, Kumar et al. 2022)",
    )
    weight_decay: float = Field(default=0.0, ge=0)
    dialogue_negatives: int = Field(
        default=0, ge=0, description="easy negatives per query: other queries' candidates on its dialogue, label 0"
    )
    # infonce only
    negatives: int = Field(default=7, ge=1, description="hard negatives per positive (infonce)")
    temperature: float = Field(default=1.0, gt=0, description="the group's logits are divided by it (infonce)")
    kl_weight: float = Field(default=0.0, ge=0, description="weight of KL to the teachers' group distribution")
    kl_temperature: float = Field(default=1.0, gt=0, description="softmax temperature of the teachers' label logits")
    bce_weight: float = Field(default=0.0, ge=0, description="weight of BCE on the group's soft labels (infonce)")
    min_positive_label: float = Field(default=0.5, ge=0, le=1, description="a gold candidate below it is no positive")
    max_negative_label: float = Field(default=0.5, ge=0, le=1, description="a non-gold one above it is no negative")

    @model_validator(mode="after")
    def _check(self) -> StageConfig:
        for name, weight in self.data.items():
            if weight <= 0:
                raise ValueError(f"data.{name}: weight must be > 0 (got {weight})")
        return self


class FloorConfig(_Section):
    """The student must not end below the model it started from on a held-out split of a dataset (`train.floor`)."""

    dataset: str = Field(description="a name under [datasets], e.g. general")
    split: str = Field(default="test", description="held out from training")
    start: Literal["embedding", "model"] = Field(
        default="embedding",
        description="the start's own matching: the base model's embeddings (cosine), or the start model as a reranker",
    )
    metric: Literal["map", "mrr@10", "ndcg@10"] = "map"
    tolerance: float = Field(default=0.0, ge=0, le=1, description="how far below the start still passes")
    interpolate: str | None = Field(
        default=None,
        description="a split of the dataset to choose on: the student becomes the mix of its and its start's weights "
        "(start = model), or its cross-encoder term is scaled down (embedding_prior, start = embedding), by the most "
        "of the student that keeps the floor there",
    )


class EvalConfig(_Section):
    """Evaluation written into the model card after the last stage (skipped when the split is absent)."""

    split: str | None = "test"
    baselines: list[Literal["bm25", "embedding"]] = Field(default_factory=list)
    batch_size: int = Field(default=32, ge=1)
    calibrate: str | None = Field(
        default=None,
        description="a split of --data to fit the student's score calibration on after training (train.calibration)",
    )
    floor: FloorConfig | None = None


class TrainConfig(_Section):
    student: Literal["qwen3", "cross_encoder"] = "cross_encoder"
    model: str | None = Field(default=None, description="start checkpoint; cross-encoder default: packaged MiniLM")
    target: Literal["label", "gold"] = Field(
        default="label",
        description="what the main dataset's candidates are fitted to: the teachers' graded soft label, or binary gold",
    )
    label_sharpness: float = Field(
        default=1.0,
        gt=0,
        description="target = 'label': fit sigmoid(sharpness * logit(label)) instead of the label, wider gaps between "
        "grades in the same order (train.groups.label_targets); calibration maps the scores back",
    )
    gold_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="target = 'label': fit gold_weight * gold + (1 - gold_weight) * label, distillation's hard-label "
        "term beside the soft one (train.groups.label_targets); calibration maps the scores back",
    )
    max_length: int | None = Field(default=None, ge=8)
    embedding_prior: bool = Field(
        default=False,
        description="cross-encoder: add the start's own embedding cosine to the logit, fitted before training, with "
        "the head zeroed (step 0 is the start's ranking; scoring.rerankers.prior)",
    )
    seed: int = 13
    datasets: dict[str, DatasetSource] = Field(default_factory=dict, description="extra datasets by name")
    engine: EngineConfig = Field(default_factory=EngineConfig)
    stages: list[StageConfig] = Field(min_length=1)
    evaluation: EvalConfig = Field(default_factory=EvalConfig)

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        if MAIN in self.datasets:
            raise ValueError(f"datasets.{MAIN}: the name is reserved for --data")
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stages: names repeat ({names})")
        for i, stage in enumerate(self.stages):
            unknown = sorted(set(stage.data) - set(self.datasets) - {MAIN})
            if unknown:
                raise ValueError(f"stages.{i}.data: unknown dataset {unknown[0]!r} (declare it under [datasets])")
        floor = self.evaluation.floor
        if floor is not None and floor.dataset not in self.datasets:
            raise ValueError(
                f"evaluation.floor.dataset: unknown dataset {floor.dataset!r} (declare it under [datasets])"
            )
        if floor is not None and floor.split == self.datasets[floor.dataset].split:
            raise ValueError(f"evaluation.floor.split: {floor.split!r} is what datasets.{floor.dataset} trains on")
        probes = [s.name for s in self.stages if s.train == "head"]
        if probes and self.student != "cross_encoder":
            raise ValueError(f"stages.{probes[0]}.train: only the cross_encoder student has a head of its own")
        if self.target == "gold" and self.label_sharpness != 1.0:
            raise ValueError('label_sharpness: applies to target = "label" (binary gold has nothing to sharpen)')
        if self.target == "gold" and self.gold_weight:
            raise ValueError('gold_weight: applies to target = "label" (target = "gold" is gold_weight 1)')
        if self.embedding_prior and self.student != "cross_encoder":
            raise ValueError(f"embedding_prior: only the cross_encoder student has one, not {self.student}")
        if floor is not None and floor.interpolate is not None:
            if floor.start != ("embedding" if self.embedding_prior else "model"):
                raise ValueError(
                    'evaluation.floor.interpolate: needs start = "model" (a start with the student\'s own head), or '
                    'embedding_prior = true with start = "embedding" (the prior is the start); a bi-encoder start '
                    "has no head to mix with"
                )
            if floor.interpolate in (floor.split, self.datasets[floor.dataset].split):
                raise ValueError(
                    f"evaluation.floor.interpolate: {floor.interpolate!r} is the floor's own split or what "
                    f"datasets.{floor.dataset} trains on; choose on another (e.g. validation)"
                )
        return self


def parse_train_config(data: dict[str, Any], source: str = "config") -> TrainConfig:
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        raise TrainConfigError(f"training config {source}: {describe_validation_error(exc)}") from None


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """`key=value` (a TOML value) into the raw config; a stage is named by its name: `stages.bce.max_steps=100`."""
    key, sep, raw = assignment.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(parts):
        raise TrainConfigError(f"--set {assignment!r}: expected key=value, e.g. stages.bce.max_steps=100")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):  # the stages, by name
            node = next((x for x in node if isinstance(x, dict) and x.get("name") == part), None)
            if node is None:
                raise TrainConfigError(f"--set {key}: no stage named {part!r}")
            continue
        node = node.setdefault(part, [] if parts[: i + 1] == ["stages"] else {})
        if not isinstance(node, dict | list):
            raise TrainConfigError(f"--set {key}: {part!r} is not a section")
    if not isinstance(node, dict):
        raise TrainConfigError(f"--set {key}: name a stage, e.g. stages.bce.lr=1e-5")
    node[parts[-1]] = value


def load_train_config(path: str | Path, overrides: Sequence[str] = ()) -> TrainConfig:
    """Read and validate a TOML training config (dataset paths are relative to the working directory), with
    `key=value` overrides applied first."""
    p = Path(path)
    if not p.is_file():
        raise TrainConfigError(f"training config {p}: file not found")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TrainConfigError(f"training config {p}: not valid TOML: {exc}") from None
    for assignment in overrides:
        apply_override(data, assignment)
    return parse_train_config(data, str(p))
