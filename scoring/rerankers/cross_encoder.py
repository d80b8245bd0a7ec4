"""The cross-encoder student: a sequence-classification model with one output, fed (instruction + query, document).

score = sigmoid(logit). A plain transformers checkpoint, so sentence-transformers' `CrossEncoder(dir)` loads it
too (and applies the same sigmoid by default for one label).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from scoring.rerankers.base import Student, Triple


def query_text(instruction: str, query: str) -> str:
    """The first text of the pair."""
    return f"{instruction}\n{query}"


class CrossEncoderStudent(Student):
    kind: ClassVar[str] = "cross_encoder"
    default_max_length: ClassVar[int] = 512

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, max_length: int | None = None):
        super().__init__(model, tokenizer, max_length)
        tokenizer.model_max_length = self.max_length  # saved with the tokenizer: CrossEncoder(dir) truncates alike

    def tokenize(self, triples: Sequence[Triple]) -> list[dict[str, list[int]]]:
        enc = self.tokenizer(
            [query_text(i, q) for i, q, _ in triples],
            [d for _, _, d in triples],
            truncation="longest_first",
            max_length=self.max_length,
        )
        return [dict(zip(enc.keys(), values, strict=True)) for values in zip(*enc.values(), strict=True)]

    def collate(self, features: Sequence[dict[str, list[int]]], pack: bool = False) -> dict[str, torch.Tensor]:
        if pack:
            raise ValueError("the cross-encoder student does not pack sequences")
        return dict(self.tokenizer.pad(list(features), padding=True, return_tensors="pt"))

    def forward(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return model(**batch).logits[:, 0]

    @classmethod
    def from_pretrained(cls, path: str | Path, max_length: int | None = None, dtype: Any = None) -> CrossEncoderStudent:
        """Load a checkpoint; a base encoder (e.g. a BertModel) gets a new, randomly initialised one-logit head."""
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForSequenceClassification.from_pretrained(
            str(path), num_labels=1, dtype=dtype or torch.float32
        )
        if max_length is None:
            max_length = min(cls.default_max_length, tokenizer.model_max_length)
        return cls(model, tokenizer, max_length)
