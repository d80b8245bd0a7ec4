"""The embedding prior of a cross-encoder student: what its start already knew, kept as a term of its logit.

A cross-encoder started from a bi-encoder (the packaged all-MiniLM-L6-v2) gets a new, random head: at step 0 it
ranks by chance, and what the encoder knew about matching has to be found again through that head. On the CPU
recipe this failed for 2 of 3 training seeds (every score collapsed to the label prior) and, when it worked, the
student still ended below its own base model on general relevance. With the prior the logit is

    share * cross_encoder(q, m) + weight * cos(E(q), E(m)) + bias

where E is the start's sentence encoder, frozen (its embeddings of the undated query side and memory, as the
`embedding` baseline reads them), `weight` and `bias` are fitted to the first stage's labels by logistic regression
before training, and the cross-encoder's head starts at zero. Step 0 is the base model's own ranking, calibrated;
training learns what the embeddings miss. `share` is 1 in training; `train.floor` may lower it to keep the floor
(share 0 is the start itself). The encoder is saved beside the student (`embedding_prior/`), so a student directory
stays self-contained; sentence-transformers' `CrossEncoder(dir)` would load the cross-encoder term alone.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from schemas import undated_memory_text, undated_query_text

PRIOR_DIR = "embedding_prior"
CACHE_LIMIT = 200_000  # embeddings kept per prior (texts): scoring every turn of a dialogue re-reads its memories


@dataclass
class EmbeddingPrior:
    encoder: str
    """A sentence-transformers model directory (the start; `embedding_prior/` of a saved student)."""
    weight: float | None = None
    """The cosine's weight in the logit; None until `fit` (a new prior)."""
    bias: float = 0.0
    share: float = 1.0
    """The cross-encoder's share of the logit: 1 in training, lowered by `train.floor` to keep the floor."""
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from scoring.embedding import encode

        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if new:
            if len(self._cache) + len(new) > CACHE_LIMIT:
                self._cache.clear()
            self._cache.update(zip(new, encode(new, self.encoder), strict=True))
        return np.stack([self._cache[t] for t in texts])

    def cosines(self, triples: Sequence[tuple[str, str, str]]) -> list[float]:
        """cos(E(query side), E(memory)) per (instruction, query side, memory), the dates taken out."""
        if not triples:
            return []
        queries = self._embed([undated_query_text(q) for _, q, _ in triples])
        memories = self._embed([undated_memory_text(d) for _, _, d in triples])
        return [float(x) for x in (queries * memories).sum(axis=1)]

    def logits(self, cross_encoder: torch.Tensor, cosines: torch.Tensor) -> torch.Tensor:
        if self.weight is None:
            raise RuntimeError("the embedding prior is not fitted yet (fit it on the first stage's labels)")
        return self.share * cross_encoder.float() + self.weight * cosines.float().to(cross_encoder.device) + self.bias

    def settings(self) -> dict[str, Any]:
        return {"weight": self.weight, "bias": self.bias, "share": self.share}

    def save(self, out: Path) -> None:
        """Copy the encoder into `out/embedding_prior` (unless it is already the one there)."""
        target = out / PRIOR_DIR
        if Path(self.encoder).resolve() != target.resolve():
            shutil.copytree(self.encoder, target, dirs_exist_ok=True)

    @classmethod
    def load(cls, student_dir: Path, settings: dict[str, Any]) -> EmbeddingPrior:
        encoder = student_dir / PRIOR_DIR
        if not encoder.is_dir():
            raise ValueError(f"{student_dir}: its settings name an embedding prior but {PRIOR_DIR}/ is missing")
        return cls(
            encoder=str(encoder),
            weight=float(settings["weight"]),
            bias=float(settings["bias"]),
            share=float(settings.get("share", 1.0)),
        )
