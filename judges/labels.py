"""Bradley-Terry strengths mapped to soft labels in [0, 1] and tiers 0-4."""

from __future__ import annotations

import numpy as np


def win_rate_labels(strengths: dict[str, float]) -> dict[str, float]:
    """Each item's expected win rate against the others: mean over j != i of sigmoid(s_i - s_j).

    A lone item gets 0.5. Calibration to gold comes later; this is the skeleton's label.
    """
    names = list(strengths)
    if len(names) < 2:
        return dict.fromkeys(names, 0.5)
    s = np.array([strengths[n] for n in names], dtype=float)
    win = 1.0 / (1.0 + np.exp(-(s[:, None] - s[None, :])))
    np.fill_diagonal(win, 0.0)
    rates = win.sum(axis=1) / (len(names) - 1)
    return {n: float(np.clip(r, 0.0, 1.0)) for n, r in zip(names, rates, strict=True)}


def tier(label: float) -> int:
    """0 (useless) .. 4 (most useful): fifths of [0, 1]."""
    return min(4, int(label * 5))
