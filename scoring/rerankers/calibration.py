"""Score calibration of a student: `score = sigmoid(scale * logit + offset)`, and the logistic fit both uses.

A student fits soft labels, but what it ends with is not on their scale: the floor's interpolation scales its
cross-encoder term down (`train.floor`), a second stage (InfoNCE) moves logits without a scale, and a binary target
pushes scores to 0 and 1. Tiers (`schemas.tier_of`: the nearest grade to 4 x score) mean grades only for scores on
the labels' scale, expected grade / 4. `train.calibration` fits `scale` and `offset` on a held-out split after
training (Platt scaling, Platt 1999; here against the soft labels) and saves them beside the student; scores read
them. The map is monotone, so rankings and every ranking metric are unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class Calibration:
    scale: float
    offset: float
    split: str
    """Where it was fitted (a split of the training data)."""

    def apply(self, logits: torch.Tensor) -> torch.Tensor:
        return self.scale * logits + self.offset

    def settings(self) -> dict[str, Any]:
        return {"scale": self.scale, "offset": self.offset, "split": self.split}

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> Calibration | None:
        if not settings:
            return None
        return cls(scale=float(settings["scale"]), offset=float(settings["offset"]), split=str(settings["split"]))


def fit_logistic(xs: Sequence[float], targets: Sequence[float], steps: int = 100) -> tuple[float, float]:
    """(weight, bias) of the logistic regression of soft `targets` on one feature `xs` (BCE, Newton's method,
    float64), the weight held >= 0: a fit never turns its feature's order upside down (where the targets run against
    it, weight 0 and the targets' mean)."""
    if len(xs) != len(targets) or not xs:
        raise ValueError(f"fit_logistic: {len(xs)} values and {len(targets)} targets")
    x = torch.tensor(xs, dtype=torch.float64)
    y = torch.tensor(targets, dtype=torch.float64)
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    theta = torch.zeros(2, dtype=torch.float64)
    for _ in range(steps):
        p = torch.sigmoid(design @ theta)
        grad = design.T @ (p - y)
        hessian = design.T @ (design * (p * (1 - p)).unsqueeze(1)) + 1e-6 * torch.eye(2, dtype=torch.float64)
        delta = torch.linalg.solve(hessian, grad)
        theta = theta - delta
        if float(delta.abs().max()) < 1e-10:
            break
    if theta[0] < 0:
        mean = float(y.mean().clamp(1e-6, 1 - 1e-6))
        return 0.0, math.log(mean / (1 - mean))
    return float(theta[0]), float(theta[1])
