"""Generation speed and diversity: dialogues per second of the template realizer (with queries), candidates per
second (constructed + BM25/embedding retrieved), then the skill mix, diversity figures and near-duplicate count.

    python bench/generate.py [--config configs/default.toml] [--n 200] [--set key=value ...]

Runs in this process; the embedding model is loaded (and timed) before candidates are timed.
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

import generators
from generators.checks import diversity, near_duplicates
from schemas import load_config
from scoring.embedding import encode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=None, help="a TOML build config (default: the built-in defaults)")
    parser.add_argument("--n", type=int, default=200, help="dialogues to generate")
    parser.add_argument(
        "--candidates-n",
        type=int,
        default=50,
        help="of those, how many get candidates (the embedding retriever is slow)",
    )
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    config = load_config(args.config, args.overrides)

    start = time.perf_counter()
    generated = [generators.generate_dialogue(config, i) for i in range(args.n)]
    generate_s = time.perf_counter() - start

    subset = generated[: min(args.candidates_n, args.n)]
    load_s = 0.0
    if "embedding" in config.candidates.retrievers and config.candidates.retrieved > 0:
        start = time.perf_counter()
        encode(["warm up"])
        load_s = time.perf_counter() - start
    start = time.perf_counter()
    examples = [e for g in subset for e in generators.build_candidates(g, config)]
    candidates_s = time.perf_counter() - start
    n_candidates = sum(len(e.candidates) for e in examples)

    start = time.perf_counter()
    dropped = near_duplicates([q for g in generated for q in g.queries])
    figures_all = diversity(generated, examples if len(subset) == len(generated) else None)
    checks_s = time.perf_counter() - start

    queries = sum(len(g.queries) for g in generated)
    figures = {
        "config": args.config or "defaults",
        "overrides": args.overrides,
        "cpu_threads": os.cpu_count(),
        "dialogues": args.n,
        "queries": queries,
        "generate_seconds": round(generate_s, 3),
        "dialogues_per_second": round(args.n / generate_s, 1),
        "queries_per_second": round(queries / generate_s, 1),
        "candidates_dialogues": len(subset),
        "candidates": n_candidates,
        "embedding_model_load_seconds": round(load_s, 2),
        "candidates_seconds": round(candidates_s, 3),
        "candidates_per_second": round(n_candidates / candidates_s, 1) if candidates_s else None,
        "dialogues_per_second_candidates": round(len(subset) / candidates_s, 1) if candidates_s else None,
        "near_duplicate_queries": len(dropped),
        "checks_seconds": round(checks_s, 3),
        "skill_mix": figures_all["skill_mix"],
        "diversity": figures_all,
    }
    if len(subset) != len(generated):
        figures["candidate_origins"] = diversity(subset, examples)["candidate_origins"]
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
