"""The LLM pairwise teacher: a model sees the query and two memories and says which helps more.

The probability that the first memory is more useful comes from the model's A/B/T next-token log-probabilities
where the provider gives them (`method = "logprobs"`; T, a tie, counts half to each side), or else from a structured
verdict with a confidence (`"verdict"`; a tie is 0.5). The prompt describes the graded scale of `schemas.grade`, so
the model compares grades (an answer > a part of it > the right fact at the wrong time > the same person or topic >
unrelated) and says T when both are equally useful; Bradley-Terry keeps a tie as half a win each.
Each ordered pair is its own call, so asking both orders measures and cancels position bias.
An answer that stays unusable after the provider's retries is kept aside as a `Failure`; its pair is simply
not judged by this teacher. It judges the null anchor too: "Memory B: (no memory)".
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from judges.anchor import NULL_ID, null_memory
from judges.pairing import Pair
from providers.base import OutputError, Provider, ProviderError
from providers.batching import BatchPending
from providers.budget import BudgetExceeded
from schemas import DEFAULT_INSTRUCTION, Example, Failure, Judgment, render_memory, render_query

SYSTEM = (
    "You judge relevance for an assistant's long-term memory. Given a question (with the conversation so far and "
    "the date it is asked) and two memories, decide which memory is more useful for answering the question. Mind "
    "time (a memory can be out of date when the question is asked), cause and effect, and whom a pronoun refers to. "
    'One of them may be "(no memory)": a memory that does not help answer the question (out of date, about '
    "someone or something else, or unrelated) is worse than no memory, and a memory that helps is better than none. "
    "Usefulness is graded, best first: answers the question alone; a necessary part of the answer (one step of "
    "several, or the fact the question gives to the wrong person); the right fact at the wrong time or an earlier "
    "state; the same person or topic without the answer; unrelated. "
    "Answer with one letter: A if A is more useful, B if B is, T if both are equally useful."
)


class PairVerdict(BaseModel):
    better: Literal["A", "B", "T"] = Field(description="T: both equally useful")
    confidence: float = Field(ge=0.5, le=1.0, description="how sure, from 0.5 (a guess) to 1.0 (certain)")

    def p_first(self) -> float:
        """P(A is more useful); a tie is 0.5 whatever the confidence."""
        if self.better == "T":
            return 0.5
        return self.confidence if self.better == "A" else 1.0 - self.confidence


def prompt(example: Example, first: str, second: str) -> list[dict[str, str]]:
    """The chat messages for one ordered pair; the null anchor shows as "(no memory)"."""
    by_id = {c.memory.memory_id: c.memory for c in example.candidates}
    by_id[NULL_ID] = null_memory()
    q = example.query
    user = (
        f"Instruction: {q.instruction or DEFAULT_INSTRUCTION}\n\n"
        f"Question:\n{render_query(q.text, q.context, q.query_time)}\n\n"
        f"Memory A: {render_memory(by_id[first])}\n"
        f"Memory B: {render_memory(by_id[second])}\n\n"
        "Which memory is more useful for answering the question: A, B, or T (equally useful)?"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def p_from_logprobs(top: dict[str, float]) -> float | None:
    """P(A) from the first position's top log-probabilities (tokens like "A", " A", "a"), a tie ("T") counting half
    to each side: (A + T / 2) / (A + B + T); None if neither A nor B shows."""
    mass = {"A": 0.0, "B": 0.0, "T": 0.0}
    for token, logprob in top.items():
        letter = token.strip().upper()
        if letter in mass:
            mass[letter] += math.exp(logprob)
    if mass["A"] + mass["B"] == 0:
        return None
    return (mass["A"] + mass["T"] / 2) / sum(mass.values())


@dataclass
class LLMPairwiseTeacher:
    name: str
    provider_name: str
    method: Literal["logprobs", "verdict"]
    open_provider: Callable[[str], Provider]

    async def _one(self, provider: Provider, example: Example, pair: Pair) -> Judgment:
        messages = prompt(example, *pair)
        p: float | None = None
        tokens = 0
        raw = ""
        if self.method == "logprobs":
            result = await provider.chat(messages, max_tokens=1, top_logprobs=5)
            tokens = result.input_tokens + result.output_tokens
            top = (result.top_logprobs or [{}])[0]
            raw = json.dumps(top, sort_keys=True)
            p = p_from_logprobs(top)
        if p is None:  # no logprobs, or neither letter among them: ask for a verdict
            result = await provider.chat(messages, schema=PairVerdict, max_tokens=64)
            tokens += result.input_tokens + result.output_tokens
            verdict = result.parsed
            raw = verdict.model_dump_json()
            p = verdict.p_first()
        return Judgment(
            teacher=self.name, query_id=example.query.query_id, first=pair[0], second=pair[1], p_first=p, raw=raw,
            tokens=tokens,
        )  # fmt: skip

    async def _all(self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure]) -> list[Judgment]:
        jobs = [(ex, pair) for ex, ex_pairs in zip(examples, pairs, strict=True) for pair in ex_pairs]
        if not jobs:
            return []
        provider = self.open_provider(self.provider_name)
        try:
            results = await asyncio.gather(
                *(self._one(provider, ex, pair) for ex, pair in jobs), return_exceptions=True
            )
        finally:
            close = getattr(provider, "aclose", None)  # a Client's HTTP pool belongs to this event loop
            if close is not None:
                await close()
        out: list[Judgment] = []
        for (ex, pair), result in zip(jobs, results, strict=True):
            if isinstance(result, ProviderError) and not isinstance(result, BudgetExceeded | BatchPending):
                # a malformed answer, or a call that exhausted its retries: kept aside, retried by the next run
                item = f"{self.name}:{ex.query.query_id}:{pair[0]}>{pair[1]}"
                raw = result.raw if isinstance(result, OutputError) else ""
                failed.append(Failure(stage="judge", item=item, error=f"{type(result).__name__}: {result}", raw=raw))
            elif isinstance(result, BaseException):
                raise result
            else:
                out.append(result)
        return out

    def judge(self, examples: list[Example], pairs: list[list[Pair]], failed: list[Failure]) -> list[Judgment]:
        return asyncio.run(self._all(examples, pairs, failed))
