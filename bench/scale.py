"""Memory and speed of the build's streaming stages as the build grows: generate + candidates (BM25 retrieval) at
1k, 10k (and, with `--sizes`, 100k) dialogues, each size in a fresh child process so its peak RSS is its own.

    nice python bench/scale.py [--sizes 1000 10000 100000] [--shard-size 1000] [--config configs/default.toml]

The child runs the build's own code for those stages (`pipelines.stages.run_stage` with `keep=False`, and
`pipelines.build.select_queries`), so a shard's records leave memory once it is written; it prints RSS after
each stage and the peak (getrusage), and dialogues/s per stage. The parent prints one table and the ratio of the
largest size's peak RSS to the smallest's (the target: within 1.5x).

Measured on this 2-core machine (one thread each, two benches side by side), after the fixes below:

| dialogues | shard_size | generate dlg/s | candidates dlg/s | RSS after generate | peak RSS | disk per dialogue |
|---|---|---|---|---|---|---|
| 1 000 | 10 (default) | 58.8 | 12.3 | 300 MiB | 403 MiB | 114.1 + 58.1 kB |
| 10 000 | 10 | 54.0 | 10.1 | 301 MiB | 408 MiB (**1.01x**) | 114.3 + 58.1 kB |
| 1 000, generate only | 10 | 56.7 | - | 300 MiB | 307 MiB | 114.1 kB |
| 100 000, generate only | 10 | 50.5 | - | 305 MiB | 318 MiB (**1.04x**) | 114.3 kB |
| 100 000 (`--keep`, three sittings) | 10 | (~55) | ~9.5 computed | 289 MiB | 406 MiB (**1.01x**) | 114.3 + 58.1 kB |
| 1 000 | 1000 | 50.7 | 12.4 | 815 MiB | 1 272 MiB | 114.1 + 58.1 kB |
| 10 000 | 1000 | 47.0 | 10.4 | 811 MiB | 1 542 MiB (**1.21x**) | 114.3 + 58.1 kB |

`--engine ray` runs the shards as tasks on a local Ray with every CPU (here 2): 1,000 dialogues at shard_size 10,
generate 38.8 dlg/s and candidates 14.6 (Ray's start included; serial: ~55 and ~11), driver peak 359 MiB, the
largest process under it 455 MiB, the whole tree 1,761 MiB (raylet, GCS, object store, two workers). On two cores
the driver, which reads every input shard and writes every output, competes with the workers for a CPU.

`--keep DIR` builds in DIR/<size> and keeps it; a second run resumes what is complete there (a build that outlasts a
session: the 100k run with candidates is ~3 hours of one core here). The 100k row above is such a run: generate and
23k dialogues of candidates in earlier sittings, the last one resumed (hashing 12,303 kept shards, ~3.5 min) and
computed the other 77k dialogues of candidates (~9.5 dlg/s, a second job on the other core); its peak RSS (getrusage)
is that last sitting's, which held the whole stage's reuse and select pass; `ps` showed 428 MiB flat from 6k to
22k dialogues of candidates in the first. 2,000,000 examples, 11.4 + 5.8 GB of shards.

Three things had held memory as the build grew, each with a test that fails without its fix:
- a stage kept the last shard's records while computing the next, and `OnDisk` the last shard read while reading
  the next (`tests/pipelines/test_shards.py`);
- readers written `for shard in shards` keep the last shard in the loop variable while the next is read: two
  shards at once, and RSS stayed ~600 MB higher after 1,000-dialogue shards were read back this way, with the same
  live objects (freed arenas the allocator keeps). `pipelines.stages.records` and index loops now;
- two unbounded caches in the generator (`realize.compose._parts`, filled-in templates; `realize.smalltalk._spaced`,
  a dialogue's names) kept ~25 kB per dialogue: at shard_size 10, RSS after generate went 329 -> 569 MiB from 1k to
  10k dialogues (peak 1.56x), now 300 -> 301 (`tests/generators/test_memory.py` fails on any project cache with no
  bound that grows per dialogue).
Before them: 1k -> 10k at shard_size 1000 was 1.85x, at shard_size 10 1.56x. What is left grows with the shard,
not the build: one shard's records (~0.5 GB for 1,000 of today's ~520-turn dialogues) and the bounded caches
(the candidates stage's word sets: ~100 MiB). 100k dialogues with candidates: 406 MiB peak, the row above.

On paper, 10^7 dialogues with `--engine ray` on 256 CPUs: ~10 dialogues/s per CPU for generate + candidates is
~1e6 CPU-seconds, ~65 minutes of cluster time; but 1.7 TB of shards (1.14 + 0.58 TB) that the driver alone writes
and hashes at 100-200 MB/s is 2.5-5 hours, so the driver sets the pace well before 256 CPUs: workers must write
their own shards to shared storage for such a build. Driver memory: the shards in flight (two per CPU, only while
they are sent), one shard read back at a time, and the dialogue ids (~0.7 GB at 10^7). `select_queries` is one
serial pass over the generate shards (read as `GeneratedQueries`, ~135 MB/s here: ~2.3 hours at 10^7; it would have
to run per shard on the workers). Not yet streaming: the calibration slice, the audit and the dataset rows hold
every example (20 per dialogue), judgment (~140 per query with three teachers) and label in memory: at 10^7
dialogues that is far past one machine, so the audit would have to sample and the export write per shard before
such a build can finish.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class TreeMemory:
    """Peak RSS of every process under this one (Ray's raylet, object store and workers), sampled each second in a
    thread: getrusage sees only this process, and Ray's workers are not its waited-for children."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._me = psutil.Process()
        self.peak_worker_mib = self.peak_tree_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            sizes = []
            for proc in self._me.children(recursive=True):
                with contextlib.suppress(self._psutil.Error):  # ended between the listing and the read
                    sizes.append(proc.memory_info().rss / 2**20)
            if sizes:
                self.peak_worker_mib = max(self.peak_worker_mib, max(sizes))
                self.peak_tree_mib = max(self.peak_tree_mib, sum(sizes) + rss_mib())

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {"peak_child_process_mib": round(self.peak_worker_mib, 1), "peak_tree_mib": round(self.peak_tree_mib, 1)}


def child(n: int, shard_size: int, config_path: str, out: Path, candidates: bool = True, ray: bool = False) -> dict:
    from pipelines import tasks
    from pipelines.build import select_queries, stage_keys
    from pipelines.engine import LocalEngine, RayEngine
    from pipelines.stages import read_as, run_stage
    from schemas import Example, GeneratedDialogue, GeneratedQueries, load_config

    sets = [f"generate.dialogues={n}", f"shard_size={shard_size}", 'candidates.retrievers=["bm25"]']
    config = load_config(config_path, sets)
    keys = stage_keys(config, None)
    bounds = [(lo, min(lo + shard_size, n)) for lo in range(0, n, shard_size)]
    sizes = [hi - lo for lo, hi in bounds]
    tree = TreeMemory() if ray else None
    engine = RayEngine(config, out, {}, quiet=True) if ray else LocalEngine(clients={})
    figures: dict = {"dialogues": n, "rss_start_mib": round(rss_mib(), 1)}

    t0 = time.perf_counter()
    generated, made = run_stage(out, "generate", keys["generate"], GeneratedDialogue, sizes, tasks.generate,
                             lambda i: (config, bounds[i]), engine=engine, unit="dialogue", quiet=True,
                             keep=False)  # fmt: skip
    figures["generate_per_s"] = round(n / (time.perf_counter() - t0), 1)
    figures["reused_shards"] = made.reused
    figures["rss_after_generate_mib"] = round(rss_mib(), 1)
    t0 = time.perf_counter()
    _, duplicates, _, _ = select_queries(config, read_as(generated, GeneratedQueries), None)  # as the build does
    figures["rss_after_select_mib"] = round(rss_mib(), 1)
    stages = ["generate"]
    if candidates:
        dropped = frozenset(duplicates)
        _, stats = run_stage(out, "candidates", keys["candidates"], Example, sizes, tasks.candidates,
                             lambda i: (config, generated[i], dropped), engine=engine, unit="dialogue", quiet=True,
                             keep=False)  # fmt: skip
        figures["candidates_per_s"] = round(n / (time.perf_counter() - t0), 1)
        figures["examples"] = stats.records
        figures["reused_shards"] += stats.reused
        figures["rss_after_candidates_mib"] = round(rss_mib(), 1)
        stages.append("candidates")
    else:  # generate only: the growth of everything but the slowest stage, at 10x the size
        figures.update(candidates_per_s="-", examples="-", rss_after_candidates_mib="-", candidates_kb_per_dialogue="-")
    for stage in stages:
        size = sum(p.stat().st_size for p in out.glob(f"{stage}/*/shard-*.jsonl"))
        figures[f"{stage}_kb_per_dialogue"] = round(size / n / 1000, 1)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if tree is not None:
        figures.update(tree.stop())
    engine.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--config", default="configs/default.toml")
    parser.add_argument("--generate-only", action="store_true", help="skip the candidates stage (~5x the time)")
    parser.add_argument("--engine", choices=["local", "ray"], default="local",
                        help="ray: shards as tasks on a local Ray (every CPU); peak RSS is then the driver's, and the "
                        "largest process under it (a worker) is reported beside it")  # fmt: skip
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="build in DIR/<size> and keep it (default: a temporary folder); a second run resumes "
                        "what is complete there, and its dialogues/s then count the reused shards too")  # fmt: skip
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(
            json.dumps(
                child(args.child, args.shard_size, args.config, args.out, not args.generate_only, args.engine == "ray")
            )
        )
        return 0
    rows = []
    for n in args.sizes:
        kept = None if args.keep is None else args.keep / str(n)
        with contextlib.nullcontext(str(kept)) if kept else tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-P", __file__, "--child", str(n), "--shard-size", str(args.shard_size),
                   "--config", args.config, "--out", tmp]  # fmt: skip
            cmd += ["--generate-only"] if args.generate_only else []
            cmd += ["--engine", args.engine]
            started = time.perf_counter()
            env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's packages, not an installed copy
            proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            row["wall_s"] = round(time.perf_counter() - started, 1)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    print(f"shard_size {args.shard_size}, engine {args.engine}")
    print("| dialogues | generate dlg/s | candidates dlg/s | RSS after generate | after candidates (MiB) | peak RSS "
          "| disk/dlg (generate + candidates) | wall | shards reused |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['dialogues']} | {r['generate_per_s']} | {r['candidates_per_s']} | {r['rss_after_generate_mib']} "
              f"MiB | {r['rss_after_candidates_mib']} | {r['peak_rss_mib']} MiB "
              f"| {r['generate_kb_per_dialogue']} + {r['candidates_kb_per_dialogue']} kB "
              f"| {r['wall_s']} s | {r['reused_shards']} |")  # fmt: skip
    if args.engine == "ray":
        for r in rows:
            print(f"{r['dialogues']} dialogues: the largest process under the driver (a Ray worker, the raylet or "
                  f"the object store) peaked at {r['peak_child_process_mib']} MiB, the whole tree at "
                  f"{r['peak_tree_mib']} MiB")  # fmt: skip
    print(f"peak RSS {rows[-1]['dialogues']} / {rows[0]['dialogues']} dialogues: "
          f"{rows[-1]['peak_rss_mib'] / rows[0]['peak_rss_mib']:.2f}x (target <= 1.5x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
