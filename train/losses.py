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


def group_loss(
    logits: torch.Tensor,
    mask: torch.Tensor,
    labels: torch.Tensor,
    *,
    temperature: float = 1.0,
    kl_weight: float = 0.0,
    kl_temperature: float = 1.0,
    bce_weight: float = 0.0,
) -> dict[str, torch.Tensor]:
    """Stage 2 on groups: `logits`, `mask`, `labels` are [groups, G]; column 0 is the positive, `mask` marks real
    members (groups may be shorter than G), `labels` are the members' soft labels.

    - `infonce`: cross-entropy of the positive over the group's logits / temperature;
    - `kl`: KL(teacher || student) where the teacher distribution is softmax(logit(label) / kl_temperature) over
      the group and the student's is softmax(logits / temperature);
    - `bce`: BCE of each real member's logit on its soft label (keeps the scores calibrated probabilities);
    - `loss`: infonce + kl_weight * kl + bce_weight * bce.
    """
    if logits.shape != mask.shape or logits.shape != labels.shape or logits.dim() != 2:
        raise ValueError(f"expected [groups, G] logits, mask, labels; got {logits.shape}, {mask.shape}, {labels.shape}")
    mask = mask.bool()
    if not mask[:, 0].all():
        raise ValueError("column 0 (the positive) must be a real member of every group")
    logits = logits.float()
    scaled = (logits / temperature).masked_fill(~mask, float("-inf"))
    log_q = torch.log_softmax(scaled, dim=1)
    infonce = -log_q[:, 0].mean()
    out = {"infonce": infonce}
    loss = infonce
    if kl_weight > 0:
        eps = 1e-6
        teacher = torch.logit(labels.float().clamp(eps, 1 - eps)) / kl_temperature
        log_p = torch.log_softmax(teacher.masked_fill(~mask, float("-inf")), dim=1)
        log_p, safe_q = log_p.masked_fill(~mask, 0.0), log_q.masked_fill(~mask, 0.0)  # no inf - inf below
        out["kl"] = (log_p.exp() * (log_p - safe_q)).masked_fill(~mask, 0.0).sum(dim=1).mean()
        loss = loss + kl_weight * out["kl"]
    if bce_weight > 0:
        out["bce"] = F.binary_cross_entropy_with_logits(logits[mask], labels.float()[mask])
        loss = loss + bce_weight * out["bce"]
    out["loss"] = loss
    return out
