"""How much a build reads like real long-term conversation: issue 11's realism figures and targets, side by side
with a reference file in the LoCoMo format.

    python bench/realism.py RUN [--reference FILE] [--json OUT] [--seed 13]
    python bench/realism.py --locomo FILE [--reference FILE]     # a build already exported as LoCoMo

A run folder is measured THROUGH its LoCoMo export (`pipelines.export`, every split, into a temporary folder) so
the build and the reference are read by the same code; the run's dataset gives the candidate pools and its generate
shards the world (fact and event kinds). Only the exported formats and `manifest.json` are read: fields a newer
build adds are ignored.

Definitions (the same for both sides):
- words: `\\w+('\\w+)*`, lower-cased. A turn's text is its `text` field (a shared photo's caption is not counted).
- distinct-n: distinct n-grams / all n-grams (n-grams never cross a turn) over an equal-size sample: turns in a
  seeded random order until `--tokens` words (40,000). Questions the same with `--question-tokens` (10,000). A side
  with fewer words uses them all, and its distinct-n is not comparable (distinct-n falls as a sample grows): the
  sample sizes are printed.
- exact-duplicate turns: 1 - distinct texts / turns (texts compared lower-cased with whitespace folded).
- openings: the first 3 words of a turn; the share of turns whose opening is one of the 20 most common.
- question template: the first 4 words, lower-cased, where a word holding a digit becomes `<num>`, and a speaker of
  the dialogue, or a capitalised word that is not the question's first word (other than "I"), becomes `<name>`;
  the share of questions whose template is one of the 20 most common.
- "what" questions: the first word is "what". Feelings / preferences / describe: the question holds one of
  `FEELING_WORDS`.
- evidence sessions back: for each evidence turn, the question's latest session (the last one dated at or before
  its `query_time`; the last session when it has none, as in LoCoMo) minus the evidence turn's session. "outside"
  is the share of evidence turns more than 0 sessions back.
- answer words present: questions with an answer and evidence whose every answer word (stop words dropped) is in
  one evidence turn.
- multi-hop evidence: evidence turns per question of LoCoMo category 1.
- shortcut AUC: over every (gold, non-gold) pair of the same pool, the share where the feature alone orders gold
  first (ties half), printed as max(AUC, 1 - AUC) so 0.5 is no shortcut. Features: words in the turn, the speaker
  being the dialogue's first speaker, turn index in the dialogue, session index, date. Pools: the run's dataset
  rows; for a LoCoMo file (no pools), every question's evidence plus BM25-hard negatives up to 50 turns (so its
  "candidates per query" is that pool's size).
- fact kinds: distinct `predicate`s of the world's records (or `kind`s of records in a list whose name holds
  "fact"); event kinds: distinct `kind`s of records in a world list whose name holds "event". The target (>= 20
  "kinds of facts and events") is on the two together; issue 11's table counted fact predicates (6 before).

Prints a table (figure, build, reference, target, pass) and with `--json OUT` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import mean, median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.manifest import ManifestError, read_manifest
from train.locomo import load_locomo, normalize_dia_id, parse_date

TOKENS = 40_000
QUESTION_TOKENS = 10_000
REFERENCE_POOL = 50
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SESSION = re.compile(r"^session_(\d+)$")
_FEELING = (
    "feel feels felt feeling feelings emotion emotions think thinks thought opinion opinions favorite favourite "
    "favorites favourites prefer prefers preferred preference preferences like likes liked love loves loved enjoy "
    "enjoys enjoyed describe described hate hates hated proud excited happy sad upset worried react reacted"
)
FEELING_WORDS = frozenset(_FEELING.split())
_STOP = (
    "a an the and or but of to in on at for with by from as is are was were be been being it its this that these "
    "those he she they them his her their him i you we my your our me us do does did have has had not no so very "
    "about into than then there here what which who whom when where why how"
)
STOP_WORDS = frozenset(_STOP.split())


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# ---------------------------------------------------------------------------------------------------------------
# reading: a LoCoMo file -> dialogues with sessions, turns and questions


@dataclass
class Turn:
    id: str
    speaker: str
    text: str
    session: int  # position of its session, from 1
    index: int  # position in the dialogue, from 0
    date: datetime | None


@dataclass
class Question:
    text: str
    answer: str
    evidence: list[str]
    category: Any
    query_time: datetime | None


@dataclass
class Dialogue:
    id: str
    speakers: tuple[str, str]
    sessions: list[datetime | None] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def _date(raw: Any) -> datetime | None:
    try:
        return parse_date(str(raw)) if raw else None
    except ValueError:
        return None


def _iso(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def read_locomo(path: Path) -> list[Dialogue]:
    """Every sample of a LoCoMo JSON file (a list of samples, or one), tolerating missing and extra fields."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: {path}: cannot read LoCoMo JSON: {exc}") from None
    data = [data] if isinstance(data, dict) else data
    if not isinstance(data, list):
        raise SystemExit(f"error: {path}: expected a list of LoCoMo samples")
    out = []
    for i, sample in enumerate(data):
        conv = sample.get("conversation") if isinstance(sample, dict) else None
        if not isinstance(conv, dict):
            raise SystemExit(f"error: {path}: sample {i}: no 'conversation' object")
        d = Dialogue(str(sample.get("sample_id", i)), (str(conv.get("speaker_a", "")), str(conv.get("speaker_b", ""))))
        numbers = sorted(int(m.group(1)) for key in conv if (m := _SESSION.match(key)))
        for n in numbers:
            turns = [t for t in conv.get(f"session_{n}") or [] if isinstance(t, dict) and str(t.get("text") or "")]
            if not turns:
                continue
            d.sessions.append(_date(conv.get(f"session_{n}_date_time")))
            for t in turns:
                tid = normalize_dia_id(str(t.get("dia_id", "")))
                turn = Turn(
                    tid,
                    str(t.get("speaker") or ""),
                    str(t["text"]).strip(),
                    len(d.sessions),
                    len(d.turns),
                    d.sessions[-1],
                )
                d.turns.append(turn)
        for qa in sample.get("qa") or []:
            if not isinstance(qa, dict) or not str(qa.get("question") or "").strip():
                continue
            evidence = [
                normalize_dia_id(p) for e in qa.get("evidence") or [] for p in re.split(r"[;,\s]+", str(e)) if p
            ]
            answer = qa.get("answer", qa.get("adversarial_answer", ""))
            d.questions.append(
                Question(str(qa["question"]).strip(), "" if answer is None else str(answer), evidence,
                         qa.get("category"), _iso(qa.get("query_time")))
            )  # fmt: skip
        out.append(d)
    return out


