"""A local causal LM in-process (transformers): greedy chat, and next-token log-probabilities for scoring teachers.

The model loads on first use from `model` (a local directory, or a hub id already in the offline cache), on `device`
(default: cuda if there is one, else cpu), in bfloat16 on a GPU and float32 on a CPU.

Prompts: the tokenizer's chat template with `add_generation_prompt=True` (and `enable_thinking=False`, which
templates without thinking ignore). A tokenizer without a template gets a plain join, one ``role: content`` line
per message and a final ``assistant:`` line.

Torch work runs in a worker thread (`asyncio.to_thread`); a lock per model lets one forward run at a time.
Generation is always greedy: `temperature` and other sampling parameters are ignored.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message, OutputError, ProviderError


@dataclass
class TransformersLocal:
    name: str
    model: str  # path or offline hub id
    device: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _loaded: tuple[Any, Any] | None = field(default=None, repr=False)

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        schema: type[BaseModel] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        top_logprobs: int = 0,
        **params: Any,
    ) -> ChatResult:
        text, n_in, n_out, top = await asyncio.to_thread(self._generate, list(messages), max_tokens, top_logprobs)
        parsed = None
        if schema is not None:
            try:
                parsed = _parse(text, schema, self.name)
            except OutputError as exc:
                raise OutputError(str(exc), raw=text, input_tokens=n_in, output_tokens=n_out) from None
        return ChatResult(text=text, parsed=parsed, input_tokens=n_in, output_tokens=n_out, top_logprobs=top)

    async def next_token_logprobs(self, messages: Sequence[Message], candidates: Sequence[str]) -> dict[str, float]:
        """Log-probability of each candidate's first token at the position after the prompt (e.g. "yes"/"no").

        Candidates are tokenized as given: pass " yes" where the model expects a leading space.
        """
        return (await self.next_token_logprobs_many([messages], candidates))[0]

    async def next_token_logprobs_many(
        self, prompts: Sequence[Sequence[Message]], candidates: Sequence[str], *, batch_size: int = 8
    ) -> list[dict[str, float]]:
        """`next_token_logprobs` for many prompts, `batch_size` prompts (left-padded) per forward."""
        return await asyncio.to_thread(self._score, [list(p) for p in prompts], list(candidates), batch_size)

    # --- blocking work, in a worker thread -----------------------------------------------------------------

    def _model(self) -> tuple[Any, Any]:
        """(tokenizer, model); the caller holds the lock."""
        if self._loaded is None:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
            try:
                tokenizer = AutoTokenizer.from_pretrained(self.model)
                model = AutoModelForCausalLM.from_pretrained(self.model, dtype=dtype).to(device).eval()
            except (OSError, ValueError) as exc:
                raise ProviderError(f"provider {self.name}: cannot load model {self.model!r}: {exc}") from None
            tokenizer.padding_side = "left"
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token
            self._loaded = (tokenizer, model)
        return self._loaded

    def _generate(
        self, messages: list[Message], max_tokens: int, top_logprobs: int
    ) -> tuple[str, int, int, list[dict[str, float]] | None]:
        with self._lock:
            tokenizer, model = self._model()
            ids = _prompt_ids(tokenizer, messages).to(model.device)
            with torch.inference_mode():
                out = model.generate(
                    ids,
                    attention_mask=torch.ones_like(ids),
                    max_new_tokens=max_tokens,
                    do_sample=False,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                    pad_token_id=tokenizer.pad_token_id,
                    return_dict_in_generate=True,
                    output_logits=bool(top_logprobs),
                )
            new = out.sequences[0, ids.shape[1] :]
            text = tokenizer.decode(new, skip_special_tokens=True)
            top = None
            if top_logprobs:
                logprobs = torch.log_softmax(out.logits[0][0].float(), dim=-1)
                values, indices = logprobs.topk(top_logprobs)
                first: dict[str, float] = {}
                for value, index in zip(values.tolist(), indices.tolist(), strict=True):
                    first.setdefault(tokenizer.decode([index]), value)  # two ids may decode alike: keep the likelier
                top = [first]
            return text, ids.shape[1], int(new.shape[0]), top

    def _score(self, prompts: list[list[Message]], candidates: list[str], batch_size: int) -> list[dict[str, float]]:
        with self._lock:
            tokenizer, model = self._model()
            token_ids = _candidate_ids(tokenizer, candidates, self.name)
            results: list[dict[str, float]] = []
            for start in range(0, len(prompts), batch_size):
                rows = [_prompt_ids(tokenizer, p)[0] for p in prompts[start : start + batch_size]]
                width = max(len(r) for r in rows)
                ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for i, row in enumerate(rows):  # left padding: the next position is the last column for every row
                    ids[i, width - len(row) :] = row
                    mask[i, width - len(row) :] = 1
                positions = (mask.cumsum(-1) - 1).clamp(min=0)
                with torch.inference_mode():
                    logits = model(
                        input_ids=ids.to(model.device),
                        attention_mask=mask.to(model.device),
                        position_ids=positions.to(model.device),
                        logits_to_keep=1,
                    ).logits[:, -1, :]
                logprobs = torch.log_softmax(logits.float(), dim=-1)[:, token_ids].cpu()
                results.extend(dict(zip(candidates, row.tolist(), strict=True)) for row in logprobs)
            return results


def _prompt_ids(tokenizer: Any, messages: list[Message]) -> torch.Tensor:
    """The prompt as a (1, n) tensor of token ids, through the chat template or the plain join."""
    if tokenizer.chat_template:
        text = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True, enable_thinking=False
        )
        return tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
    text = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"
    return tokenizer(text, return_tensors="pt").input_ids


def _candidate_ids(tokenizer: Any, candidates: list[str], name: str) -> list[int]:
    ids = []
    for candidate in candidates:
        tokens = tokenizer.encode(candidate, add_special_tokens=False)
        if not tokens:
            raise ProviderError(f"provider {name}: candidate {candidate!r} has no tokens")
        ids.append(tokens[0])
    for i, token in enumerate(ids):
        if token in ids[:i]:
            other = candidates[ids.index(token)]
            raise ProviderError(f"provider {name}: candidates {other!r} and {candidates[i]!r} share their first token")
    return ids


def _parse(text: str, schema: type[BaseModel], name: str) -> BaseModel:
    """The answer as `schema`: the whole text, else the span from the first '{' to the last '}' (code fences)."""
    span = text[text.find("{") : text.rfind("}") + 1] if "{" in text else text
    for candidate in (text.strip(), span):
        try:
            return schema.model_validate_json(candidate)
        except (ValidationError, json.JSONDecodeError):
            continue
    raise OutputError(f"provider {name}: output does not fit {schema.__name__}", raw=text)
