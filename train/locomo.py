"""Load the public LoCoMo JSON as reranking cases: one case per QA item; its candidates are every turn of its
conversation (default), every session summary, or every observation; optionally a fixed pool of N per case.

Positives: the evidence turns; the summaries of the sessions holding them; the observations linked to them.

Real LoCoMo files have quirks; this loader repairs what it can and counts what it repairs or drops:
evidence strings holding several ids ("D8:6; D9:17"), misformatted ids ("D:11:26", "D30:05"), evidence that
points at no turn (dropped), answers given as numbers, adversarial items (category 5) whose answer is in
`adversarial_answer`, sessions with a date but no turns, turns repeating an id (the first is kept).

QA items written by `python -m pipelines.export --format locomo` carry extension fields that LoCoMo's own files lack
and that this loader reads when present: `context` (the turns a coreference question leans on), `query_time` (ISO;
instead of the last session + `QUERY_DELAY`), `instruction`, `skill` (the case's `category_name`, so reports come out
per skill) and `query_id` (kept in meta).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas import CaseCandidate, ContextTurn, RerankCase
from schemas.config import describe_validation_error
from train.baselines import bm25_case_scores
from train.groups import seeded_rng

log = logging.getLogger("train.locomo")

CATEGORIES: dict[int, str] = {1: "multi_hop", 2: "temporal", 3: "open_domain", 4: "single_hop", 5: "adversarial"}
DATE_FORMAT = "%I:%M %p on %d %B, %Y"  # "10:12 am on 3 March, 2023"
QUERY_DELAY = timedelta(days=1)
"""Questions are taken as asked this long after the last session."""

_SESSION = re.compile(r"^session_(\d+)$")
_DIA_ID = re.compile(r"^D:?(\d+):(\d+)$")
_SEPARATORS = re.compile(r"[;,\s]+")

CANDIDATE_KINDS: tuple[str, ...] = ("turns", "summaries", "observations")
COUNT_KEYS = (
    "samples",
    "sessions",
    "turns",
    "qa",
    "cases",
    "empty_sessions",
    "sessions_without_date",
    "turns_without_text",
    "duplicate_turns",
    "turn_ids_repaired",
    "evidence_split",
    "evidence_repaired",
    "evidence_duplicate",
    "evidence_dropped",
    "qa_without_evidence",
    "qa_without_question",
    "answers_not_string",
    "adversarial",
    "summaries",
    "observations",
    "observations_unlinked",
)


class LocomoError(ValueError):
    """A LoCoMo file this loader cannot read; the message names the file and the sample."""


def parse_date(text: str) -> datetime:
    """`"10:12 am on 3 March, 2023"` -> datetime(2023, 3, 3, 10, 12)."""
    return datetime.strptime(text.strip(), DATE_FORMAT)


def normalize_dia_id(raw: str) -> str:
    """`"D:11:26"` -> `"D11:26"`, `"D30:05"` -> `"D30:5"`; anything else is returned stripped."""
    m = _DIA_ID.match(raw.strip())
    return f"D{int(m.group(1))}:{int(m.group(2))}" if m else raw.strip()


def _turn_text(turn: dict[str, Any]) -> str:
    text = str(turn.get("text") or "").strip()
    caption = str(turn.get("blip_caption") or "").strip()
    if caption:
        return f"{text} [shares {caption}]" if text else f"[shares {caption}]"
    return text


def _session_dates(conv: dict[str, Any]) -> dict[int, datetime]:
    dates = {}
    for key, raw in conv.items():
        m = re.match(r"^session_(\d+)_date_time$", key)
        if m and raw:
            with contextlib.suppress(ValueError):
                dates[int(m.group(1))] = parse_date(str(raw))
    return dates


def _summaries(sample: dict[str, Any], dates: dict[int, datetime], counts: Counter[str]) -> list[CaseCandidate]:
    """One candidate per `session_N_summary`, id `S<N>`, dated like its session."""
    out = []
    summaries = sample.get("session_summary") or {}
    for key in sorted(summaries, key=lambda k: int(re.sub(r"\D", "", k) or 0)):
        m = re.match(r"^session_(\d+)_summary$", key)
        text = str(summaries[key] or "").strip()
        if m and text:
            n = int(m.group(1))
            out.append(CaseCandidate(id=f"S{n}", text=text, date_time=dates.get(n)))
            counts["summaries"] += 1
    return out


def _observations(
    sample: dict[str, Any], dates: dict[int, datetime], counts: Counter[str]
) -> tuple[list[CaseCandidate], dict[str, set[str]]]:
    """One candidate per observation, id `O<N>:<k>`, with its speaker and session date; and the turns it cites."""
    out, links = [], {}
    observations = sample.get("observation") or {}
    for key in sorted(observations, key=lambda k: int(re.sub(r"\D", "", k) or 0)):
        m = re.match(r"^session_(\d+)_observation$", key)
        if not m or not isinstance(observations[key], dict):
            continue
        n = int(m.group(1))
        for speaker, items in observations[key].items():
            for item in items or []:
                text = str(item[0] if isinstance(item, list) and item else item or "").strip()
                if not text:
                    continue
                cited = item[1] if isinstance(item, list) and len(item) > 1 else []
                cited = cited if isinstance(cited, list) else [cited]
                turns = {normalize_dia_id(p) for c in cited for p in _SEPARATORS.split(str(c)) if p}
                oid = f"O{n}:{len(out) + 1}"
                out.append(CaseCandidate(id=oid, text=text, speaker=str(speaker), date_time=dates.get(n)))
                links[oid] = turns
                counts["observations"] += 1
                counts["observations_unlinked"] += not turns
    return out, links


def fixed_pool(case: RerankCase, size: int, seed: int) -> RerankCase:
    """The case cut to `size` candidates: its positives plus the BM25-highest negatives, in a seeded order."""
    positives = set(case.positives or [])
    bm25 = bm25_case_scores(case)
    negatives = sorted((c for c in case.candidates if c.id not in positives), key=lambda c: (-bm25[c.id], c.id))
    kept = [c for c in case.candidates if c.id in positives] + negatives[: max(0, size - len(positives))]
    seeded_rng("pool", seed, case.case_id).shuffle(kept)
    return case.model_copy(update={"candidates": kept})


def _candidates(conv: dict[str, Any], counts: Counter[str]) -> tuple[list[CaseCandidate], datetime | None]:
    sessions = sorted((int(m.group(1)), key) for key in conv if (m := _SESSION.match(key)))
    candidates: list[CaseCandidate] = []
    seen: set[str] = set()
    dates: list[datetime] = []
    for n, key in sessions:
        turns = conv[key] or []
        raw_date = conv.get(f"session_{n}_date_time")
        date = None
        if raw_date:
            try:
                date = parse_date(str(raw_date))
                dates.append(date)
            except ValueError:
                pass
        if not turns:
            counts["empty_sessions"] += 1
            continue
        counts["sessions"] += 1
        if date is None:
            counts["sessions_without_date"] += 1
        for turn in turns:
            raw_id = str(turn.get("dia_id", ""))
            tid = normalize_dia_id(raw_id)
            counts["turn_ids_repaired"] += tid != raw_id
            text = _turn_text(turn)
            if not tid or not text:
                counts["turns_without_text"] += 1
                continue
            if tid in seen:
                counts["duplicate_turns"] += 1
                continue
            seen.add(tid)
            counts["turns"] += 1
            candidates.append(CaseCandidate(id=tid, text=text, speaker=turn.get("speaker") or None, date_time=date))
    query_time = max(dates) + QUERY_DELAY if dates else None
    return candidates, query_time


def _evidence(raw: list[Any], turn_ids: set[str], counts: Counter[str]) -> list[str]:
    out: list[str] = []
    for item in raw:
        parts = [p for p in _SEPARATORS.split(str(item)) if p] if isinstance(item, str | int) else []
        counts["evidence_split"] += len(parts) > 1
        if not parts:
            counts["evidence_dropped"] += 1
        for part in parts:
            eid = normalize_dia_id(part)
            counts["evidence_repaired"] += eid != part
            if eid not in turn_ids:
                counts["evidence_dropped"] += 1
            elif eid in out:
                counts["evidence_duplicate"] += 1
            else:
                out.append(eid)
    return out


def _answer(qa: dict[str, Any], counts: Counter[str]) -> str:
    value = qa.get("answer", qa.get("adversarial_answer", ""))
    if not isinstance(value, str):
        counts["answers_not_string"] += 1
        value = "" if value is None else str(value)
    return value


def _extensions(qa: dict[str, Any], where: str) -> dict[str, Any]:
    """The RerankCase fields an exported QA item sets (`context`, `query_time`, `instruction`); none for LoCoMo's."""
    out: dict[str, Any] = {}
    try:
        if qa.get("context"):
            out["context"] = [ContextTurn.model_validate(turn) for turn in qa["context"]]
        if qa.get("query_time"):
            out["query_time"] = datetime.fromisoformat(str(qa["query_time"]))
    except ValidationError as exc:
        raise LocomoError(f"{where}: context {describe_validation_error(exc)}") from None
    except ValueError as exc:
        raise LocomoError(f"{where}: query_time: {exc}") from None
    if str(qa.get("instruction") or "").strip():
        out["instruction"] = str(qa["instruction"]).strip()
    return out


