"""The engine: the transformers `Trainer` with our losses, so `accelerate launch` / `torchrun` (DDP, FSDP), bf16,
gradient accumulation, gradient checkpointing, checkpoints and resume are the Trainer's own. LoRA through peft."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path
from typing import Any

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments
from transformers.trainer_utils import get_last_checkpoint

from scoring.rerankers import CrossEncoderStudent, Student
from train.batching import padding_share, token_budget_batches
from train.config import EngineConfig, LoraConfig, StageConfig
from train.groups import group_collator, pointwise_collator, tokenized, unit_lengths
from train.losses import bce_soft, group_loss

log = logging.getLogger("train.engine")

# transformers 5.2x renamed `gradient_checkpointing` to `activation_checkpointing` (the old name is a deprecated
# alias there); older releases, 5.17 among them, know only the old one.
_CKPT = (
    "activation_checkpointing"
    if "activation_checkpointing" in {f.name for f in dataclasses.fields(TrainingArguments)}
    else "gradient_checkpointing"
)


class NonFiniteError(RuntimeError):
    """Training produced a non-finite loss or gradient; the message names the stage and step."""


class FiniteGuard(TrainerCallback):
    """Stops training at the first optimizer step whose loss or gradients are not finite (one sync a step)."""

    def __init__(self, trainer: DistillTrainer):
        self.trainer = trainer

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        t = self.trainer
        grads = [p.grad for p in t.model.parameters() if p.grad is not None]
        norms = [torch.linalg.vector_norm(g, dtype=torch.float32) for g in grads]
        norm = torch.linalg.vector_norm(torch.stack(norms)) if norms else torch.zeros(())
        loss_ok, grad_ok = bool(t.losses_finite), bool(torch.isfinite(norm))
        t.losses_finite = torch.tensor(True)
        if not (loss_ok and grad_ok):
            what = "loss" if not loss_ok else f"gradient (norm {norm.item()})"
            raise NonFiniteError(f"stage {t.stage_name}: non-finite {what} at step {state.global_step + 1}")


class DistillTrainer(Trainer):
    """Trainer whose loss is ours: BCE on soft labels (pointwise batches) or the group loss (InfoNCE batches)."""

    loss_is_scaled_for_ga = False  # compute_loss returns a per-batch mean; Trainer divides it for accumulation

    def __init__(self, *args: Any, student: Student, stage: StageConfig | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.student = student
        self.stage = stage
        self.stage_name = stage.name if stage is not None else "train"
        self.losses_finite = torch.tensor(True)
        self.add_callback(FiniteGuard(self))

    def compute_loss(
        self,
        model: torch.nn.Module,
        inputs: dict[str, torch.Tensor],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]:
        inputs = dict(inputs)
        if "group_mask" in inputs:
            mask, labels = inputs.pop("group_mask"), inputs.pop("group_labels")
            flat = self.student.forward(model, inputs)
            logits = flat.new_zeros(mask.shape, dtype=flat.dtype).masked_scatter(mask, flat)
            stage = self.stage or StageConfig(name="infonce", loss="infonce")
            loss = group_loss(
                logits,
                mask,
                labels,
                temperature=stage.temperature,
                kl_weight=stage.kl_weight,
                kl_temperature=stage.kl_temperature,
                bce_weight=stage.bce_weight,
            )["loss"]
        else:
            labels = inputs.pop("soft_labels")
            logits = self.student.forward(model, inputs)
            loss = bce_soft(logits, labels)
        finite = torch.isfinite(loss.detach())  # read once per optimizer step by FiniteGuard: no sync here
        self.losses_finite = self.losses_finite.to(finite.device) & finite
        return (loss, {"logits": logits}) if return_outputs else loss


def use_bf16(engine: EngineConfig) -> bool:
    cuda_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return cuda_bf16 if engine.bf16 == "auto" else bool(engine.bf16)


def training_arguments(
    stage: StageConfig, engine: EngineConfig, checkpoints: Path, seed: int, prepared_batches: bool = False
) -> TrainingArguments:
    """The Trainer's arguments; with `prepared_batches` each dataset item is already a (token-budget) batch."""
    cuda = torch.cuda.is_available()
    ckpt = engine.gradient_checkpointing
    return TrainingArguments(
        output_dir=str(checkpoints),
        per_device_train_batch_size=1 if prepared_batches else stage.batch_size,
        gradient_accumulation_steps=engine.grad_accum,
        learning_rate=stage.lr,
        weight_decay=stage.weight_decay,
        optim=engine.optim,
        num_train_epochs=stage.epochs,
        max_steps=stage.max_steps,
        warmup_steps=stage.warmup,
        logging_steps=engine.logging_steps,
        logging_first_step=True,
        save_strategy="steps" if engine.save_steps > 0 else "no",
        save_steps=engine.save_steps if engine.save_steps > 0 else 500,
        save_total_limit=engine.save_total_limit,
        seed=seed,
        data_seed=seed,
        bf16=use_bf16(engine),
        **{_CKPT: ckpt, f"{_CKPT}_kwargs": {"use_reentrant": False} if ckpt else None},
        dataloader_num_workers=engine.dataloader_workers,
        ddp_find_unused_parameters=False,
        use_cpu=not cuda,
        report_to=[],
        remove_unused_columns=False,
        disable_tqdm=True,
    )


def apply_lora(student: Student, lora: LoraConfig, gradient_checkpointing: bool) -> None:
    """Wrap the student's model in peft LoRA adapters (the cross-encoder's head stays fully trainable)."""
    try:
        from peft import LoraConfig as PeftLoraConfig
        from peft import TaskType, get_peft_model
    except ImportError:
        raise RuntimeError("engine.lora needs peft: pip install -c constraints.txt 'memdistill[lora]'") from None
    task = TaskType.CAUSAL_LM if student.kind == "qwen3" else TaskType.SEQ_CLS
    if gradient_checkpointing:
        student.model.enable_input_require_grads()
    config = PeftLoraConfig(
        task_type=task,
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
    )
    student.model = get_peft_model(student.model, config)


