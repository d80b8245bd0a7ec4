"""Distillation losses on student logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def bce_soft(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Stage 1: binary cross-entropy between sigmoid(logit) and a soft label in [0, 1], mean over the batch."""
    if logits.shape != labels.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and labels {tuple(labels.shape)} differ in shape")
    return F.binary_cross_entropy_with_logits(logits.float(), labels.float())


def info_nce(logits: torch.Tensor, positive: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Listwise InfoNCE: `logits` [queries, candidates], `positive` [queries] the index of each query's positive.

    Cross-entropy of the positive against the other candidates of the same query, mean over queries.
    """
    if logits.dim() != 2 or positive.shape != logits.shape[:1]:
        raise ValueError(f"expected logits [Q, C] and positive [Q], got {tuple(logits.shape)}, {tuple(positive.shape)}")
    return F.cross_entropy(logits.float() / temperature, positive.long())
