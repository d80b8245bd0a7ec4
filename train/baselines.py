"""Baseline scorers on the same reranking cases: BM25 and the embedding model (bi-encoder cosine).

Their scores rank but are not probabilities, so evaluation reports no calibration for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from schemas import Memory, RerankCase, ScoredCase, render_memory, render_query
from scoring.embedding import encode
from scoring.lexical import bm25_scores as bm25
from scoring.text import words

BASELINES: tuple[str, ...] = ("bm25", "embedding")


def undated_query(case: RerankCase) -> str:
    """What a baseline reads of the query: the context turns and the question (no instruction, no date)."""
    return render_query(case.query, case.context, None)


def undated_memory(candidate_text: str, speaker: str | None) -> str:
    """What a baseline reads of a candidate: speaker and text (no date), rendered as judging renders a memory."""
    return render_memory(Memory(memory_id="-", speaker=speaker, text=candidate_text))


def bm25_case_scores(case: RerankCase) -> dict[str, float]:
    """BM25 (Okapi) of the query against the case's candidates, the candidates being the corpus."""
    corpus = [words(undated_memory(c.text, c.speaker)) for c in case.candidates]
    scores = bm25(words(undated_query(case)), corpus)
    return {c.id: float(s) for c, s in zip(case.candidates, scores, strict=True)}


def bm25_scores(cases: Sequence[RerankCase]) -> list[ScoredCase]:
    return [ScoredCase(case_id=case.case_id, scores=bm25_case_scores(case)) for case in cases]


def embedding_scores(cases: Sequence[RerankCase], model: str | Path | None = None) -> list[ScoredCase]:
    """Cosine similarity of query and candidate embeddings (`scoring.embedding`; default: the packaged
    all-MiniLM-L6-v2)."""
    path = str(model) if model else None
    q = encode([undated_query(case) for case in cases], path)
    d = encode([undated_memory(c.text, c.speaker) for case in cases for c in case.candidates], path)
    out, start = [], 0
    for i, case in enumerate(cases):
        sims = d[start : start + len(case.candidates)] @ q[i]
        out.append(
            ScoredCase(
                case_id=case.case_id, scores={c.id: float(s) for c, s in zip(case.candidates, sims, strict=True)}
            )
        )
        start += len(case.candidates)
    return out


def baseline_scores(name: str, cases: Sequence[RerankCase], embedding_model: str | None = None) -> list[ScoredCase]:
    if name == "bm25":
        return bm25_scores(cases)
    if name == "embedding":
        return embedding_scores(cases, embedding_model)
    raise ValueError(f"baseline {name!r} is not one of {list(BASELINES)}")
