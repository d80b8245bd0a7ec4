"""Training throughput of a Qwen3-Reranker student: tokens/s, model FLOPs utilisation (MFU) and peak memory of
BCE steps (pointwise) and InfoNCE steps (groups), bf16 autocast as the Trainer runs it (`bf16=True`: fp32 master
weights, fused AdamW), on random weights of the 0.6B shape (`bench/random_qwen.py`).

    python bench/train_gpu.py [--batch 32] [--seq 512] [--groups 4] [--negatives 7] [--steps 10] [--warmup 3]
                              [--grad-ckpt] [--peak-tflops 989] [--out JSON]
    python bench/train_gpu.py --data runs/default/dataset [--config configs/train_qwen3.toml] [--model DIR]

Synthetic: random token ids of one fixed length. With `--data`: the recipe's own data path on that dataset, each
stage of the config as `train.distill` runs it (its examples, token-budget batches grouped by length, collator,
student forward, loss) in a plain loop of `--steps` steps; tokens/s counts non-padding tokens only, MFU counts the
FLOPs of the real tokens of each sequence. FLOPs per sequence of n tokens: 6 x non-embedding parameters x n plus
attention 12 x layers x heads x head dim x n^2 (fwd+bwd), plus the LM head on the last position; peak: the GPU's
dense bf16 peak (known for H100/H200/A100/L4/L40S, else --peak-tflops). `--shape tiny --device cpu` runs the
same code on a CPU in seconds (what the tests do). Exits 2 without a GPU for the 0.6B shape.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch

PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "L4": 121.0, "A10": 125.0}


def peak_tflops(name: str, override: float | None) -> float | None:
    if override is not None:
        return override
    for key, value in PEAK_BF16_TFLOPS.items():  # H200 before H100, L40S before L4
        if key in name:
            return value
    return None


def sequence_flops(model: torch.nn.Module, lengths: list[int]) -> float:
    """Training FLOPs (forward + backward) of sequences of these real lengths."""
    config = model.config
    embed = model.get_input_embeddings().weight.numel()
    dense = sum(p.numel() for p in model.parameters()) - embed  # tied head: computed for one position only
    attn = 12 * config.num_hidden_layers * config.num_attention_heads * config.head_dim
    return sum(n * 6 * dense + attn * n * n + 6 * embed for n in lengths)


def timed(step: Callable[[int], tuple[int, int, float]], steps: int, warmup: int, device: torch.device) -> dict:
    """Run warmup then `steps` steps; each returns (real tokens, processed tokens, FLOPs). Totals and seconds."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for i in range(warmup):
        step(i)
    sync()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    real = processed = flops = 0.0
    for i in range(warmup, warmup + steps):
        r, p, f = step(i)
        real, processed, flops = real + r, processed + p, flops + f
    sync()
    seconds = time.perf_counter() - started
    peak_mem = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else None
    return {"seconds": seconds, "real": real, "processed": processed, "flops": flops, "peak_mem": peak_mem}


def report(label: str, t: dict, steps: int, sequences: float, peak: float | None) -> dict[str, Any]:
    s = t["seconds"]
    return {
        "run": label,
        "sequences_per_step": round(sequences, 1),
        "step_s": round(s / steps, 4),
        "tokens_per_s": round(t["real"] / s),
        "padding": round(1 - t["real"] / t["processed"], 3),
        "tflops": round(t["flops"] / s / 1e12, 2),
        "mfu": round(t["flops"] / s / (peak * 1e12), 3) if peak else None,
        "peak_mem_gib": round(t["peak_mem"], 1) if t["peak_mem"] is not None else None,
    }


def make_step(student: Any, model: torch.nn.Module, optimizer: Any, device: torch.device, loss_of: Callable) -> Any:
    """One optimizer step of `loss_of(logits, batch)` on a collated batch; returns (real, processed, FLOPs)."""

    def step(batch: dict[str, torch.Tensor], lengths: list[int]) -> tuple[int, int, float]:
        batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
        targets = {k: batch.pop(k) for k in ("soft_labels", "group_mask", "group_labels") if k in batch}
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = student.forward(model, batch)
        loss = loss_of(logits, targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return sum(lengths), batch["input_ids"].numel(), sequence_flops(model, lengths)

    return step


def synthetic(args: argparse.Namespace, student: Any, device: torch.device, peak: float | None) -> list[dict]:
    from train.losses import bce_soft, group_loss

    model = student.model
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=device.type == "cuda")
    vocab = len(student.tokenizer)
    width = 1 + args.negatives

    def batch(sequences: int) -> dict[str, torch.Tensor]:
        ids = torch.randint(0, vocab, (sequences, args.seq))
        return {"input_ids": ids, "last": torch.full((sequences,), args.seq - 1)}

    bce = make_step(student, model, optimizer, device, lambda lo, t: bce_soft(lo, t["soft_labels"]))
    mask, labels = torch.ones(args.groups, width, dtype=torch.bool), torch.rand(args.groups, width)

    def nce_loss(lo: torch.Tensor, t: dict) -> torch.Tensor:
        return group_loss(
            lo.view(args.groups, width), t["group_mask"], t["group_labels"], kl_weight=0.2, bce_weight=0.5
        )["loss"]

    nce = make_step(student, model, optimizer, device, nce_loss)
    bce_batch = {**batch(args.batch), "soft_labels": torch.rand(args.batch)}
    nce_batch = {**batch(args.groups * width), "group_mask": mask, "group_labels": labels}
    out = []
    for label, step, b, n in (("bce", bce, bce_batch, args.batch), ("infonce", nce, nce_batch, args.groups * width)):
        t = timed(lambda _i, s=step, b=b, n=n: s(dict(b), [args.seq] * n), args.steps, args.warmup, device)
        out.append(report(f"synthetic {label} {n}x{args.seq}", t, args.steps, n, peak))
    return out


