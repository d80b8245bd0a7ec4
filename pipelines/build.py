"""`python -m pipelines.build`: generate → embed → candidates → judge → aggregate → split → export, in a run folder.

    python -m pipelines.build [--config configs/default.toml] [--out runs/NAME] [--set key=value ...] [--quiet]
                              [--decontaminate EVAL.jsonl|LOCOMO.json ... [--decontaminate-threshold 0.5]]
                              [--engine local|ray [--ray-address ADDR]]

Every stage writes content-addressed shards (see `pipelines.stages`), so a killed build resumes where it stopped and a
re-run with the same config recomputes nothing. A run folder written by another schema version is refused.
`--decontaminate` drops queries that overlap the given evaluation sets (see `pipelines.decontaminate`).
`--engine ray` runs the shards as Ray tasks (see `pipelines.engine`): the same dataset, over a cluster's CPUs.
`--quiet` prints errors and the final line only.

A run folder is used by one build at a time and holds only what builds write (see `pipelines.runfolder`); every
shard is verified against its stage index before it is reused (see `pipelines.stages`).

Every outcome is one line on stderr and an exit code:
  0    built ("built N queries ...")
  1    the build stopped: a stage's shard, the response cache or a provider failed for good, more than
       `max_failed_share` of a stage's items failed, or the disk (full, read-only); what is done is kept: fix it
       and run the same command
  2    bad input: the config, an option, an evaluation set, a missing API key, an --out that is a file, not a run
       folder, or holds foreign files in dataset/; nothing was built
  3    `max_cost_usd` reached; raise it and run the same command
  4    provider batches submitted and not back yet; run the same command later
  5    another build holds the run folder (the line names it)
  130  interrupted (Ctrl-C); re-run the same command to resume
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import datasets
import transformers

import judges
from generators import checks
from pipelines import tasks
from pipelines.calibrate import fit_or_load, write_audit
from pipelines.card import render_card
from pipelines.clients import open_clients, run_spend
from pipelines.decontaminate import THRESHOLD, EvalSetError, EvalSets, contaminated_ids, load_eval_sets
from pipelines.engine import ENGINES, Engine, EngineError, open_engine
from pipelines.export import save_dataset, to_dataset_dict
from pipelines.manifest import write_manifest
from pipelines.rows import to_row
from pipelines.runfolder import RunFolderError, RunFolderLocked, check_run_folder, lock
from pipelines.shards import ShardError
from pipelines.split import SPLITS, assign_splits, calibration_slice
from pipelines.stages import StageStats, TooManyFailures, read_as, records, run_stage, stage_key
from providers.base import ProviderError
from providers.batching import BatchPending
from providers.budget import BudgetExceeded
from providers.cache import CacheError
from providers.client import Client
from providers.registry import MissingKeyError, check_keys
from schemas import (
    SCHEMA_VERSION,
    BuildConfig,
    ConfigError,
    DatasetRow,
    Example,
    GeneratedDialogue,
    GeneratedQueries,
    Judgment,
    SoftLabel,
    TextEmbeddings,
    load_config,
)
from scoring.embedding import default_model_id

log = logging.getLogger("pipelines.build")
PAID_KINDS = ("openai", "anthropic", "openai_compatible")
DIVERSITY_DIALOGUES = 10_000  # the manifest's diversity figures are measured on the first shards up to this many
R = TypeVar("R")
# exit codes (see the module doc)
EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BUDGET, EXIT_PENDING, EXIT_LOCKED, EXIT_INTERRUPTED = 1, 2, 3, 4, 5, 130


def model_identity(config: BuildConfig, names: list[str]) -> str:
    """What makes the named providers' answers what they are (not their keys, limits or prices)."""
    used = {n: config.providers[n].model_dump(mode="json", include={"kind", "model", "base_url"}) for n in names}
    return json.dumps(used, sort_keys=True)


