"""Write the labelled rows as a `datasets` DatasetDict with explicit features and a dataset card; export a built
dataset in the forms trainers read (see `pipelines.formats`).

    python -m pipelines.export RUN --format {flagembedding,sentence-transformers,jsonl,locomo} --out PATH
                               [--split NAME] [--push-to-hub REPO]

`PATH` is a folder. flagembedding and jsonl write `PATH/<split>.jsonl` (give FlagEmbedding's `--train_data` the
file `PATH/train.jsonl`, not the folder); sentence-transformers saves a DatasetDict there (`load_from_disk(PATH)`);
locomo writes `PATH/<split>.json` in the public LoCoMo schema, one sample per dialogue with every turn (read from the
run's generate stage), for `python -m train.evaluate --locomo PATH/test.json`.
Every split of the run by default; `--split` picks one. `--push-to-hub REPO` also uploads the same DatasetDict
(with the run's card for jsonl) to the Hugging Face Hub with the token in `HF_TOKEN`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
from datasets import Dataset, DatasetDict, Features, List, Value, disable_progress_bars, load_from_disk
from huggingface_hub import HfApi

from pipelines.formats import FLAGEMBEDDING_FEATURES, cross_encoder_pairs, flagembedding_records, locomo_samples
from pipelines.manifest import ManifestError, read_manifest
from pipelines.runfolder import check_dataset_folder
from pipelines.shards import ShardError, alive, write_atomic
from pipelines.split import SPLITS
from pipelines.stages import read_stage
from schemas import DatasetRow, Dialogue, GeneratedDialogue

FORMATS = ("flagembedding", "sentence-transformers", "jsonl", "locomo")

FEATURES = Features(
    {
        "query_id": Value("string"),
        "dialogue_id": Value("string"),
        "skill": Value("string"),
        "instruction": Value("string"),
        "query": Value("string"),
        "context": List({"speaker": Value("string"), "text": Value("string")}),
        "query_time": Value("string"),
        "answer": Value("string"),
        "candidates": List(
            {
                "memory_id": Value("string"),
                "text": Value("string"),
                "speaker": Value("string"),
                "timestamp": Value("string"),
                "gold": Value("int8"),
                "grade": Value("int8"),
                "label": Value("float32"),
                "tier": Value("int8"),
                "origin": Value("string"),
            }
        ),
    }
)


def to_dataset_dict(splits: dict[str, list[DatasetRow]]) -> DatasetDict:
    """The non-empty splits (`datasets` cannot load back an empty split it saved; a build of fewer than three
    dialogues has some)."""
    return DatasetDict(
        {
            name: Dataset.from_list([r.model_dump(mode="json") for r in splits[name]], features=FEATURES)
            for name in SPLITS
            if splits.get(name)
        }
    )


def save_dataset(dataset: DatasetDict, card: str, folder: Path) -> None:
    """Save to a sibling temporary folder (named by this process), then swap it in, so `folder` is always a whole
    dataset or absent. A `folder` holding anything a saved dataset does not is refused (`RunFolderError`), never
    deleted; the temporary folders of processes that died are removed."""
    check_dataset_folder(folder)
    for leftover in sorted(folder.parent.glob(f"{folder.name}.*-*")):
        m = re.fullmatch(rf"{re.escape(folder.name)}\.(tmp|old)-(\d+)", leftover.name)
        if m and int(m.group(2)) != os.getpid() and not alive(int(m.group(2))):
            shutil.rmtree(leftover)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    for mine in (tmp, old):
        if mine.exists():
            shutil.rmtree(mine)
    dataset.save_to_disk(str(tmp))
    write_atomic(tmp / "README.md", card.encode())
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    if old.exists():
        shutil.rmtree(old)


class ExportError(RuntimeError):
    """A run that cannot be exported; the message names the folder."""


def load_rows(run_dir: Path, splits: list[str] | None = None) -> dict[str, list[DatasetRow]]:
    """The built dataset's rows per split (the run's splits, or `splits`)."""
    folder = run_dir / "dataset"
    if not (folder / "dataset_dict.json").is_file():
        raise ExportError(f"{folder}: no built dataset (run python -m pipelines.build --out {run_dir} first)")
    try:
        dataset = load_from_disk(str(folder))
    except (OSError, ValueError, pa.ArrowException) as exc:  # a truncated arrow file, a missing state.json
        raise ExportError(f"{folder}: not a readable dataset ({str(exc).splitlines()[0]}); build it again") from None
    missing = [s for s in splits or [] if s not in dataset]
    if missing:
        raise ExportError(f"{folder}: no split {missing[0]!r} (it has {', '.join(dataset)})")
    return {name: [DatasetRow.model_validate(r) for r in dataset[name]] for name in splits or list(dataset)}


def load_dialogues(run_dir: Path) -> list[Dialogue]:
    """The run's generated dialogues (whole: the rows carry only each query's candidates), from the generate stage's
    shards that `manifest.json` names, in shard order."""
    try:
        return [g.dialogue for g in read_stage(run_dir, read_manifest(run_dir), "generate", GeneratedDialogue)]
    except (ManifestError, ShardError) as exc:
        raise ExportError(str(exc)) from None


def _write_jsonl(path: Path, lines: list[str]) -> None:
    write_atomic(path, "".join(line + "\n" for line in lines).encode())


def export(run_dir: Path, fmt: str, out: Path, splits: list[str] | None = None) -> tuple[DatasetDict, Counter[str]]:
    """Write the run's dataset to `out` in `fmt`; return what was written (as a DatasetDict) and the counts."""
    rows = load_rows(run_dir, splits)
    if fmt == "sentence-transformers" and out.exists() and not (out / "dataset_dict.json").is_file():
        raise ExportError(f"{out}: exists and is not a saved dataset (it would be replaced); choose another --out")
    counts: Counter[str] = Counter()
    parts: dict[str, Dataset] = {}
    dialogues = load_dialogues(run_dir) if fmt == "locomo" else []
    for name, part in rows.items():
        counts["queries"] += len(part)
        if fmt == "flagembedding":
            records, skipped = flagembedding_records(part)
            counts.update({f"skipped_{reason}": n for reason, n in skipped.items()})
            _write_jsonl(out / f"{name}.jsonl", [json.dumps(r, ensure_ascii=False) for r in records])
            parts[name] = Dataset.from_list(records, features=FLAGEMBEDDING_FEATURES)
        elif fmt == "jsonl":
            _write_jsonl(out / f"{name}.jsonl", [r.model_dump_json() for r in part])
            parts[name] = to_dataset_dict({name: part})[name]
        elif fmt == "sentence-transformers":
            parts[name] = cross_encoder_pairs(part)
        elif fmt == "locomo":
            try:
                samples = locomo_samples(part, dialogues)
            except ValueError as exc:
                raise ExportError(f"{run_dir}: {exc}") from None
            write_atomic(out / f"{name}.json", (json.dumps(samples, indent=1, ensure_ascii=False) + "\n").encode())
            parts[name] = Dataset.from_list(samples)
        else:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        counts["records"] += len(parts[name])
    dataset = DatasetDict(parts)
    if fmt == "sentence-transformers":
        tmp = out.with_name(out.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        dataset.save_to_disk(str(tmp))
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    return dataset, counts


def push_to_hub(dataset: DatasetDict, repo: str, token: str, card: Path | None = None) -> None:
    """Upload `dataset` (parquet, via `datasets`) and the card to the Hub dataset repo `repo`."""
    dataset.push_to_hub(repo, token=token)
    if card is not None and card.is_file():
        HfApi(token=token).upload_file(
            path_or_fileobj=str(card), path_in_repo="README.md", repo_id=repo, repo_type="dataset"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.export", description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="run folder written by python -m pipelines.build")
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="flagembedding, jsonl: PATH/<split>.jsonl; sentence-transformers: a saved DatasetDict in PATH; "
        "locomo: PATH/<split>.json in the LoCoMo schema (for train.evaluate --locomo)",
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--split", choices=SPLITS, default=None, help="one split (default: every split)")
    parser.add_argument("--push-to-hub", metavar="REPO", default=None, help="also upload to this Hub dataset repo")
    args = parser.parse_args(argv)
    token = os.environ.get("HF_TOKEN", "").strip()
    if args.push_to_hub and not token:
        print("error: --push-to-hub needs a Hugging Face token in the environment variable HF_TOKEN", file=sys.stderr)
        return 2
    disable_progress_bars()
    try:
        dataset, counts = export(args.run, args.format, args.out, [args.split] if args.split else None)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    skipped = sorted((k, n) for k, n in counts.items() if k.startswith("skipped_"))
    note = "".join(f"; skipped {n} queries ({k.removeprefix('skipped_').replace('_', ' ')})" for k, n in skipped)
    sizes = ", ".join(f"{name} {len(part)}" for name, part in dataset.items())
    print(f"exported {counts['records']} {args.format} records ({sizes}) -> {args.out}{note}", file=sys.stderr)
    if args.push_to_hub:
        card = args.run / "dataset" / "README.md" if args.format == "jsonl" else None
        try:
            push_to_hub(dataset, args.push_to_hub, token, card)
        except Exception as exc:  # any failure of the upload: one line, never the token
            message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            print(f"error: push to {args.push_to_hub} failed: {message.replace(token, '***')}", file=sys.stderr)
            return 1
        print(f"pushed to https://huggingface.co/datasets/{args.push_to_hub}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