# ---------------------------------------------------------------------------------------------------------------
# figures


def sample_texts(texts: list[str], size: int, seed: int) -> list[list[str]]:
    """Texts (as word lists) in a seeded order until `size` words."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    out, total = [], 0
    for i in order:
        if total >= size:
            break
        w = words(texts[i])[: size - total]
        out.append(w)
        total += len(w)
    return out


def distinct(sample: list[list[str]], n: int) -> float | None:
    grams = [tuple(w[i : i + n]) for w in sample for i in range(len(w) - n + 1)]
    return len(set(grams)) / len(grams) if grams else None


def top_share(keys: list[Any], k: int = 20) -> float | None:
    return sum(c for _, c in Counter(keys).most_common(k)) / len(keys) if keys else None


def template(question: str, names: set[str]) -> tuple[str, ...]:
    out = []
    for i, w in enumerate(_WORD.findall(question)[:4]):
        if any(ch.isdigit() for ch in w):
            out.append("<num>")
        elif w in names or (i > 0 and w[:1].isupper() and w != "I"):
            out.append("<name>")
        else:
            out.append(w.lower())
    return tuple(out)


def latest_session(d: Dialogue, when: datetime | None) -> int:
    if when is None:
        return len(d.sessions)
    dated = [i for i, s in enumerate(d.sessions, 1) if s is not None and s <= when]
    return max(dated) if dated else len(d.sessions)


def answer_present(q: Question, turns: dict[str, Turn]) -> bool | None:
    answer = {w for w in words(q.answer) if w not in STOP_WORDS}
    texts = [set(words(turns[e].text)) for e in q.evidence if e in turns]
    if not answer or not texts:
        return None
    return any(answer <= t for t in texts)


def _rate(values: Iterable[bool | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def text_figures(dialogues: list[Dialogue], tokens: int, question_tokens: int, seed: int) -> dict[str, Any]:
    turns = [t for d in dialogues for t in d.turns]
    texts = [t.text for t in turns]
    lengths = [len(words(x)) for x in texts]
    sample = sample_texts(texts, tokens, seed)
    questions = [(q, d) for d in dialogues for q in d.questions]
    qtexts = [q.text for q, _ in questions]
    qsample = sample_texts(qtexts, question_tokens, seed)
    folded = [" ".join(x.lower().split()) for x in texts]
    back: list[int] = []
    present: list[bool | None] = []
    multi_hop: list[int] = []
    for d in dialogues:
        by_id = {t.id: t for t in d.turns}
        for q in d.questions:
            latest = latest_session(d, q.query_time)
            back += [latest - by_id[e].session for e in q.evidence if e in by_id]
            present.append(answer_present(q, by_id))
            if str(q.category) == "1":
                multi_hop.append(sum(e in by_id for e in q.evidence))
    first = [x.split()[0].lower() if x.split() else "" for x in qtexts]
    return {
        "dialogues": len(dialogues),
        "sessions_per_dialogue": mean(len(d.sessions) for d in dialogues) if dialogues else None,
        "turns_per_dialogue": mean(len(d.turns) for d in dialogues) if dialogues else None,
        "turns": len(turns),
        "words_per_turn": mean(lengths) if lengths else None,
        "short_turns": _rate(n <= 5 for n in lengths),
        "sample_tokens": sum(len(w) for w in sample),
        "distinct_1": distinct(sample, 1),
        "distinct_2": distinct(sample, 2),
        "distinct_3": distinct(sample, 3),
        "duplicate_turns": 1 - len(set(folded)) / len(folded) if folded else None,
        "top20_openings": top_share([tuple(words(x)[:3]) for x in texts]),
        "questions": len(qtexts),
        "question_sample_tokens": sum(len(w) for w in qsample),
        "question_distinct_2": distinct(qsample, 2),
        "top20_templates": top_share([template(q.text, set(d.speakers)) for q, d in questions]),
        "what_questions": _rate(w.strip("\"'").startswith("what") for w in first),
        "feelings_questions": _rate(bool(FEELING_WORDS & set(words(x))) for x in qtexts),
        "evidence_outside_latest": _rate(b > 0 for b in back),
        "sessions_back_mean": mean(back) if back else None,
        "sessions_back_median": median(back) if back else None,
        "answer_words_in_evidence": _rate(present),
        "multi_hop_evidence_turns": mean(multi_hop) if multi_hop else None,
    }


# ---------------------------------------------------------------------------------------------------------------
# shortcuts: a feature alone against gold, within each pool

FEATURES = ("length", "speaker", "turn_index", "session_index", "date")


def _feature(turn: Turn | None, text: str, speaker: str | None, when: datetime | None, first: str) -> dict[str, float]:
    out = {"length": float(len(words(text)))}
    if speaker:
        out["speaker"] = float(speaker == first)
    if turn is not None:
        out["turn_index"] = float(turn.index)
        out["session_index"] = float(turn.session)
    when = when or (turn.date if turn else None)
    if when is not None:
        out["date"] = when.timestamp()
    return out


def pool_auc(pools: list[list[tuple[int, dict[str, float]]]]) -> dict[str, float | None]:
    """max(AUC, 1 - AUC) of each feature over the (gold, non-gold) pairs of the same pool."""
    out: dict[str, float | None] = {}
    for name in FEATURES:
        wins = pairs = 0.0
        for pool in pools:
            gold = [f[name] for g, f in pool if g and name in f]
            neg = [f[name] for g, f in pool if not g and name in f]
            for x in gold:
                for y in neg:
                    wins += 1.0 if x > y else 0.5 if x == y else 0.0
            pairs += len(gold) * len(neg)
        out[name] = max(wins / pairs, 1 - wins / pairs) if pairs else None
    return out


def run_pools(rows: Iterable[dict[str, Any]], dialogues: list[Dialogue]) -> tuple[list, dict[str, float]]:
    """The dataset rows' pools as (gold, features); a candidate is found in its dialogue by id, else by text."""
    by_id = {d.id: d for d in dialogues}
    pools, found = [], Counter()
    for row in rows:
        d = by_id.get(str(row.get("dialogue_id")))
        turns = {t.id: t for t in d.turns} if d else {}
        texts = {t.text: t for t in d.turns} if d else {}
        first = d.speakers[0] if d else ""
        pool = []
        for c in row.get("candidates") or []:
            turn = turns.get(str(c.get("memory_id"))) or texts.get(str(c.get("text") or "").strip())
            found["found" if turn else "not_found"] += 1
            f = _feature(turn, str(c.get("text") or ""), c.get("speaker"), _iso(c.get("timestamp")), first)
            pool.append((int(c.get("gold") or 0), f))
        pools.append(pool)
    sizes = [len(p) for p in pools]
    return pools, {
        "pools": len(pools),
        "candidates_per_query": mean(sizes) if sizes else None,
        "candidates_in_dialogue": found["found"] / sum(found.values()) if found else None,
    }