def _calibration(folder: Path, *args: Any) -> judges.Calibration:
    """`fit_or_load`, refitting a calibration file that cannot be read back (a fit is a pure function of its key)."""
    path = folder / "calibration.json"
    if path.exists():
        try:
            judges.Calibration.model_validate_json(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("%s: not a readable calibration (%s); refitting it", path, str(exc).splitlines()[0])
            path.unlink()
    return fit_or_load(folder, *args)


def build(
    config: BuildConfig,
    run_dir: Path,
    *,
    quiet: bool = False,
    eval_sets: EvalSets | None = None,
    engine: str = "local",
    ray_address: str | None = None,
) -> dict[str, Any]:
    """Run every stage into `run_dir` (holding its lock); return the manifest body.

    `eval_sets`: drop the queries that overlap them (keyed into the candidates stage, so other sets recompute it).
    `engine`: "local" (this process) or "ray" (shards as Ray tasks, see `pipelines.engine`): the same dataset.
    """
    started = time.perf_counter()
    check_run_folder(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with lock(run_dir):
        clients = open_clients(config, run_dir)
        runner = open_engine(engine, config, run_dir, clients, address=ray_address, quiet=quiet)
        try:
            return _build(config, run_dir, clients, runner, quiet=quiet, eval_sets=eval_sets, started=started)
        finally:
            runner.close()


def stage_keys(config: BuildConfig, eval_sets: EvalSets | None) -> dict[str, str]:
    """Each stage's key: the config sections it reads, chained to its upstream stage's key."""
    keys: dict[str, str] = {}
    keys["generate"] = stage_key("generate", SCHEMA_VERSION, config.section_hash("generate"))
    if config.generate.realizer == "llm":  # the model writes the dialogue: its identity keys the shards too
        keys["generate"] = stage_key(keys["generate"], model_identity(config, [config.generate.realizer_provider]))
    keys["embed"] = stage_key(keys["generate"], "embed", default_model_id())
    keys["candidates"] = stage_key(keys["generate"], config.section_hash("candidates"))
    if eval_sets is not None:
        keys["candidates"] = stage_key(keys["candidates"], "decontaminate", eval_sets.key())
    # teacher weights only matter when judgments are pooled: changing one re-aggregates, never re-judges
    weights = json.dumps(config.judge.teacher_weights(), sort_keys=True)
    judge_models = model_identity(config, [t.provider for t in config.judge.teachers if t.provider])
    judge_section = config.section_hash("judge", exclude={"teachers": {"__all__": {"weight"}}})
    keys["judge"] = stage_key(keys["candidates"], judge_section, judge_models)
    keys["calibrate"] = stage_key(keys["judge"], config.section_hash("aggregate", "split"), weights)
    keys["aggregate"] = stage_key(keys["calibrate"])
    return keys


def select_queries(
    config: BuildConfig, generated: Sequence[list[GeneratedDialogue | GeneratedQueries]], eval_sets: EvalSets | None
) -> tuple[int, set[str], set[str], list[str]]:
    """One pass over the generated shards: how many queries, the near-duplicates and the contaminated ones (both
    dropped), and the dialogue ids. Shard by shard: near-duplicates are only looked for within a dialogue."""
    n_queries, duplicates, contaminated, dialogue_ids = 0, set(), set(), []
    for i in range(len(generated)):  # by index, and `del` below: one shard in memory (see `stages.records`)
        shard = generated[i]
        queries = [q for g in shard for q in g.queries]
        n_queries += len(queries)
        found = set(checks.near_duplicates(queries, config.candidates.dedup_threshold))
        duplicates |= found
        if eval_sets is not None:
            contaminated |= set(contaminated_ids([q for q in queries if q.query_id not in found], eval_sets))
        dialogue_ids += [g.dialogue.dialogue_id for g in shard]
        del shard, queries
    return n_queries, duplicates, contaminated, dialogue_ids


def flat(shards: Sequence[list[R]], keep: Callable[[R], bool] = lambda _: True) -> list[R]:
    """The records of every shard (read one at a time when they are on disk) that `keep` accepts."""
    return [record for record in records(shards) if keep(record)]


def diversity(generated: Sequence[list[GeneratedDialogue]], examples: Sequence[list[Example]]) -> dict[str, Any]:
    """`checks.diversity` of the first `DIVERSITY_DIALOGUES` dialogues (all of them in most builds), their pools."""
    picked_g: list[GeneratedDialogue] = []
    picked_e: list[Example] = []
    for i in range(len(generated)):  # by index: one shard of each in memory (see `stages.records`)
        if len(picked_g) >= DIVERSITY_DIALOGUES:
            break
        picked_g += generated[i]
        picked_e += examples[i]
    return {**checks.diversity(picked_g, picked_e), "dialogues_measured": len(picked_g)}


def slice_records(
    examples: Sequence[list[Example]], judgments: Sequence[list[Judgment]], slice_ids: set[str]
) -> tuple[list[Example], list[Judgment]]:
    """The calibration slice's examples and their judgments, read shard by shard."""
    chosen = flat(examples, lambda e: e.query.dialogue_id in slice_ids)
    ids = {e.query.query_id for e in chosen}
    return chosen, flat(judgments, lambda j: j.query_id in ids)


def decontamination_record(eval_sets: EvalSets, contaminated: set[str]) -> dict[str, Any]:
    return {
        "n": eval_sets.n,
        "threshold": eval_sets.threshold,
        "files": list(eval_sets.files),
        "dropped": len(contaminated),
        "dropped_queries": sorted(contaminated),
    }


def row_counts(rows: list[DatasetRow], splits: dict[str, list[DatasetRow]]) -> dict[str, Any]:
    return {
        "queries": len(rows),
        "candidates": sum(len(r.candidates) for r in rows),
        "skills": dict(sorted(Counter(r.skill for r in rows).items())),
        "splits": {name: len(part) for name, part in splits.items()},
        "split_dialogues": {name: len({r.dialogue_id for r in part}) for name, part in splits.items()},
    }


def stage_figures(stats: StageStats) -> dict[str, Any]:
    """What a stage did in this invocation, for the manifest (`shards_repaired`: did not verify, recomputed)."""
    return {
        "shards_computed": stats.computed,
        "shards_reused": stats.reused,
        "shards_repaired": stats.repaired,
        "shards_retried": stats.retried,
        "records": stats.records,
        "seconds": stats.seconds,
    }


def labelled_rows(examples: Sequence[list[Example]], labels: Sequence[list[SoftLabel]]) -> list[DatasetRow]:
    rows: list[DatasetRow] = []
    for shard_examples, shard_labels in zip(examples, labels, strict=True):
        by_query: dict[str, list[SoftLabel]] = {}
        for label in shard_labels:
            by_query.setdefault(label.query_id, []).append(label)
        rows += [to_row(e, by_query.get(e.query.query_id, [])) for e in shard_examples]
    return rows


def _build(
    config: BuildConfig,
    run_dir: Path,
    clients: dict[str, Client],
    engine: Engine,
    *,
    quiet: bool,
    eval_sets: EvalSets | None,
    started: float,
) -> dict[str, Any]:
    n, size = config.generate.dialogues, config.shard_size
    bounds = [(lo, min(lo + size, n)) for lo in range(0, n, size)]
    keys = stage_keys(config, eval_sets)
    paid = any(p.kind in PAID_KINDS for p in config.providers.values())
    timings: dict[str, float] = {}

    def cost_so_far() -> str:
        return f"${sum(client.usage.cost_usd for client in clients.values()):.4f}"

    def run(name: str, model: type, task: Any, args: Any) -> tuple[Sequence[list[Any]], Any]:
        return run_stage(
            run_dir, name, keys[name], model, [hi - lo for lo, hi in bounds], task, args, engine=engine,
            unit="dialogue", quiet=quiet, postfix=cost_so_far if paid and name in ("generate", "judge") else None,
            max_failed_share=config.max_failed_share, keep=False,
        )  # fmt: skip

    @contextlib.contextmanager
    def timed(name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        timings[f"{name}_seconds"] = round(time.perf_counter() - t0, 3)

    # generate -> embed -> candidates -> judge stream shard by shard (see `pipelines.stages.OnDisk`)
    generated, gen_stats = run("generate", GeneratedDialogue, tasks.generate, lambda i: (config, bounds[i]))
    queries_only = read_as(generated, GeneratedQueries)  # no turns or world: ~8x faster to select
    n_queries, duplicates, contaminated, dialogue_ids = select_queries(config, queries_only, eval_sets)
    dropped = frozenset(duplicates | contaminated)
    embedded: Sequence[list[TextEmbeddings] | None] = [None] * len(bounds)
    stages: dict[str, StageStats] = {"generate": gen_stats}
    if "embedding" in config.candidates.retrievers:  # each memory encoded once; the retriever and teacher read it
        embedded, stages["embed"] = run("embed", TextEmbeddings, tasks.embed, lambda i: (config, generated[i]))
    examples, cand_stats = run(
        "candidates", Example, tasks.candidates, lambda i: (config, generated[i], dropped, embedded[i])
    )
    judgments, judge_stats = run("judge", Judgment, tasks.judge, lambda i: (config, examples[i], embedded[i]))

    split_of = assign_splits(sorted(dialogue_ids), config.split, config.seed)
    slice_ids = calibration_slice(split_of, config.aggregate.calibration_fraction, config.seed)
    with timed("calibrate"):
        calibration = _calibration(
            run_dir / "calibrate" / keys["calibrate"], config, lambda: slice_records(examples, judgments, slice_ids)
        )
    labels, agg_stats = run(
        "aggregate", SoftLabel, tasks.aggregate, lambda i: (config, examples[i], judgments[i], calibration)
    )
    with timed("audit"):  # the audit and the dataset read every record: the one step whose memory grows
        report = write_audit(
            run_dir, config, lambda: (flat(examples), flat(judgments), flat(labels)), slice_ids, keys["aggregate"]
        )

    decontamination = decontamination_record(eval_sets, contaminated) if eval_sets is not None else None
    with timed("export"):
        rows = labelled_rows(examples, labels)
        splits = {name: [r for r in rows if split_of[r.dialogue_id] == name] for name in SPLITS}
        dataset = to_dataset_dict(splits)
        fingerprints = {name: ds._fingerprint for name, ds in dataset.items()}
        card = render_card(config, splits, fingerprints, report, decontamination=decontamination)
        save_dataset(dataset, card, run_dir / "dataset")

    stages.update({"candidates": cand_stats, "judge": judge_stats, "aggregate": agg_stats})
    body = {
        "engine": engine.name,
        "stage_keys": keys,
        "counts": {
            "dialogues": gen_stats.records,
            "queries_generated": n_queries,
            "near_duplicates_dropped": len(duplicates),
            "decontaminated_dropped": len(contaminated),
            **row_counts(rows, splits),
            "judgments": judge_stats.records,
            "soft_labels": agg_stats.records,
        },
        "decontamination": decontamination,
        "diversity": diversity(generated, examples),
        "stages": {name: stage_figures(s) for name, s in stages.items()},
        "calibration": {
            "slice_dialogues": len(slice_ids),
            "teachers": calibration.teacher_weights(),
            "pooled": {k: report["pooled"].get(k) for k in ("ece", "ece_adaptive", "brier", "auc")},
            "audit": "audit/audit.json",
        },
        "timings": {**timings, "total_seconds": round(time.perf_counter() - started, 3)},
        "tokens": sum(j.tokens for j in records(judgments)),
        "providers": {name: client.usage.as_dict() for name, client in clients.items()},
        "cost_usd": round(sum(client.usage.cost_usd for client in clients.values()), 6),
        "run_total": run_spend(clients),  # every invocation's paid answers, from the response cache
        "failures": {
            "count": sum(len(s.failures) for s in stages.values()),
            "by_stage": {name: len(s.failures) for name, s in stages.items()},
            "kept_aside": f"{run_dir.name}/<stage>/<key>/failures-*.jsonl",
        },
        "dataset": {"path": "dataset", "fingerprints": fingerprints},
    }
    write_manifest(run_dir, config, body)
    return body


@contextlib.contextmanager
def _console(quiet: bool) -> Iterator[None]:
    """Our warnings (a recomputed shard, say) on stderr; with `quiet`, errors only, ours and the libraries'.

    Everything is put back on exit, so calling `main` in a process (tests do) changes nothing there.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.setLevel(logging.ERROR if quiet else logging.WARNING)
    levels = (transformers.utils.logging.get_verbosity(), datasets.logging.get_verbosity())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings():
            if quiet:
                warnings.simplefilter("ignore")
                transformers.utils.logging.set_verbosity_error()
                datasets.logging.set_verbosity_error()
            yield
    finally:
        root.removeHandler(handler)
        transformers.utils.logging.set_verbosity(levels[0])
        datasets.logging.set_verbosity(levels[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.build", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/default.toml", help="TOML build config")
    parser.add_argument("--out", default=None, help="run folder (default: runs/<config name>)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--quiet", action="store_true", help="errors and the final line only")
    parser.add_argument(
        "--decontaminate",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="evaluation sets (reranking-case JSONL or LoCoMo JSON): drop queries that overlap them",
    )
    parser.add_argument(
        "--decontaminate-threshold",
        type=float,
        default=THRESHOLD,
        metavar="F",
        help=f"drop a query when this share of its word 5-grams is in an evaluation set (default {THRESHOLD})",
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="local", help="where shards run: this process, or Ray tasks (same dataset)"
    )
    parser.add_argument(
        "--ray-address", default=None, metavar="ADDR", help="Ray cluster to join (default: RAY_ADDRESS, else local)"
    )
    args = parser.parse_args(argv)
    with _console(args.quiet):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config, args.overrides)
        eval_sets = (
            load_eval_sets(args.decontaminate, threshold=args.decontaminate_threshold) if args.decontaminate else None
        )
        check_keys(config.providers)  # a configured provider without its key fails before any work starts
    except (ConfigError, EvalSetError, MissingKeyError) as exc:
        return _fail(exc, EXIT_BAD_INPUT)
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    datasets.disable_progress_bars()  # one bar per stage is ours; library bars would interleave with it
    transformers.utils.logging.disable_progress_bar()
    try:
        body = build(
            config, run_dir, quiet=args.quiet, eval_sets=eval_sets, engine=args.engine, ray_address=args.ray_address
        )
    except KeyboardInterrupt:
        print("interrupted; re-run the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RunFolderLocked as exc:
        return _fail(exc, EXIT_LOCKED)
    except (EngineError, RunFolderError) as exc:
        return _fail(exc, EXIT_BAD_INPUT)
    except BatchPending as exc:
        print(f"waiting: {exc}; the batches are submitted (run folder: batches/): run the same command later to "
              "collect them", file=sys.stderr)  # fmt: skip
        return EXIT_PENDING
    except BudgetExceeded as exc:
        print(f"error: {exc}; what is done is kept: raise max_cost_usd and run the same command", file=sys.stderr)
        return EXIT_BUDGET
    except (ShardError, CacheError, ProviderError, TooManyFailures) as exc:
        return _fail(exc, EXIT_FAILED)
    except OSError as exc:  # disk full, a read-only or vanished folder: what is done is kept
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; what is done is kept: fix it and run the same command",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    counts = body["counts"]
    print(
        f"built {counts['queries']} queries over {counts['dialogues']} dialogues "
        f"({counts['splits']['train']}/{counts['splits']['validation']}/{counts['splits']['test']} train/val/test) "
        f"in {body['timings']['total_seconds']:.1f}s -> {run_dir / 'dataset'}",
        file=sys.stderr,
    )
    return 0


def _fail(exc: BaseException, code: int) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
