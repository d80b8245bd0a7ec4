"""Training throughput of a Qwen3-Reranker-0.6B-shaped student on one GPU: tokens/s and model FLOPs utilisation
(MFU) of BCE steps (pointwise) and InfoNCE steps (groups of 1 positive + k negatives), bf16 autocast as the
Trainer runs it (`bf16=True`: fp32 master weights, fused AdamW).

    python bench/train_gpu.py [--batch 32] [--seq 512] [--groups 4] [--negatives 7] [--steps 10] [--warmup 3]
                              [--grad-ckpt] [--peak-tflops 989]

Random weights from `Qwen3Config` with the 0.6B sizes (hidden 1024, 28 layers, 16 heads, 8 kv heads, head dim
128, intermediate 3072, vocab 151936) and random token ids; the step is the student's: the yes-minus-no logit at
the last position (`logits_to_keep=1`), our loss, backward, optimizer step. MFU = model FLOPs / step time / peak:
6 x non-embedding parameters per token plus attention (12 x layers x seq x heads x head dim per token, fwd+bwd),
over the GPU's dense bf16 peak (known for H100/H200/A100/L4/L40S, else --peak-tflops). Exits 2 without a GPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch

PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "L4": 121.0, "A10": 125.0}
QWEN3_06B = {
    "vocab_size": 151936,
    "hidden_size": 1024,
    "intermediate_size": 3072,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "max_position_embeddings": 40960,
    "tie_word_embeddings": True,
    "rope_theta": 1000000.0,
}
YES, NO = 9693, 2152  # Qwen3's "yes" / "no" token ids; with random weights any two ids cost the same


def peak_tflops(name: str, override: float | None) -> float | None:
    if override is not None:
        return override
    for key, value in PEAK_BF16_TFLOPS.items():  # H200 before H100, L40S before L4
        if key in name:
            return value
    return None


def model_flops_per_step(model: torch.nn.Module, config: object, sequences: int, seq: int) -> float:
    """Training FLOPs (forward + backward) of one step over `sequences` x `seq` tokens."""
    embed = model.get_input_embeddings().weight.numel()
    dense = sum(p.numel() for p in model.parameters()) - embed  # tied head: computed for one position only
    attn = 12 * config.num_hidden_layers * seq * config.num_attention_heads * config.head_dim
    head = 6 * embed  # the lm head on the last position of each sequence
    return sequences * (seq * (6 * dense + attn) + head)


def measure(step, steps: int, warmup: int) -> float:
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return (time.perf_counter() - started) / steps


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=32, help="sequences per BCE step")
    p.add_argument("--seq", type=int, default=512, help="tokens per sequence")
    p.add_argument("--groups", type=int, default=4, help="groups per InfoNCE step")
    p.add_argument("--negatives", type=int, default=7, help="negatives per group")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--grad-ckpt", action="store_true", help="gradient (activation) checkpointing")
    p.add_argument("--peak-tflops", type=float, default=None, help="the GPU's dense bf16 peak, if not known")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = p.parse_args()
    if not torch.cuda.is_available():
        print("error: no CUDA GPU available; bench/train_gpu.py measures GPU training throughput", file=sys.stderr)
        return 2

    from transformers import Qwen3Config, Qwen3ForCausalLM

    from scoring.rerankers.qwen3 import Qwen3Student
    from train.losses import bce_soft, group_loss

    torch.manual_seed(0)
    device = torch.device("cuda")
    name = torch.cuda.get_device_name(device)
    config = Qwen3Config(**QWEN3_06B)
    model = Qwen3ForCausalLM(config).to(device)
    if args.grad_ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    student = SimpleNamespace(token_true_id=YES, token_false_id=NO)

    def batch(sequences: int) -> dict[str, torch.Tensor]:
        ids = torch.randint(0, config.vocab_size, (sequences, args.seq), device=device)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    bce_batch, soft = batch(args.batch), torch.rand(args.batch, device=device)
    width = 1 + args.negatives
    nce_batch = batch(args.groups * width)
    mask = torch.ones(args.groups, width, dtype=torch.bool, device=device)
    labels = torch.rand(args.groups, width, device=device)

    def run(loss_of) -> None:
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = loss_of()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    def bce_step() -> None:
        run(lambda: bce_soft(Qwen3Student.forward(student, model, bce_batch), soft))

    def nce_step() -> None:
        def loss() -> torch.Tensor:
            logits = Qwen3Student.forward(student, model, nce_batch).view(args.groups, width)
            return group_loss(logits, mask, labels, kl_weight=0.2, bce_weight=0.5)["loss"]

        run(loss)

    peak = peak_tflops(name, args.peak_tflops)
    results = {"device": name, "params": sum(p.numel() for p in model.parameters()), "seq": args.seq}
    results["grad_ckpt"] = args.grad_ckpt
    for label, step, sequences in (("bce", bce_step, args.batch), ("infonce", nce_step, args.groups * width)):
        torch.cuda.reset_peak_memory_stats()
        seconds = measure(step, args.steps, args.warmup)
        flops = model_flops_per_step(model, config, sequences, args.seq)
        results[label] = {
            "sequences_per_step": sequences,
            "step_s": round(seconds, 4),
            "tokens_per_s": round(sequences * args.seq / seconds),
            "tflops": round(flops / seconds / 1e12, 1),
            "mfu": round(flops / seconds / (peak * 1e12), 3) if peak else None,
            "peak_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1),
        }
    print(f"{name}: Qwen3-0.6B-shaped, bf16 autocast, seq {args.seq}, peak {peak} TFLOPS")
    print("| step | sequences | s/step | tokens/s | TFLOPS | MFU | peak GiB |\n|---|---|---|---|---|---|---|")
    for label in ("bce", "infonce"):
        r = results[label]
        print(
            f"| {label} | {r['sequences_per_step']} | {r['step_s']} | {r['tokens_per_s']} | {r['tflops']} | "
            f"{r['mfu']} | {r['peak_mem_gib']} |"
        )
    text = json.dumps(results)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
