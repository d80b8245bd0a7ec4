"""The GPU check of the Qwen3 recipe (issue 12), one command: `bench/gpu_check.sh` (sets up, then runs this).

1. a random Qwen3 of the 0.6B shape with a tokenizer trained on the dataset's text (`bench/random_qwen.py`);
2. `bench/train_gpu.py`: synthetic steps and the recipe's own data path (non-padding tokens/s, MFU, peak memory);
3. the real recipe, `python -m train.distill --config configs/train_qwen3.toml` on the dataset (bf16, BCE then
   InfoNCE, evaluation with the BM25 baseline): it must exit 0 (the finite guard checks every step) with finite
   losses, and its MFU is counted from the real tokens of every stage;
4. a short table, printed last; logs, JSON and the model card under --work ($OUT on the GPU machine); the models
   themselves go to a scratch folder (--scratch, default a temporary one), never to --work.

`--tiny` runs the same on a CPU in seconds (a tiny model, a few steps): what the tests run. Exit 0 when all holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TINY_SETS = [
    "stages.bce.max_tokens=2048",
    "stages.bce.max_steps=3",
    "stages.infonce.max_tokens=4096",
    "stages.infonce.max_steps=2",
    "stages.infonce.dialogue_negatives=2",
    "stages.bce.dialogue_negatives=2",
    "engine.dataloader_workers=0",
    "engine.logging_steps=1",
    "evaluation.batch_size=8",
]


def run(cmd: list[str], log: Path, timeout: float) -> int:
    """Run `cmd` from the project root, output to `log`; its exit code (124 on timeout)."""
    started = time.monotonic()
    with log.open("w") as fh:
        try:
            code = subprocess.run(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            code = 124
    print(f"[{time.monotonic() - started:6.1f}s] exit {code}: {' '.join(cmd[1:4])} ... (log {log})", flush=True)
    return code


def tail(log: Path, lines: int = 8) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.is_file() else ""


def recipe_flops(model_dir: Path, config_path: Path, sets: list[str], data: Path) -> dict[str, dict[str, float]]:
    """Per stage of the recipe: real tokens and training FLOPs of one epoch, and its number of batches."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from bench.train_gpu import sequence_flops
    from scoring.rerankers.qwen3 import Qwen3Student
    from train.config import load_train_config
    from train.distill import load_sources, stage_examples
    from train.engine import prepare_batches

    config = load_train_config(config_path, sets)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_dir))
    student = Qwen3Student(model, AutoTokenizer.from_pretrained(model_dir), config.max_length)
    sources = load_sources(config, data)
    out = {}
    for stage in config.stages:
        examples = stage_examples(stage, sources, config.seed)
        dataset, _ = prepare_batches(student, stage, config.engine, examples)
        lengths = [len(f["input_ids"]) for item in dataset for u in item.get("batch", [item]) for f in u["features"]]
        batches = len(dataset) if stage.max_tokens is not None else math.ceil(len(dataset) / stage.batch_size)
        batches /= config.engine.grad_accum  # optimizer steps an epoch
        out[stage.name] = {"tokens": sum(lengths), "flops": sequence_flops(model, lengths), "batches": batches}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path("runs/default/dataset"), help="the default build's dataset")
    p.add_argument("--work", type=Path, default=Path(os.environ.get("OUT", "runs/gpu_check")))
    p.add_argument("--scratch", type=Path, default=None, help="where the models go (default: a temporary folder)")
    p.add_argument("--tiny", action="store_true", help="a tiny model on the CPU, a few steps (the tests)")
    p.add_argument("--budget-s", type=float, default=330, help="stop waiting for the steps after this long")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more recipe overrides")
    args = p.parse_args(argv)
    started = time.monotonic()
    work, data = args.work.resolve(), args.data.resolve()
    work.mkdir(parents=True, exist_ok=True)
    scratch = (args.scratch or Path(tempfile.mkdtemp(prefix="gpu_check_"))).resolve()
    if not (data / "dataset_dict.json").is_file():
        print(f"error: --data {data}: no saved DatasetDict (build it on a CPU and carry it)", file=sys.stderr)
        return 2

    import torch
    import transformers

    from bench.random_qwen import build_random_qwen

    shape = "tiny" if args.tiny else "0.6b"
    if not args.tiny and not torch.cuda.is_available():
        print("error: no CUDA GPU (use --tiny on a CPU)", file=sys.stderr)
        return 2
    device = torch.cuda.get_device_name() if torch.cuda.is_available() and not args.tiny else "cpu"
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, {device}", flush=True)

    from datasets import load_from_disk

    split = load_from_disk(str(data))["train"]
    texts = [c["text"] for row in split for c in row["candidates"]] + list(split["query"])
    model_dir = build_random_qwen(scratch / "model", shape, texts)
    print(f"[{time.monotonic() - started:6.1f}s] random {shape} Qwen3 in {model_dir}", flush=True)

    def left() -> float:
        return args.budget_s - (time.monotonic() - started)

    sets = ['evaluation.baselines=["bm25"]', *(TINY_SETS if args.tiny else []), *args.set]
    bench = [sys.executable, "bench/train_gpu.py", "--model", str(model_dir), "--data", str(data)]
    bench += ["--out", str(work / "bench.json"), *[f"--set={s}" for s in sets]]
    if args.tiny:
        bench += ["--shape", "tiny", "--device", "cpu", "--seq", "32", "--batch", "4", "--groups", "2"]
        bench += ["--negatives", "2", "--steps", "2", "--warmup", "1"]
    bench_code = run(bench, work / "bench.log", max(30.0, left() * 0.3))

    out = scratch / "student"
    distill = [sys.executable, "-m", "train.distill", "--config", "configs/train_qwen3.toml", "--data", str(data)]
    distill += ["--model", str(model_dir), "--out", str(out), *[f"--set={s}" for s in sets]]
    distill_code = run(distill, work / "distill.log", max(60.0, left()))

    rows: list[dict[str, Any]] = []
    if (work / "bench.json").is_file():
        rows += json.loads((work / "bench.json").read_text())["runs"]
    summary_file = out / "distill_summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.is_file() else None
    for name in ("README.md", "distill_summary.json"):
        if (out / name).is_file():
            shutil.copy(out / name, work / f"student_{name}")
    finite = summary is not None
    if summary is not None:
        from bench.train_gpu import peak_tflops

        peak = peak_tflops(device, None) if device != "cpu" else None
        per_stage = recipe_flops(model_dir, ROOT / "configs/train_qwen3.toml", sets, data)
        for stage in summary["stages"]:
            losses = [stage["first_loss"], stage["last_loss"], stage["train_loss"]]
            ok = all(x is not None and math.isfinite(x) for x in losses)
            finite &= ok
            counts = per_stage[stage["name"]]
            done = stage["steps"] / max(1, counts["batches"])  # epochs run (a fraction when max_steps cuts them)
            s = stage["train_seconds"] or float("nan")
            rows.append(
                {
                    "run": f"distill {stage['name']} ({stage['steps']} steps)",
                    "sequences_per_step": None,
                    "step_s": round(s / max(1, stage["steps"]), 4),
                    "tokens_per_s": round(counts["tokens"] * done / s),
                    "padding": None,
                    "tflops": round(counts["flops"] * done / s / 1e12, 2),
                    "mfu": round(counts["flops"] * done / s / (peak * 1e12), 3) if peak else None,
                    "peak_mem_gib": stage.get("peak_mem_gib"),
                    "loss": f"{stage['first_loss']:.4g} -> {stage['last_loss']:.4g}" if ok else f"NOT FINITE {losses}",
                }
            )
        evaluation = summary.get("evaluation", {}).get("student", {})
        print(f"evaluation (random weights: no quality): {json.dumps(evaluation)}")
    (work / "gpu_check.json").write_text(json.dumps({"device": device, "rows": rows}, indent=2) + "\n")
    passed = bench_code == 0 and distill_code == 0 and finite
    for name, code, log in (("bench", bench_code, "bench.log"), ("distill", distill_code, "distill.log")):
        if code != 0:
            print(f"--- {name} failed (exit {code}), last lines of {work / log}:\n{tail(work / log)}")
    from bench.train_gpu import format_table

    for r in rows:
        r.setdefault("loss", "")
    print(f"\n{device}, {shape} Qwen3, {time.monotonic() - started:.0f} s in all")
    print(format_table(rows, columns=("run", "step_s", "tokens_per_s", "padding", "mfu", "peak_mem_gib", "loss")))
    if args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"GPU CHECK {'PASSED' if passed else 'FAILED'}: bench exit {bench_code}, distill exit {distill_code}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
