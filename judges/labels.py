"""Bradley-Terry strengths mapped to soft labels in [0, 1] and tiers 0-4 (the uncalibrated fallback)."""

from __future__ import annotations

import numpy as np

from judges.pooling import QueryFit, sigmoid
from schemas import tier_of


def win_rate_labels(strengths: dict[str, float]) -> dict[str, float]:
    """Each item's expected win rate against the others: mean over j != i of sigmoid(s_i - s_j).

    A lone item gets 0.5.
    """
    names = list(strengths)
    if len(names) < 2:
        return dict.fromkeys(names, 0.5)
    s = np.array([strengths[n] for n in names], dtype=float)
    win = 1.0 / (1.0 + np.exp(-(s[:, None] - s[None, :])))
    np.fill_diagonal(win, 0.0)
    rates = win.sum(axis=1) / (len(names) - 1)
    return {n: float(np.clip(r, 0.0, 1.0)) for n, r in zip(names, rates, strict=True)}


def fallback_labels(fit: QueryFit) -> np.ndarray:
    """Labels without a calibration: the Bradley-Terry probability of beating the null anchor when there is one,
    else the win rate against the other candidates."""
    if fit.null is not None:
        return sigmoid(fit.strengths - fit.null)
    rates = win_rate_labels(dict(zip(fit.ids, (float(s) for s in fit.strengths), strict=True)))
    return np.array([rates[i] for i in fit.ids])


def tier(label: float) -> int:
    """0 (useless) .. 4 (answers alone): the nearest grade of `schemas.grade` to `4 * label`, since labels are
    calibrated to expected grade / 4."""
    return tier_of(label)
