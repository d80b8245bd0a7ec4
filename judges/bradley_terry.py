"""Bradley-Terry strengths from soft, weighted pairwise outcomes (MM algorithm, Hunter 2004)."""

from __future__ import annotations

import numpy as np

_TOL = 1e-10
_LOG_BOUND = 30.0  # keeps strengths finite when prior=0 and an item never wins or never loses


def fit(
    items: list[str], outcomes: list[tuple[str, str, float, float]], prior: float, max_iter: int
) -> dict[str, float]:
    """Log-strengths of `items`, centred at mean 0, from outcomes `(first, second, p_first, weight)`.

    A judgment counts `p_first * weight` wins for `first` and `(1 - p_first) * weight` for `second`.
    The prior adds `prior` pseudo-games per item against a fixed reference of log-strength 0, each a tie, so an
    item that never loses keeps a finite strength.
    """
    if len(set(items)) != len(items):
        raise ValueError(f"bradley_terry.fit: items repeat: {items}")
    if prior < 0:
        raise ValueError(f"bradley_terry.fit: prior must be >= 0, got {prior}")
    index = {item: i for i, item in enumerate(items)}
    n = len(items)
    wins = np.zeros((n, n))  # wins[i, j]: (soft, weighted) wins of i over j
    for first, second, p_first, weight in outcomes:
        for name in (first, second):
            if name not in index:
                raise ValueError(f"bradley_terry.fit: outcome names {name!r}, which is not an item")
        if first == second:
            raise ValueError(f"bradley_terry.fit: outcome compares {first!r} with itself")
        if not 0.0 <= p_first <= 1.0:
            raise ValueError(f"bradley_terry.fit: p_first {p_first} is not in [0, 1]")
        if weight < 0:
            raise ValueError(f"bradley_terry.fit: weight {weight} is negative")
        i, j = index[first], index[second]
        wins[i, j] += p_first * weight
        wins[j, i] += (1.0 - p_first) * weight
    games = wins + wins.T
    total_wins = wins.sum(axis=1) + prior / 2.0
    log_gamma = np.zeros(n)
    for _ in range(max_iter):
        gamma = np.exp(log_gamma)
        denom = (games / (gamma[:, None] + gamma[None, :])).sum(axis=1) + prior / (gamma + 1.0)
        played = denom > 0
        new = log_gamma.copy()
        with np.errstate(divide="ignore"):
            new[played] = np.log(total_wins[played]) - np.log(denom[played])
        if prior == 0:  # without the reference the scale is free: pin the mean
            new -= new[np.isfinite(new)].mean() if np.isfinite(new).any() else 0.0
        new = np.clip(new, -_LOG_BOUND, _LOG_BOUND)
        converged = np.max(np.abs(new - log_gamma), initial=0.0) < _TOL
        log_gamma = new
        if converged:
            break
    centred = log_gamma - log_gamma.mean() if n else log_gamma
    return {item: float(centred[index[item]]) for item in items}
