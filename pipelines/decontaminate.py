"""Drop generated queries that overlap evaluation sets, so a model trained on the dataset is not scored on them.

A query is contaminated when at least `threshold` of its word `n`-grams (`scoring.text.words`; a query
shorter than `n` words is one n-gram of all its words) occur in some evaluation question. Questions are short
(6 to 15 words), so n = 5 rather than the 8 to 13 used for documents: a shared 5-gram is a shared phrase
("did priya live in may"), not a common opening ("where did she"). Default threshold: half the query's 5-grams.

Evaluation sets are files of either format (told apart by content, not name):
- JSONL of reranking cases, one object a line with a string `query` (other fields are not read);
- LoCoMo JSON: a list of samples (or one sample) whose `qa` items have a `question`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemas import Query
from scoring.text import words

N = 5
THRESHOLD = 0.5


class EvalSetError(ValueError):
    """An evaluation file that cannot be read; the message names the file (and line)."""


def ngrams(text: str, n: int = N) -> set[tuple[str, ...]]:
    tokens = words(text)
    if not tokens:
        return set()
    if len(tokens) < n:
        return {tuple(tokens)}
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _jsonl_questions(path: Path, text: str) -> list[str]:
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalSetError(f"{path}:{lineno}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("query"), str):
            raise EvalSetError(f"{path}:{lineno}: a reranking case needs a string 'query'")
        out.append(item["query"])
    return out


def _locomo_questions(path: Path, data: object) -> list[str]:
    samples = data if isinstance(data, list) else [data]
    out = []
    for k, sample in enumerate(samples):
        if not isinstance(sample, dict) or not isinstance(sample.get("qa"), list):
            raise EvalSetError(f"{path}: sample {k}: a LoCoMo sample needs a 'qa' list")
        out += [str(qa["question"]) for qa in sample["qa"] if isinstance(qa, dict) and qa.get("question")]
    return out


def read_questions(path: Path) -> list[str]:
    """The evaluation questions of one file (reranking-case JSONL or LoCoMo JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return _jsonl_questions(path, text)  # several JSON values: one case a line
    if isinstance(data, dict) and "qa" not in data:  # a one-line JSONL file
        return _jsonl_questions(path, text)
    return _locomo_questions(path, data)


@dataclass(frozen=True)
class EvalSets:
    """The n-grams of every evaluation question, and what identifies them (for the manifest and stage keys)."""

    grams: frozenset[tuple[str, ...]]
    files: tuple[dict[str, object], ...]
    n: int
    threshold: float

    def key(self) -> str:
        """Changes when a file's content, n or the threshold does (not when a file is moved)."""
        parts = [*sorted(str(f["sha256"]) for f in self.files), str(self.n), repr(self.threshold)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]

    def contaminated(self, text: str) -> bool:
        mine = ngrams(text, self.n)
        return bool(mine) and len(mine & self.grams) >= self.threshold * len(mine)


def load_eval_sets(paths: Sequence[Path], *, n: int = N, threshold: float = THRESHOLD) -> EvalSets:
    if not 0 < threshold <= 1:
        raise EvalSetError(f"decontamination threshold must be in (0, 1], got {threshold}")
    grams: set[tuple[str, ...]] = set()
    files = []
    for path in paths:
        questions = read_questions(path)
        for q in questions:
            grams |= ngrams(q, n)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files.append({"path": str(path), "sha256": digest, "questions": len(questions)})
    return EvalSets(frozenset(grams), tuple(files), n, threshold)


def contaminated_ids(queries: Iterable[Query], eval_sets: EvalSets) -> list[str]:
    """Ids of the queries (in input order) whose question text overlaps the evaluation sets."""
    return [q.query_id for q in queries if eval_sets.contaminated(q.text)]
