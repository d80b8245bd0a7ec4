"""Retrievers that pick negatives from the same dialogue: BM25 over content words, and sentence embeddings
(`scoring.embedding`: the packaged all-MiniLM-L6-v2).

Each ranks, per query, a pool of memories best first; `candidates` interleaves the rankings. A build encodes each
dialogue's memories once (`dialogue_embeddings`, stored in the run folder) and the embedding retriever and teacher
both read those rows back (`scoring.embedding.reusing`); on its own, the retriever encodes its pools itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from schemas import Dialogue, Memory, Query, TextEmbeddings, render_memory, render_query
from scoring.embedding import encode, to_record
from scoring.lexical import bm25_from_counts, term_counts
from scoring.text import content_words, words

RETRIEVERS: tuple[str, ...] = ("bm25", "embedding")


def bm25_ranking(
    query: Query, pool: list[Memory], ignore: Collection[str] = (), docs: dict[str, Counter[str]] | None = None
) -> list[str]:
    """Ids of the memories of `pool` sharing a content word with the query (or its context), by BM25 score,
    best first (ties in pool order); a memory matching nothing is no lexical hit and is left out.

    Dates are left out on both sides (weekday and day-number tokens would match by chance), and so are the words
    in `ignore` (e.g. the speakers' names, which would match every turn they say). `docs`: memory id -> its term
    counts, filled and reused across calls with the same `ignore` (a dialogue's queries share most of their pool).
    """
    if not pool:
        return []
    skip = {w for name in ignore for w in words(name)}
    known = {} if docs is None else docs
    for m in pool:
        if m.memory_id not in known:
            said = content_words(render_memory(m.model_copy(update={"timestamp": None})))
            known[m.memory_id] = term_counts([w for w in said if w not in skip])
    counts = [known[m.memory_id] for m in pool]
    asked = [w for w in content_words(render_query(query.text, query.context)) if w not in skip]
    scores = bm25_from_counts(asked, counts)
    hits = [i for i, doc in enumerate(counts) if not doc.keys().isdisjoint(asked)]
    return [pool[i].memory_id for i in sorted(hits, key=lambda i: (-scores[i], i))]


def dialogue_embeddings(dialogue: Dialogue) -> TextEmbeddings:
    """Every memory of the dialogue, rendered as the retriever and the teacher read it, encoded in one call in
    dialogue order: a function of the dialogue alone, so a recomputed record has the same bytes."""
    return to_record(dialogue.dialogue_id, [render_memory(m) for m in dialogue.memories()])


def embedding_rankings(queries: list[Query], pools: list[list[Memory]]) -> list[list[str]]:
    """Per query, the ids of its pool by cosine similarity, best first (ties in pool order).

    Every distinct memory is encoded once, however many pools share them (or read back, see the module doc).
    """
    if not queries:
        return []
    unique = {m.memory_id: m for pool in pools for m in pool}
    row = {memory_id: k for k, memory_id in enumerate(unique)}
    memory_emb = encode([render_memory(m) for m in unique.values()]) if unique else None
    query_emb = encode([render_query(q.text, q.context) for q in queries])
    out = []
    for q_emb, pool in zip(query_emb, pools, strict=True):
        if not pool:
            out.append([])
            continue
        scores = memory_emb[[row[m.memory_id] for m in pool]] @ q_emb
        out.append([pool[i].memory_id for i in sorted(range(len(pool)), key=lambda i: (-float(scores[i]), i))])
    return out


def rankings(
    retriever: str, queries: list[Query], pools: list[list[Memory]], ignore: Collection[str] = ()
) -> list[list[str]]:
    """Per query, its pool's ids best first by `retriever` (`bm25`, which skips the words in `ignore`, or
    `embedding`)."""
    if retriever == "bm25":
        docs: dict[str, Counter[str]] = {}
        return [bm25_ranking(q, pool, ignore, docs) for q, pool in zip(queries, pools, strict=True)]
    if retriever == "embedding":
        return embedding_rankings(queries, pools)
    raise ValueError(f"candidates.retrievers: no retriever {retriever!r} (known: {', '.join(RETRIEVERS)})")


def interleave(ranked: dict[str, list[str]], limit: int) -> list[tuple[str, str]]:
    """Up to `limit` (memory id, retriever) pairs: each retriever's next unseen hit in turn, in dict order."""
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    cursors = dict.fromkeys(ranked, 0)
    while len(chosen) < limit:
        moved = False
        for name, ids in ranked.items():
            k = cursors[name]
            while k < len(ids) and ids[k] in seen:
                k += 1
            if k < len(ids) and len(chosen) < limit:
                seen.add(ids[k])
                chosen.append((ids[k], name))
                k += 1
                moved = True
            cursors[name] = k
        if not moved:
            break
    return chosen
