"""Bradley-Terry strengths from soft, weighted pairwise outcomes: Newton's method with a prior, else the MM
algorithm (Hunter 2004).

A soft outcome is a tie in part: `p_first = 0.5` gives each side half a win. `fit_wins` fits a batch of win
matrices at once (the bootstrap resamples of one query), `fit` one list of outcomes.
"""

from __future__ import annotations

import numpy as np

_TOL = 1e-10
_LOG_BOUND = 30.0  # keeps strengths finite when prior=0 and an item never wins or never loses
_MAX_STEP = 2.0

Outcome = tuple[str, str, float, float]  # (first, second, p_first, weight)


def win_matrix(items: list[str], outcomes: list[Outcome]) -> np.ndarray:
    """`wins[i, j]`: the (soft, weighted) wins of item i over item j.

    A judgment counts `p_first * weight` wins for `first` and `(1 - p_first) * weight` for `second`.
    """
    if len(set(items)) != len(items):
        raise ValueError(f"bradley_terry.fit: items repeat: {items}")
    index = {item: i for i, item in enumerate(items)}
    wins = np.zeros((len(items), len(items)))
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
    return wins


def fit_wins(wins: np.ndarray, prior: float, max_iter: int) -> np.ndarray:
    """Log-strengths, centred at mean 0, for a batch of win matrices: `(B, n, n)` -> `(B, n)`.

    The prior adds `prior` pseudo-games per item against a fixed reference of log-strength 0, each a tie, so an
    item that never loses keeps a finite strength.
    """
    if prior < 0:
        raise ValueError(f"bradley_terry.fit: prior must be >= 0, got {prior}")
    if prior > 0:
        return _newton(wins, prior, max_iter)
    return _mm(wins, prior, max_iter)


def _newton(wins: np.ndarray, prior: float, max_iter: int) -> np.ndarray:
    """Newton's method on the log-likelihood, strictly concave with a prior; steps capped at `_MAX_STEP`."""
    batch, n = wins.shape[0], wins.shape[1]
    games = wins + np.swapaxes(wins, 1, 2)
    s = np.zeros((batch, n))
    if n == 0:
        return s
    eye = np.eye(n, dtype=bool)
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-(s[:, :, None] - s[:, None, :])))  # p[b, i, j]: i beats j
        ref = 1.0 / (1.0 + np.exp(-s))
        grad = (wins - games * p).sum(axis=2) + prior / 2.0 - prior * ref
        curv = games * p * (1.0 - p)
        hess = curv.copy()
        hess[:, eye] = -curv.sum(axis=2) - prior * ref * (1.0 - ref)
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        step = np.clip(step, -_MAX_STEP, _MAX_STEP)
        s = s - step
        if np.max(np.abs(step), initial=0.0) < _TOL:
            break
    return s - s.mean(axis=1, keepdims=True)


def _mm(wins: np.ndarray, prior: float, max_iter: int) -> np.ndarray:
    batch, n = wins.shape[0], wins.shape[1]
    games = wins + np.swapaxes(wins, 1, 2)
    total_wins = wins.sum(axis=2) + prior / 2.0
    log_gamma = np.zeros((batch, n))
    if n == 0:
        return log_gamma
    for _ in range(max_iter):
        gamma = np.exp(log_gamma)
        denom = (games / (gamma[:, :, None] + gamma[:, None, :])).sum(axis=2) + prior / (gamma + 1.0)
        played = denom > 0
        new = log_gamma.copy()
        with np.errstate(divide="ignore"):
            new[played] = np.log(total_wins[played]) - np.log(denom[played])
        if prior == 0:  # without the reference the scale is free: pin the mean of the finite strengths
            finite = np.isfinite(new)
            count = finite.sum(axis=1, keepdims=True)
            mean = np.where(finite, new, 0.0).sum(axis=1, keepdims=True) / np.maximum(count, 1)
            new -= mean
        new = np.clip(new, -_LOG_BOUND, _LOG_BOUND)
        converged = np.max(np.abs(new - log_gamma), initial=0.0) < _TOL
        log_gamma = new
        if converged:
            break
    return log_gamma - log_gamma.mean(axis=1, keepdims=True)


def fit(items: list[str], outcomes: list[Outcome], prior: float, max_iter: int) -> dict[str, float]:
    """Log-strengths of `items`, centred at mean 0, from outcomes `(first, second, p_first, weight)`."""
    wins = win_matrix(items, outcomes)
    strengths = fit_wins(wins[None], prior, max_iter)[0]
    return {item: float(s) for item, s in zip(items, strengths, strict=True)}
