"""General-domain relevance pairs from real human conversations, as a dataset in the exported row format, to mix
into training (`[datasets.general]` in a train config) so a student keeps the plain matching it started with.

    python -m pipelines.general [--out runs/general/dataset] [--source FILE] [--queries 4000] [--test 500]
                                [--validation 500] [--negatives 7] [--seed 13]

Source: the Chit-Chat Challenge corpus of the BYU PCC lab, packaged on PyPI as `chitchat-dataset` (MIT licence;
7,168 open-domain conversations between people, 258k messages), or any file in its format (`--source`): a JSON
object `{conversation id: {"messages": [[{"text", "timestamp", "sender"}, ...], ...]}}`, a message being one
speaker's consecutive lines.

Each row is one message of a conversation (a question when it has one: a message holding "?") with the two
messages before it as `context`; its candidates are the reply that followed it (gold, label 1) and `--negatives`
replies that did not (label 0): two from later in the same conversation (same topic, not the answer), the rest from
other conversations that share the message's rarest word (lexical look-alikes), or any other. Speakers are "A" and
"B" in the context; candidates have no speaker and no date, so neither separates the reply. Rows are at most two per
conversation, picked and ordered by `--seed`; `--test` more rows, from other conversations, make a `test` split (held
out: how well a model matches a message with its reply, before and after distillation); `--validation` more rows,
from other conversations again, a `validation` split to choose on (the floor's interpolation, `train.floor`). The
same source and arguments give the same bytes, and a folder already built with them is reused (`memdistill.json` in
it records them).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.export import save_dataset, to_dataset_dict
from schemas import ContextTurn, DatasetRow, RowCandidate

SKILL = "general"
INSTRUCTION = "Given a conversation, judge whether the passage is the reply that follows its last message"
SOURCE_NAME = "chitchat-dataset (BYU PCC lab Chit-Chat Challenge, MIT licence)"
MIN_WORDS = 3
MAX_WORDS = 80
CONTEXT_WORDS = 60
SAME_CONVERSATION = 2
_WORD = re.compile(r"\w+(?:'\w+)*")
_COMMON_WORDS = (
    "a an the and or but of to in on at for with by from as is are was were be it its this that i you me my your we "
    "do did does have has had not no so what how why who when where yes yeah oh ok okay haha lol just like really "
    "about there they he she them would could can will i'm it's that's don't"
)
_COMMON = frozenset(_COMMON_WORDS.split())


class GeneralError(ValueError):
    """A source that cannot be read; one line naming the file and the conversation."""


def default_source() -> Path:
    try:
        import chitchat_dataset
    except ImportError:
        raise GeneralError("the chitchat-dataset package is not installed (pip install chitchat-dataset)") from None
    return Path(chitchat_dataset.__file__).resolve().parent / "dataset.json"


def read_conversations(path: Path) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(conversation id, [(sender, text, timestamp)]) in id order; a message's lines joined by a space."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GeneralError(f"{path}: cannot read the conversations: {exc}") from None
    if not isinstance(data, dict):
        raise GeneralError(f"{path}: expected an object of conversations by id")
    out = []
    for cid in sorted(data):
        messages = data[cid].get("messages") if isinstance(data[cid], dict) else None
        if not isinstance(messages, list):
            raise GeneralError(f"{path}: conversation {cid}: no 'messages' list")
        turns = []
        for m in messages:
            lines = [u for u in m if isinstance(u, dict) and str(u.get("text") or "").strip()]
            if lines:
                text = " ".join(" ".join(str(u["text"]).split()) for u in lines)
                turns.append((str(lines[0].get("sender", "")), text, str(lines[0].get("timestamp", ""))))
        out.append((cid, turns))
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _fits(text: str) -> bool:
    return MIN_WORDS <= len(_words(text)) <= MAX_WORDS


def _clip(text: str) -> str:
    parts = text.split()
    return text if len(parts) <= CONTEXT_WORDS else " ".join(parts[:CONTEXT_WORDS]) + " ..."


def _time(raw: str) -> str:
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).replace(tzinfo=None).isoformat()
    except ValueError:
        return "2018-01-01T00:00:00"


def _candidate(cid: str, k: int, text: str, gold: bool, origin: str) -> RowCandidate:
    return RowCandidate(
        memory_id=f"{cid}:{k}",
        text=text,
        speaker=None,
        timestamp=None,
        gold=int(gold),
        label=1.0 if gold else 0.0,
        tier=4 if gold else 0,
        origin=origin,
    )


def build_rows(
    conversations: list[tuple[str, list[tuple[str, str, str]]]], queries: int, negatives: int, seed: int
) -> list[DatasetRow]:
    """Up to `queries` rows, at most two per conversation, in the seeded order of the conversations (see the module
    doc)."""
    replies = [(cid, k, t[1]) for cid, turns in conversations for k, t in enumerate(turns) if k > 0 and _fits(t[1])]
    frequency = Counter(w for _, _, text in replies for w in set(_words(text)))
    by_word: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, text) in enumerate(replies):
        for w in set(_words(text)) - _COMMON:
            by_word[w].append(i)
    rng = random.Random(f"general:{seed}")
    order = list(range(len(conversations)))
    rng.shuffle(order)
    rows: list[DatasetRow] = []
    for ci in order:
        if len(rows) >= queries:
            break
        cid, turns = conversations[ci]
        speakers = {s: "AB"[i % 2] for i, s in enumerate(dict.fromkeys(s for s, _, _ in turns))}
        spots = [
            k
            for k in range(len(turns) - 1)
            if _fits(turns[k][1]) and _fits(turns[k + 1][1]) and turns[k][0] != turns[k + 1][0]
        ]
        questions = [k for k in spots if "?" in turns[k][1]]
        picked = rng.sample(questions or spots, min(2, len(questions or spots)))
        for k in sorted(picked):
            rows.append(_row(cid, turns, k, speakers, replies, frequency, by_word, negatives, rng))
    return rows[:queries]


def _row(
    cid: str,
    turns: list[tuple[str, str, str]],
    k: int,
    speakers: dict[str, str],
    replies: list[tuple[str, int, str]],
    frequency: Counter[str],
    by_word: dict[str, list[int]],
    negatives: int,
    rng: random.Random,
) -> DatasetRow:
    sender, text, when = turns[k]
    gold = _candidate(cid, k + 1, turns[k + 1][1], True, "general:reply")
    later = [j for j in range(k + 4, len(turns)) if _fits(turns[j][1])]
    picked = rng.sample(later, min(SAME_CONVERSATION, len(later)))
    same = [_candidate(cid, j, turns[j][1], False, "general:same_conversation") for j in picked]
    seen = {gold.text.lower()} | {c.text.lower() for c in same}
    others: list[RowCandidate] = []
    rare = sorted((w for w in set(_words(text)) - _COMMON if w in by_word), key=lambda w: (frequency[w], w))
    pools = [("general:lexical", by_word[w]) for w in rare[:3]] + [("general:random", range(len(replies)))]
    for origin, pool in pools:
        tries = 0
        while len(same) + len(others) < negatives and tries < 20:
            tries += 1
            ocid, j, otext = replies[rng.choice(pool)]
            if ocid != cid and otext.lower() not in seen:
                seen.add(otext.lower())
                others.append(_candidate(ocid, j, otext, False, origin))
            if origin != "general:random" and tries >= 3:
                break
    candidates = [gold, *same, *others]
    rng.shuffle(candidates)
    context = [ContextTurn(speaker=speakers[s], text=_clip(t)) for s, t, _ in turns[max(0, k - 2) : k]]
    return DatasetRow(
        query_id=f"general-{cid}-{k}",
        dialogue_id=f"general-{cid}",
        skill=SKILL,
        instruction=INSTRUCTION,
        query=f"{speakers[sender]}: {text}",
        context=context,
        query_time=_time(when),
        answer=turns[k + 1][1],
        candidates=candidates,
    )


def card(params: dict[str, Any], rows: list[DatasetRow]) -> str:
    origins = Counter(c.origin for r in rows for c in r.candidates)
    lines = [
        "---",
        "license: mit",
        "---",
        "# General relevance pairs (memdistill)",
        "",
        f"Built by `python -m pipelines.general` from {SOURCE_NAME}: one row per message of a real conversation, its "
        "candidates the reply that followed (gold) and replies that did not. Mixed into reranker training so the "
        "student keeps general matching (`[datasets.general]` in a train config).",
        "",
        "Source licence: MIT, Copyright (c) 2019 Perception, Control and Cognition Lab (BYU).",
        "",
        f"Parameters: `{json.dumps(params, sort_keys=True)}`. Rows: {len(rows)}.",
        "",
        "| candidate origin | count |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in sorted(origins.items())),
    ]
    return "\n".join(lines) + "\n"


STAMP = "memdistill.json"  # the arguments a dataset folder was built with (runfolder.DATASET_FILES knows it)


def _cut(rows: list[DatasetRow], at: int) -> int:
    """`at`, moved past the rest of the conversation it falls inside."""
    cut = min(at, len(rows))
    while 0 < cut < len(rows) and rows[cut].dialogue_id == rows[cut - 1].dialogue_id:
        cut += 1
    return cut


def build_general(
    out: Path, source: Path | None, queries: int, negatives: int, seed: int, test: int = 0, validation: int = 0
) -> tuple[int, bool]:
    """Build (or reuse) the dataset in `out` (`train`, `test` when `test` > 0, `validation` when `validation` > 0);
    return the train rows' count and whether it was reused."""
    source = source or default_source()
    if not source.is_file():
        raise GeneralError(f"{source}: file not found")
    params = {"source": source.name, "source_bytes": source.stat().st_size, "queries": queries}
    params |= {"test": test, "negatives": negatives, "seed": seed}
    if validation:  # recorded only when asked for: a folder built before the option stays reusable
        params["validation"] = validation
    stamp = out / STAMP
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")).get("params") == params:
        return json.loads(stamp.read_text(encoding="utf-8"))["rows"], True
    rows = build_rows(read_conversations(source), queries + test + validation, negatives, seed)
    if not rows:
        raise GeneralError(f"{source}: no message with a reply of {MIN_WORDS}-{MAX_WORDS} words")
    # rows come in the seeded order and a longer build only appends, so train and test have the same bytes with or
    # without a validation split; no split shares a conversation with another (a conversation's rows are adjacent)
    train_end = _cut(rows, queries)
    test_end = max(train_end, queries + test)
    splits = {"train": rows[:train_end], "test": rows[train_end:test_end]}
    if validation:
        tested = {r.dialogue_id for r in splits["test"]}
        splits["validation"] = [r for r in rows[test_end:] if r.dialogue_id not in tested]
    rows = splits["train"]
    save_dataset(to_dataset_dict(splits), card(params, rows), out)
    stamp.write_text(json.dumps({"params": params, "rows": len(rows)}, indent=1) + "\n", encoding="utf-8")
    return len(rows), False


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipelines.general", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("runs/general/dataset"))
    p.add_argument("--source", type=Path, default=None, help="conversations JSON (default: chitchat-dataset's)")
    p.add_argument("--queries", type=int, default=4000)
    p.add_argument("--test", type=int, default=500, help="held-out rows (a test split); 0: none")
    p.add_argument("--validation", type=int, default=500, help="more held-out rows, to choose on (a validation split)")
    p.add_argument("--negatives", type=int, default=7)
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args(argv)
    if args.queries < 1 or args.negatives < 1 or args.test < 0 or args.validation < 0:
        print("error: --queries and --negatives must be >= 1, --test and --validation >= 0", file=sys.stderr)
        return 2
    try:
        n, reused = build_general(
            args.out, args.source, args.queries, args.negatives, args.seed, args.test, args.validation
        )
    except GeneralError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'reused' if reused else 'built'} {n} general relevance rows -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
