"""The engine: the transformers `Trainer` with our losses, so `accelerate launch` / `torchrun` (DDP, FSDP), bf16,
gradient accumulation, gradient checkpointing, checkpoints and resume are the Trainer's own. LoRA through peft."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset
from transformers import Trainer, TrainerCallback, TrainingArguments
from transformers.trainer_utils import get_last_checkpoint

from train.config import EngineConfig, LoraConfig, StageConfig
from train.groups import group_collator, pointwise_collator
from train.losses import bce_soft, group_loss
from train.students import Student

log = logging.getLogger("train.engine")


class DistillTrainer(Trainer):
    """Trainer whose loss is ours: BCE on soft labels (pointwise batches) or the group loss (InfoNCE batches)."""

    loss_is_scaled_for_ga = False  # compute_loss returns a per-batch mean; Trainer divides it for accumulation

    def __init__(self, *args: Any, student: Student, stage: StageConfig | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.student = student
        self.stage = stage

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
        return (loss, {"logits": logits}) if return_outputs else loss


def use_bf16(engine: EngineConfig) -> bool:
    cuda_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return cuda_bf16 if engine.bf16 == "auto" else bool(engine.bf16)


def training_arguments(stage: StageConfig, engine: EngineConfig, checkpoints: Path, seed: int) -> TrainingArguments:
    cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=str(checkpoints),
        per_device_train_batch_size=stage.batch_size,
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
        activation_checkpointing=engine.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False} if engine.gradient_checkpointing else None,
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
    if engine.freeze_embeddings:
        student.model.get_input_embeddings().requires_grad_(False)
    if engine.freeze_layers:
        freeze_lowest_layers(student.model, engine.freeze_layers)
    if engine.lora is not None:
        apply_lora(student, engine.lora, engine.gradient_checkpointing)
    collator = group_collator(student) if stage.loss == "infonce" else pointwise_collator(student)
    trainer = DistillTrainer(
        model=student.model,
        args=training_arguments(stage, engine, checkpoints, seed),
        train_dataset=Dataset.from_list(examples),
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
    if engine.lora is not None:
        merge_lora(student)
    return trainer, result
