"""The Qwen3-Reranker student, prompted and scored exactly as its model card does.

score = p("yes") = softmax([logit_no, logit_yes])[1] at the last position = sigmoid(logit_yes - logit_no);
the training logit is logit_yes - logit_no.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BatchEncoding, PreTrainedModel, PreTrainedTokenizerBase

from schemas import QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX, qwen3_reranker_pair
from scoring.rerankers.base import Student, Triple

PREFIX = QWEN3_RERANKER_PREFIX
SUFFIX = QWEN3_RERANKER_SUFFIX
format_pair = qwen3_reranker_pair


class Qwen3Student(Student):
    kind: ClassVar[str] = "qwen3"
    default_max_length: ClassVar[int] = 1024

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, max_length: int | None = None):
        super().__init__(model, tokenizer, max_length)
        if tokenizer.padding_side != "left":
            raise ValueError("the Qwen3 reranker reads the last position: its tokenizer must pad on the left")
        self.prefix_ids = tokenizer.encode(PREFIX, add_special_tokens=False)
        self.suffix_ids = tokenizer.encode(SUFFIX, add_special_tokens=False)
        self.token_true_id = tokenizer.convert_tokens_to_ids("yes")
        self.token_false_id = tokenizer.convert_tokens_to_ids("no")
        for word, tid in (("yes", self.token_true_id), ("no", self.token_false_id)):
            if tid is None or tid == tokenizer.unk_token_id:
                raise ValueError(f"tokenizer has no single token for {word!r}")
        if self.max_length <= len(self.prefix_ids) + len(self.suffix_ids):
            raise ValueError(f"max_length {self.max_length} leaves no room for the prompt")

    def encode(self, triples: Sequence[Triple]) -> BatchEncoding:
        pairs = [format_pair(*t) for t in triples]
        enc = self.tokenizer(
            pairs,
            padding=False,
            truncation="longest_first",
            return_attention_mask=False,
            add_special_tokens=False,
            max_length=self.max_length - len(self.prefix_ids) - len(self.suffix_ids),
        )
        enc["input_ids"] = [self.prefix_ids + ids + self.suffix_ids for ids in enc["input_ids"]]
        return self.tokenizer.pad(enc, padding=True, return_tensors="pt")

    def forward(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        last = model(**batch, use_cache=False, logits_to_keep=1).logits[:, -1, :]
        return last[:, self.token_true_id] - last[:, self.token_false_id]

    @classmethod
    def from_pretrained(cls, path: str | Path, max_length: int | None = None, dtype: Any = None) -> Qwen3Student:
        tokenizer = AutoTokenizer.from_pretrained(str(path), padding_side="left")
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype or torch.float32)
        return cls(model, tokenizer, max_length)