def reference_pools(path: Path, dialogues: list[Dialogue], seed: int) -> tuple[list, dict[str, float]]:
    """A LoCoMo file's questions as pools of its evidence + BM25-hard negatives (`REFERENCE_POOL` turns)."""
    cases, _ = load_locomo(path, pool=REFERENCE_POOL, seed=seed)
    by_sample = {d.id: d for d in dialogues}
    pools = []
    for case in cases:
        d = by_sample.get(str(case.meta.get("sample_id")))
        turns = {t.id: t for t in d.turns} if d else {}
        first = d.speakers[0] if d else ""
        positives = set(case.positives or [])
        if not positives:
            continue
        pools.append(
            [(int(c.id in positives), _feature(turns.get(c.id), c.text, c.speaker, c.date_time, first))
             for c in case.candidates]
        )  # fmt: skip
    sizes = [len(p) for p in pools]
    return pools, {"pools": len(pools), "candidates_per_query": mean(sizes) if sizes else None}


def world_kinds(run: Path) -> dict[str, Any]:
    """Distinct fact predicates and event kinds in the worlds of the run's generate shards (raw JSON: the records in
    any list of the world dict that have a `predicate`, or a `kind` in a list named like "fact..." or "event...")."""
    try:
        folder = run / "generate" / read_manifest(run)["stage_keys"]["generate"]
    except (ManifestError, KeyError, TypeError):
        return {}
    predicates: Counter[str] = Counter()
    events: Counter[str] = Counter()
    for shard in sorted(folder.glob("shard-*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            world = json.loads(line).get("world") if line.strip() else None
            for key, items in (world or {}).items():
                for item in items if isinstance(items, list) else []:
                    if not isinstance(item, dict):
                        continue
                    kind = item.get("predicate") or (item.get("kind") if "fact" in key else None)
                    if isinstance(kind, str):
                        predicates[kind] += 1
                    elif isinstance(item.get("kind"), str) and "event" in key:
                        events[item["kind"]] += 1
    return {
        "fact_kinds": len(predicates),
        "event_kinds": len(events),
        "kinds": len(set(predicates) | set(events)),
        "fact_kind_names": sorted(predicates),
        "event_kind_names": sorted(events),
    }


# ---------------------------------------------------------------------------------------------------------------
# table


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    low: float | None = None
    high: float | None = None
    fmt: str = ".3f"

    def target(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g}-{self.high:g}"
        if self.low is not None:
            return f">= {self.low:g}"
        return f"<= {self.high:g}" if self.high is not None else ""

    def passes(self, value: Any) -> str:
        if value is None or (self.low is None and self.high is None):
            return ""
        ok = (self.low is None or value >= self.low) and (self.high is None or value <= self.high)
        return "pass" if ok else "FAIL"


ROWS = (
    Row("dialogues", "dialogues", fmt="d"),
    Row("sessions_per_dialogue", "sessions per dialogue", fmt=".1f"),
    Row("turns_per_dialogue", "turns per dialogue", fmt=".1f"),
    Row("words_per_turn", "words per turn (mean)", 15, 30, ".1f"),
    Row("short_turns", "turns of <= 5 words", high=0.10),
    Row("sample_tokens", "distinct-n sample (words)", fmt="d"),
    Row("distinct_1", "distinct-1 over turns"),
    Row("distinct_2", "distinct-2 over turns", low=0.45),
    Row("distinct_3", "distinct-3 over turns"),
    Row("duplicate_turns", "exact-duplicate turns", high=0.01),
    Row("top20_openings", "top-20 3-word openings cover", high=0.08),
    Row("questions", "questions", fmt="d"),
    Row("question_sample_tokens", "questions' distinct-n sample (words)", fmt="d"),
    Row("question_distinct_2", "questions: distinct-2", low=0.55),
    Row("top20_templates", "questions: top-20 4-word templates cover", high=0.20),
    Row("what_questions", '"what ..." questions'),
    Row("feelings_questions", "feelings / preferences / describe"),
    Row("evidence_outside_latest", "evidence outside the latest session"),
    Row("sessions_back_mean", "evidence sessions back (mean)", fmt=".1f"),
    Row("sessions_back_median", "evidence sessions back (median; long config >= 5)", fmt=".1f"),
    Row("answer_words_in_evidence", "answer words all in an evidence turn"),
    Row("multi_hop_evidence_turns", "evidence turns per multi-hop question", fmt=".2f"),
    Row("candidates_per_query", "candidates per query", fmt=".1f"),
    Row("fact_kinds", "fact kinds (predicates in the world)", fmt="d"),
    Row("event_kinds", "event kinds (changes, causes, everyday episodes)", fmt="d"),
    Row("kinds", "fact and event kinds together", low=20, fmt="d"),
    Row("candidates_in_dialogue", "pool candidates found among the turns"),
    Row("auc_length", "shortcut AUC: turn length", high=0.55),
    Row("auc_speaker", "shortcut AUC: speaker", high=0.55),
    Row("auc_turn_index", "shortcut AUC: turn index", high=0.55),
    Row("auc_session_index", "shortcut AUC: session index", high=0.55),
    Row("auc_date", "shortcut AUC: date", high=0.55),
)


def _show(value: Any, fmt: str) -> str:
    if value is None:
        return "-"
    if fmt == "d":
        return f"{round(value):,}"
    return f"{value:{fmt}}"


def format_table(build: dict[str, Any], reference: dict[str, Any] | None) -> str:
    head = ["figure", "build", *(["reference"] if reference is not None else []), "target", "build vs target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in ROWS:
        cells = [row.label, _show(build.get(row.key), row.fmt)]
        if reference is not None:
            cells.append(_show(reference.get(row.key), row.fmt))
        cells += [row.target(), row.passes(build.get(row.key))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def measure(
    dialogues: list[Dialogue], pools: list, pool_stats: dict, kinds: dict, sizes: tuple[int, int], seed: int
) -> dict[str, Any]:
    figures = text_figures(dialogues, sizes[0], sizes[1], seed)
    figures.update(pool_stats)
    figures.update(kinds)
    figures.update({f"auc_{k}": v for k, v in pool_auc(pools).items()})
    return figures


def measure_files(
    build_file: Path,
    run: Path | None,
    reference_file: Path | None,
    tokens: int = TOKENS,
    question_tokens: int = QUESTION_TOKENS,
    seed: int = 13,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The figures of a build (its LoCoMo export, and with `run` its dataset pools and world) and of a reference."""
    sides = {"build": read_locomo(build_file)}
    if reference_file is not None:
        sides["reference"] = read_locomo(reference_file)
    if run is not None and (run / "dataset" / "dataset_dict.json").is_file():
        from datasets import load_from_disk

        dataset = load_from_disk(str(run / "dataset"))
        rows = [row for split in dataset.values() for row in split]
        pools, stats = run_pools(rows, sides["build"])
        kinds = world_kinds(run)
    else:
        pools, stats = reference_pools(build_file, sides["build"], seed)
        kinds = {}
    build = measure(sides["build"], pools, stats, kinds, (tokens, question_tokens), seed)
    reference = None
    if reference_file is not None:
        pools, stats = reference_pools(reference_file, sides["reference"], seed)
        reference = measure(sides["reference"], pools, stats, {}, (tokens, question_tokens), seed)
    return build, reference


def export_run(run: Path, folder: Path) -> Path:
    """The run's every split exported as LoCoMo, joined into one file."""
    from pipelines.export import ExportError, export

    try:
        export(run, "locomo", folder)
    except ExportError as exc:
        raise SystemExit(f"error: {exc}") from None
    samples = [s for part in sorted(folder.glob("*.json")) for s in json.loads(part.read_text(encoding="utf-8"))]
    joined = folder / "all.locomo"
    joined.write_text(json.dumps(samples), encoding="utf-8")
    return joined


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path, nargs="?", help="a run folder written by python -m pipelines.build")
    p.add_argument("--locomo", type=Path, help="measure this LoCoMo-format file instead of a run")
    p.add_argument("--reference", type=Path, help="a LoCoMo-format file measured side by side")
    p.add_argument("--json", type=Path, help="write the figures here")
    p.add_argument("--tokens", type=int, default=TOKENS, help="words in the turns' distinct-n sample")
    p.add_argument("--question-tokens", type=int, default=QUESTION_TOKENS, help="words in the questions' sample")
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args(argv)
    if (args.run is None) == (args.locomo is None):
        p.error("give a run folder or --locomo FILE")
    for path in (args.locomo, args.reference):
        if path is not None and not path.is_file():
            print(f"error: {path}: file not found", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        if args.run is not None:
            try:
                read_manifest(args.run)
            except ManifestError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            build_file = export_run(args.run, Path(tmp))
        else:
            build_file = args.locomo
        build, reference = measure_files(
            build_file, args.run, args.reference, args.tokens, args.question_tokens, args.seed
        )
    print(format_table(build, reference))
    if build.get("fact_kind_names") is not None:
        print(
            f"\nfact kinds: {', '.join(build['fact_kind_names'])}\nevent kinds: {', '.join(build['event_kind_names'])}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"build": build, "reference": reference}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