def merge_lora(student: Student) -> None:
    """Fold the adapters into the weights, so the saved model is a plain transformers checkpoint."""
    if hasattr(student.model, "merge_and_unload"):
        student.model = student.model.merge_and_unload()


PACKED_ATTENTION = ("flash_attention_2", "flash_attention_3")
"""Attention implementations that read packed sequences (position_ids restarting) without a dense block mask."""


def use_packing(student: Student, engine: EngineConfig) -> bool:
    """Pack when asked (and the student can), or on `auto` where the model's attention reads packed rows natively."""
    if engine.packing == "auto":
        attention = getattr(student.model.config, "_attn_implementation", None)
        return student.supports_packing and attention in PACKED_ATTENTION
    if engine.packing and not student.supports_packing:
        raise ValueError(f"engine.packing: the {student.kind} student cannot pack sequences")
    return bool(engine.packing)


def prepare_batches(
    student: Student, stage: StageConfig, engine: EngineConfig, examples: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], Any]:
    """The Trainer's dataset and collator: tokenized once; with `stage.max_tokens`, each item is a prepared
    token-budget batch of examples (or groups) of similar length, else each item is one example (or group).
    A cross-encoder with a new embedding prior has it fitted to these examples' labels here (`start_prior`)."""
    pack = use_packing(student, engine)
    units = tokenized(student, examples)
    start_prior(student, units)
    dataset: list[dict[str, Any]] = units
    if stage.max_tokens is not None:
        lengths = unit_lengths(units)
        batches = token_budget_batches(lengths, stage.max_tokens, stage.batch_size, packed=pack)
        dataset = [{"batch": [units[i] for i in b]} for b in batches]
        log.info(
            "stage %s: %d token-budget batches of <= %d tokens (%s), %.1f%% padding",
            stage.name,
            len(batches),
            stage.max_tokens,
            "packed" if pack else "padded",
            100 * padding_share(batches, lengths, pack),
        )
    collator = (group_collator if stage.loss == "infonce" else pointwise_collator)(student, pack=pack)
    return dataset, collator


def start_prior(student: Student, units: list[dict[str, Any]]) -> None:
    """Fit a new embedding prior (`scoring.rerankers.prior`) to the stage's labels: pointwise or group members."""
    if not isinstance(student, CrossEncoderStudent) or student.prior is None:
        return
    features = [f for u in units for f in u["features"]]
    labels = [label for u in units for label in (u["labels"] if "labels" in u else [u["label"]])]
    if not student.start_prior(features, labels):
        return
    log.info(
        "embedding prior fitted on %d examples: logit = cross-encoder + %.3f * cosine %+.3f (head zeroed)",
        len(labels),
        student.prior.weight,
        student.prior.bias,
    )
    if student.prior.weight == 0:
        log.warning("embedding prior: the labels do not rise with the start's cosine; the prior only calibrates")


_LAYER = re.compile(r"\.layers?\.(\d+)\.")


def freeze_lowest_layers(model: Any, n: int) -> int:
    """Keep the lowest `n` transformer layers (parameters named `...layer.<i>.` or `...layers.<i>.`, i < n) as they
    are; return how many parameter tensors were frozen. `ValueError` when the model has no such layers."""
    frozen = 0
    for name, param in model.named_parameters():
        m = _LAYER.search(name)
        if m and int(m.group(1)) < n:
            param.requires_grad_(False)
            frozen += 1
    if not frozen:
        raise ValueError(f"engine.freeze_layers = {n}: the model has no parameters named like 'layer.<i>.'")
    return frozen


def train_stage(
    student: Student,
    stage: StageConfig,
    engine: EngineConfig,
    examples: list[dict[str, Any]],
    checkpoints: Path,
    *,
    seed: int,
    resume: bool = False,
    callbacks: list[TrainerCallback] | None = None,
) -> tuple[DistillTrainer, Any]:
    """Train one stage on its examples (pointwise dicts for bce, groups for infonce); return (trainer, result).

    With `resume`, the run continues from the last checkpoint under `checkpoints` (if any).
    """
    if engine.attn_implementation is not None:
        student.model.set_attn_implementation(engine.attn_implementation)
    if engine.freeze_embeddings:
        student.model.get_input_embeddings().requires_grad_(False)
    if engine.freeze_layers:
        freeze_lowest_layers(student.model, engine.freeze_layers)
    if stage.train == "head":  # a linear probe: the encoder as it is, the head alone learns
        assert isinstance(student, CrossEncoderStudent)  # the config allows it for no other student
        student.model.requires_grad_(False)
        student.head().requires_grad_(True)
    elif engine.lora is not None:
        apply_lora(student, engine.lora, engine.gradient_checkpointing)
    dataset, collator = prepare_batches(student, stage, engine, examples)
    trainer = DistillTrainer(
        model=student.model,
        args=training_arguments(stage, engine, checkpoints, seed, prepared_batches=stage.max_tokens is not None),
        train_dataset=dataset,
        data_collator=collator,
        processing_class=student.tokenizer,
        callbacks=callbacks,
        student=student,
        stage=stage,
    )
    last = get_last_checkpoint(str(checkpoints)) if resume and checkpoints.is_dir() else None
    if last is not None:
        log.info("stage %s: resuming from %s", stage.name, last)
    result = trainer.train(resume_from_checkpoint=last)
    if engine.lora is not None and stage.train != "head":
        merge_lora(student)
    return trainer, result
