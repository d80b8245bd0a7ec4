"""The cross-encoder student: a sequence-classification model with one output, fed (instruction + query, document).

score = sigmoid(logit). A plain transformers checkpoint, so sentence-transformers' `CrossEncoder(dir)` loads it
too (and applies the same sigmoid by default for one label) -- unless it was trained with an embedding prior
(`scoring.rerankers.prior`: its logit adds the start's embedding cosine), which only `load_student` reads whole.
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

from scoring.rerankers.base import Student, Triple, saved_settings
from scoring.rerankers.calibration import fit_logistic
from scoring.rerankers.prior import EmbeddingPrior

PRIOR_FEATURE = "prior_cosine"


def query_text(instruction: str, query: str) -> str:
    """The first text of the pair."""
    return f"{instruction}\n{query}"


class CrossEncoderStudent(Student):
    kind: ClassVar[str] = "cross_encoder"
    default_max_length: ClassVar[int] = 512

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        max_length: int | None = None,
        prior: EmbeddingPrior | None = None,
    ):
        super().__init__(model, tokenizer, max_length)
        tokenizer.model_max_length = self.max_length  # saved with the tokenizer: CrossEncoder(dir) truncates alike
        self.prior = prior

    def tokenize(self, triples: Sequence[Triple]) -> list[dict[str, list[int]]]:
        enc = self.tokenizer(
            [query_text(i, q) for i, q, _ in triples],
            [d for _, _, d in triples],
            truncation="longest_first",
            max_length=self.max_length,
        )
        features = [dict(zip(enc.keys(), values, strict=True)) for values in zip(*enc.values(), strict=True)]
        if self.prior is not None:
            for f, cosine in zip(features, self.prior.cosines(triples), strict=True):
                f[PRIOR_FEATURE] = cosine
        return features

    def collate(self, features: Sequence[dict[str, Any]], pack: bool = False) -> dict[str, torch.Tensor]:
        if pack:
            raise ValueError("the cross-encoder student does not pack sequences")
        tokens = [{k: v for k, v in f.items() if k != PRIOR_FEATURE} for f in features]
        batch = dict(self.tokenizer.pad(tokens, padding=True, return_tensors="pt"))
        if self.prior is not None:
            batch[PRIOR_FEATURE] = torch.tensor([f[PRIOR_FEATURE] for f in features], dtype=torch.float32)
        return batch

    def forward(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        inputs = {k: v for k, v in batch.items() if k != PRIOR_FEATURE}
        logits = model(**inputs).logits[:, 0]
        return logits if self.prior is None else self.prior.logits(logits, batch[PRIOR_FEATURE])

    def start_prior(self, features: Sequence[dict[str, Any]], labels: Sequence[float]) -> bool:
        """Fit a new prior's weight and bias to `labels` (per tokenized example) and zero the head, so that step 0
        is the base model's embedding ranking, calibrated; True when it did. A fitted prior is left as it is."""
        if self.prior is None or self.prior.weight is not None:
            return False
        self.prior.weight, self.prior.bias = fit_logistic([f[PRIOR_FEATURE] for f in features], labels)
        head = self.head()
        with torch.no_grad():
            head.weight.zero_()
            if head.bias is not None:
                head.bias.zero_()
        return True

    def head(self) -> torch.nn.Linear:
        """The one-logit output layer (the model's last linear layer)."""
        head = [m for m in self.model.modules() if isinstance(m, torch.nn.Linear)][-1]
        if head.out_features != 1:
            raise ValueError(f"the model's last linear layer has {head.out_features} outputs, not 1")
        return head

    def settings(self) -> dict[str, Any]:
        prior = {} if self.prior is None else {"embedding_prior": self.prior.settings()}
        return super().settings() | prior

    def write_settings(self, out: str | Path) -> Path:
        if self.prior is not None:  # the encoder first: settings that name a prior always find it
            Path(out).mkdir(parents=True, exist_ok=True)
            self.prior.save(Path(out))
        return super().write_settings(out)

    @classmethod
    def from_pretrained(cls, path: str | Path, max_length: int | None = None, dtype: Any = None) -> CrossEncoderStudent:
        """Load a checkpoint; a base encoder (e.g. a BertModel) gets a new, randomly initialised one-logit head."""
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForSequenceClassification.from_pretrained(
            str(path), num_labels=1, dtype=dtype or torch.float32
        )
        if max_length is None:
            max_length = min(cls.default_max_length, tokenizer.model_max_length)
        saved = saved_settings(path)
        prior = EmbeddingPrior.load(Path(path), saved["embedding_prior"]) if "embedding_prior" in saved else None
        return cls(model, tokenizer, max_length, prior)
