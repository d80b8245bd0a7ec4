"""The one rendering of memories and queries that judging, training and scoring all read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from schemas.memory import Memory
from schemas.query import ContextTurn

DEFAULT_INSTRUCTION = "Given a question about a past conversation, judge whether the memory helps answer it"


def _when(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%d (%a) %H:%M")


def render_memory(memory: Memory) -> str:
    """`[2023-06-14 (Wed) 10:00] Anna: I moved to Porto.`; date and speaker only when known."""
    head = f"[{_when(memory.timestamp)}] " if memory.timestamp is not None else ""
    who = f"{memory.speaker}: " if memory.speaker else ""
    return f"{head}{who}{memory.text}"


def render_query(text: str, context: Sequence[ContextTurn] = (), query_time: datetime | None = None) -> str:
    """The query side: the conversation it depends on, when it is asked, then the question."""
    lines = [f"{turn.speaker}: {turn.text}" for turn in context]
    parts = []
    if lines:
        parts.append("Conversation so far:\n" + "\n".join(lines))
    if query_time is not None:
        parts.append(f"Asked on {_when(query_time)}.")
    parts.append(text)
    return "\n".join(parts)


# The Qwen3-Reranker prompt, exactly as its model card writes it: the student (train/) and the local yes/no
# teacher (judges/) both read pairs this way. The model's answer token after SUFFIX is "yes" or "no".
QWEN3_RERANKER_PREFIX = (
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct "
    'provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n'
)
QWEN3_RERANKER_SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"


_WHEN = r"\d{4}-\d{2}-\d{2} \([A-Z][a-z]{2}\) \d{2}:\d{2}"
_MEMORY_DATE = re.compile(rf"^\[{_WHEN}\] ")
_QUERY_DATE = re.compile(rf"^Asked on {_WHEN}\.\n", re.MULTILINE)


def undated_memory_text(rendered: str) -> str:
    """`render_memory`'s output without its date: what it renders for the same memory with no timestamp."""
    return _MEMORY_DATE.sub("", rendered, count=1)


def undated_query_text(rendered: str) -> str:
    """`render_query`'s output without its "Asked on" line: what it renders with no query time."""
    return _QUERY_DATE.sub("", rendered, count=1)


def qwen3_reranker_pair(instruction: str, query: str, document: str) -> str:
    """The user text between QWEN3_RERANKER_PREFIX and QWEN3_RERANKER_SUFFIX."""
    return f"<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}"