def _check_shapes(sample: dict[str, Any], where: str) -> None:
    """`LocomoError` naming the first session that is not a list of turn objects, or qa item that is not an object."""
    conv = sample["conversation"]
    for key in sorted(k for k in conv if _SESSION.match(k)):
        turns = conv[key] or []
        if not isinstance(turns, list):
            raise LocomoError(f"{where}: {key} is not a list of turns")
        for k, turn in enumerate(turns):
            if not isinstance(turn, dict):
                raise LocomoError(f"{where}: {key}[{k}] is not a turn object ({type(turn).__name__})")
    qa = sample.get("qa") or []
    if not isinstance(qa, list):
        raise LocomoError(f"{where}: qa is not a list")
    for j, item in enumerate(qa):
        if not isinstance(item, dict):
            raise LocomoError(f"{where}: qa {j} is not an object ({type(item).__name__})")


def load_locomo(
    path: str | Path, candidates: str = "turns", pool: int | None = None, seed: int = 13
) -> tuple[list[RerankCase], dict[str, int]]:
    """Cases from a LoCoMo JSON file, and counts of what was read, repaired and dropped.

    `candidates`: "turns", "summaries" or "observations"; `pool`: cut every case to N candidates (positives +
    BM25-hard negatives, order seeded by `seed` and the case id).
    """
    if candidates not in CANDIDATE_KINDS:
        raise LocomoError(f"candidates {candidates!r} is not one of {list(CANDIDATE_KINDS)}")
    if pool is not None and pool < 2:
        raise LocomoError(f"pool {pool}: needs at least 2 candidates")
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LocomoError(f"{path}: cannot read LoCoMo JSON: {exc}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise LocomoError(f"{path}: expected a list of samples, got {type(data).__name__}")
    counts: Counter[str] = Counter({k: 0 for k in COUNT_KEYS})
    cases: list[RerankCase] = []
    for i, sample in enumerate(data):
        sample_id = str(sample.get("sample_id", f"sample-{i}")) if isinstance(sample, dict) else f"#{i}"
        if not isinstance(sample, dict) or not isinstance(sample.get("conversation"), dict):
            raise LocomoError(f"{path}: sample {sample_id}: no 'conversation' object")
        _check_shapes(sample, f"{path}: sample {sample_id}")
        counts["samples"] += 1
        turns, query_time = _candidates(sample["conversation"], counts)
        if not turns:
            raise LocomoError(f"{path}: sample {sample_id}: the conversation has no turns")
        turn_ids = {c.id for c in turns}
        dates = _session_dates(sample["conversation"])
        links: dict[str, set[str]] = {}
        if candidates == "summaries":
            pool_items = _summaries(sample, dates, counts)
            links = {c.id: {t for t in turn_ids if t.startswith(f"D{c.id[1:]}:")} for c in pool_items}
        elif candidates == "observations":
            pool_items, links = _observations(sample, dates, counts)
        else:
            pool_items = turns
        if not pool_items:
            raise LocomoError(f"{path}: sample {sample_id}: no {candidates} to use as candidates")
        for j, qa in enumerate(sample.get("qa") or []):
            counts["qa"] += 1
            question = str(qa.get("question") or "").strip()
            if not question:
                counts["qa_without_question"] += 1
                continue
            evidence = _evidence(qa.get("evidence") or [], turn_ids, counts)
            counts["qa_without_evidence"] += not evidence
            positives = evidence if candidates == "turns" else [c.id for c in pool_items if links[c.id] & set(evidence)]
            category = qa.get("category")
            if isinstance(category, str) and category.strip().isdigit():
                category = int(category)
            counts["adversarial"] += category == 5
            meta = {
                "sample_id": sample_id,
                "category": category,
                "category_name": str(qa.get("skill") or CATEGORIES.get(category, str(category))),
                "answer": _answer(qa, counts),
            }
            if qa.get("query_id"):
                meta["query_id"] = str(qa["query_id"])
            fields = {"query_time": query_time, **_extensions(qa, f"{path}: sample {sample_id}: qa {j}")}
            case = RerankCase(
                case_id=f"{sample_id}:qa{j}",
                query=question,
                candidates=pool_items,
                positives=positives,
                meta=meta,
                **fields,
            )
            cases.append(fixed_pool(case, pool, seed) if pool is not None and len(pool_items) > pool else case)
            counts["cases"] += 1
    result = dict(counts)
    log.info("LoCoMo %s: %s", path.name, ", ".join(f"{k} {v}" for k, v in result.items() if v))
    return cases, result