def recipe(args: argparse.Namespace, student: Any, device: torch.device, peak: float | None) -> list[dict]:
    """Each stage of the config on --data as train.distill feeds it: examples, batches, collator, forward, loss."""
    from train.config import load_train_config
    from train.distill import load_sources, stage_examples
    from train.engine import prepare_batches
    from train.losses import bce_soft, group_loss

    config = load_train_config(args.config, args.set)
    sources = load_sources(config, args.data)
    model = student.model
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-6, fused=device.type == "cuda")
    out = []
    for stage in config.stages:
        examples = stage_examples(stage, sources, config.seed)
        dataset, collator = prepare_batches(student, stage, config.engine, examples)
        size = 1 if stage.max_tokens is not None else stage.batch_size
        items = [dataset[i : i + size] for i in range(0, len(dataset), size)]
        random.Random(config.seed).shuffle(items)

        def loss_of(lo: torch.Tensor, t: dict, stage: Any = stage) -> torch.Tensor:
            if stage.loss == "bce":
                return bce_soft(lo, t["soft_labels"])
            mask = t["group_mask"]
            logits = lo.new_zeros(mask.shape, dtype=lo.dtype).masked_scatter(mask, lo)
            kw = {"temperature": stage.temperature, "kl_weight": stage.kl_weight, "bce_weight": stage.bce_weight}
            return group_loss(logits, mask, t["group_labels"], kl_temperature=stage.kl_temperature, **kw)["loss"]

        step = make_step(student, model, optimizer, device, loss_of)
        sequences: list[int] = []

        def one(i: int, items: list = items, step: Any = step, sequences: list = sequences, collator: Any = collator):
            chunk = items[i % len(items)]
            units = [u for item in chunk for u in item.get("batch", [item])]
            lengths = [len(f["input_ids"]) for u in units for f in u["features"]]
            sequences.append(len(lengths))
            return step(collator(chunk), lengths)

        t = timed(one, args.steps, args.warmup, device)
        mean = sum(sequences[args.warmup :]) / max(1, len(sequences) - args.warmup)
        out.append(report(f"recipe {stage.name} ({len(items)} batches)", t, args.steps, mean, peak))
    return out


def load_model(args: argparse.Namespace, device: torch.device) -> Any:
    from bench.random_qwen import build_random_qwen
    from scoring.rerankers import load_student

    path = args.model
    if path is None:
        texts: list[str] = []
        if args.data is not None:
            from datasets import load_from_disk

            split = load_from_disk(str(args.data))["train"]
            texts = [c["text"] for row in split for c in row["candidates"]] + list(split["query"])
        path = build_random_qwen(Path(tempfile.mkdtemp(prefix="random_qwen_")), args.shape, texts)
    student = load_student("qwen3", path)
    student.model.to(device).train()
    if args.grad_ckpt:
        student.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    return student


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=32, help="sequences per synthetic BCE step")
    p.add_argument("--seq", type=int, default=512, help="tokens per synthetic sequence")
    p.add_argument("--groups", type=int, default=4, help="groups per synthetic InfoNCE step")
    p.add_argument("--negatives", type=int, default=7, help="negatives per synthetic group")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--grad-ckpt", action="store_true", help="gradient (activation) checkpointing")
    p.add_argument("--peak-tflops", type=float, default=None, help="the GPU's dense bf16 peak, if not known")
    p.add_argument("--shape", choices=("0.6b", "tiny"), default="0.6b")
    p.add_argument("--device", default=None, help="default: cuda (cpu only with --shape tiny)")
    p.add_argument("--model", type=Path, default=None, help="a Qwen3 model directory instead of a random one")
    p.add_argument("--data", type=Path, default=None, help="also time the recipe's data path on this dataset")
    p.add_argument("--config", type=Path, default=Path("configs/train_qwen3.toml"), help="the recipe (with --data)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config overrides (with --data)")
    p.add_argument("--no-synthetic", action="store_true", help="only the recipe's data path")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = p.parse_args(argv)
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cpu" and args.shape != "tiny":
        print("error: no CUDA GPU available; bench/train_gpu.py measures GPU training throughput", file=sys.stderr)
        return 2
    torch.manual_seed(0)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    peak = peak_tflops(name, args.peak_tflops) if device.type == "cuda" else None
    student = load_model(args, device)
    rows = [] if args.no_synthetic else synthetic(args, student, device, peak)
    if args.data is not None:
        rows += recipe(args, student, device, peak)
    params = sum(p.numel() for p in student.model.parameters())
    results = {"device": name, "shape": args.shape, "params": params, "grad_ckpt": args.grad_ckpt, "runs": rows}
    print(f"{name}: Qwen3 {args.shape}-shaped, bf16 autocast, peak {peak} TFLOPS, grad ckpt {args.grad_ckpt}")
    print(format_table(rows))
    text = json.dumps(results)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


COLUMNS = ("run", "sequences_per_step", "step_s", "tokens_per_s", "padding", "tflops", "mfu", "peak_mem_gib")


def format_table(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join("" if r.get(c) is None else str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
