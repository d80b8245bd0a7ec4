"""Token-budget batches: examples grouped by length so a batch holds about `max_tokens` tokens with little padding.

A unit is one pointwise example, or one InfoNCE group (all its members go in the same forward). A padded batch
costs (members) x (longest member) tokens; a packed one costs the sum of its members' lengths. Units are sorted by
length (ties by index: deterministic), then cut greedily; the Trainer shuffles the batches (seeded). A unit longer
than the budget makes a batch of its own.
"""

from __future__ import annotations

from collections.abc import Sequence


def batch_cost(unit_lengths: Sequence[Sequence[int]], packed: bool) -> int:
    """Tokens one forward over these units processes: padded to the longest member, or packed end to end."""
    members = [n for unit in unit_lengths for n in unit]
    return sum(members) if packed else len(members) * max(members, default=0)


def token_budget_batches(
    unit_lengths: Sequence[Sequence[int]], max_tokens: int, max_units: int | None = None, packed: bool = False
) -> list[list[int]]:
    """Indices of the units per batch, each batch within `max_tokens` (and at most `max_units` units)."""
    order = sorted(range(len(unit_lengths)), key=lambda i: (max(unit_lengths[i], default=0), i))
    batches: list[list[int]] = []
    current: list[int] = []
    members = longest = total = 0
    for i in order:
        lengths = unit_lengths[i]
        m, top, tot = members + len(lengths), max(longest, *lengths), total + sum(lengths)
        cost = tot if packed else m * top
        if current and (cost > max_tokens or (max_units is not None and len(current) >= max_units)):
            batches.append(current)
            current, m, top, tot = [], len(lengths), max(lengths), sum(lengths)
        current.append(i)
        members, longest, total = m, top, tot
    if current:
        batches.append(current)
    return batches


def padding_share(batches: Sequence[Sequence[int]], unit_lengths: Sequence[Sequence[int]], packed: bool) -> float:
    """Share of the processed tokens that are padding, over all batches."""
    real = sum(n for unit in unit_lengths for n in unit)
    total = sum(batch_cost([unit_lengths[i] for i in b], packed) for b in batches)
    return 1 - real / total if total else 0.0
