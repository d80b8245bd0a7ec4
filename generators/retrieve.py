"""Retrieved negatives: the top BM25 hits for the query (with its context) among the dialogue's memories."""

from __future__ import annotations

import re
from collections.abc import Collection

from rank_bm25 import BM25Okapi

from schemas import Memory, Query, render_memory, render_query


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def bm25_top(query: Query, memories: list[Memory], exclude: Collection[str], limit: int) -> list[str]:
    """Ids of the `limit` best-scoring memories not in `exclude` (ties broken by dialogue order)."""
    pool = [m for m in memories if m.memory_id not in exclude]
    if limit <= 0 or not pool:
        return []
    # lexical matching leaves dates out: weekday and day-number tokens would match by chance
    index = BM25Okapi([tokens(render_memory(m.model_copy(update={"timestamp": None}))) for m in pool])
    scores = index.get_scores(tokens(render_query(query.text, query.context)))
    ranked = sorted(range(len(pool)), key=lambda i: (-scores[i], i))
    return [pool[i].memory_id for i in ranked[:limit]]
