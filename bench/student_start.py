"""A short-budget comparison of student starts on CPU: the first stage of a training config cut to `--steps`
optimizer steps, then MAP of the student (and, with `--baselines`, BM25 and the embedding model, the student's base)
on four proxies: the build's test split (pools), the test split as LoCoMo with every turn a candidate (its first
`--dialogues` dialogues), a LoCoMo-format file, and the held-out general relevance split (`--general-rows` rows).

    python bench/student_start.py --config CONFIG --out DIR [--data runs/default/dataset] [--steps 80]
        [--general runs/general/dataset] [--locomo FILE] [--dialogues 2] [--general-rows 120] [--baselines]

For when the full recipe (bench/train.py) does not fit the time at hand: compare variants (general pairs mixed
in, frozen layers, learning rates) under the same budget. Writes DIR/start.json and prints one markdown table.

MAP after 80 BCE steps (batch 16, 1 thread on a loaded 2-core machine, ~20 min each), default build:

| start | test pools | all turns (2 dialogues) | LoCoMo fixture | general held out |
|---|---|---|---|---|
| configs/train.toml stage 1 | 0.453 | 0.149 | 0.557 | 0.326 |
| + general 0.06 | 0.453 | 0.183 | 0.379 | 0.402 |
| + general 0.06, freeze_layers 3 | 0.423 | 0.172 | 0.232 | 0.397 |
| embedding baseline (the base model) | 0.512 | 0.283 | 0.706 | 0.519 |
| BM25 | 0.391 | 0.215 | 0.565 | 0.393 |
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch
from datasets import load_from_disk

from pipelines.export import export
from train.config import load_train_config
from train.data import rows_to_cases
from train.distill import run
from train.evaluate import evaluate_systems
from train.locomo import load_locomo
from train.score import load_for_inference, score_cases

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--data", type=Path, default=REPO / "runs/default/dataset")
    p.add_argument("--general", type=Path, default=REPO / "runs/general/dataset")
    p.add_argument("--locomo", type=Path, default=REPO.parent / "shared/fixtures/locomo_format_sample.json")
    p.add_argument("--steps", type=int, default=80)
    p.add_argument("--dialogues", type=int, default=2)
    p.add_argument("--general-rows", type=int, default=120)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--baselines", action="store_true", help="also BM25 and the embedding model")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    config = load_train_config(args.config)
    first = config.stages[0].model_copy(update={"max_steps": args.steps})
    no_eval = config.evaluation.model_copy(update={"split": None})
    config = config.model_copy(update={"stages": [first], "evaluation": no_eval})
    started = time.monotonic()
    run(config, args.data, args.out / "student")
    result: dict = {"config": str(args.config), "steps": args.steps, "train_seconds": round(time.monotonic() - started)}

    proxies = {"test split pools": rows_to_cases(load_from_disk(str(args.data))["test"], name="test")}
    export(args.data.parent, "locomo", args.out / "locomo-export", ["test"])
    cases, _ = load_locomo(args.out / "locomo-export" / "test.json")
    samples = list(dict.fromkeys(c.meta["sample_id"] for c in cases))[: args.dialogues]
    proxies["all turns"] = [c for c in cases if c.meta["sample_id"] in samples]
    if args.locomo.is_file():
        proxies[args.locomo.name] = load_locomo(args.locomo)[0]
    if (args.general / "dataset_dict.json").is_file():
        general = load_from_disk(str(args.general))["test"]
        proxies["general (held out)"] = rows_to_cases(general.select(range(min(args.general_rows, len(general)))))
    student = load_for_inference(args.out / "student")
    baselines = ["bm25", "embedding"] if args.baselines else []
    for name, cases in proxies.items():
        scored = score_cases(student, [c for c in cases if c.positives], batch_size=32)
        systems = evaluate_systems(cases, scored, baselines)
        result[name] = {s: round(r["overall"]["map"], 4) for s, r in systems.items()} | {"queries": len(cases)}
    result["seconds"] = round(time.monotonic() - started)
    (args.out / "start.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"| proxy ({args.config.name}, {args.steps} steps) | queries | " + " | ".join(["student", *baselines]) + " |")
    for name in proxies:
        r = result[name]
        print(f"| {name} | {r['queries']} | " + " | ".join(f"{r[s]:.3f}" for s in ["student", *baselines]) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
