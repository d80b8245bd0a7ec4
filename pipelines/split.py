"""Split by dialogue, so no dialogue's queries cross splits."""

from __future__ import annotations

from schemas import SplitConfig
from schemas.seeds import derive_seed

SPLITS = ("train", "validation", "test")


def _count(n: int, fraction: float) -> int:
    """Round a split's share; a non-zero fraction gets at least one dialogue when there are enough to go round."""
    if fraction <= 0:
        return 0
    return max(1, round(n * fraction)) if n >= 3 else round(n * fraction)


def assign_splits(dialogue_ids: list[str], config: SplitConfig, seed: int) -> dict[str, str]:
    """dialogue id -> split name, by a seeded hash order (stable when dialogues are added)."""
    order = sorted(set(dialogue_ids), key=lambda d: derive_seed(seed, d, sep=":"))
    n = len(order)
    n_test = _count(n, config.test)
    n_val = _count(n, config.validation)
    if n_test + n_val >= n and n > 0:
        raise ValueError(f"{n} dialogues are too few for validation={config.validation} and test={config.test}")
    out: dict[str, str] = {}
    for i, dialogue_id in enumerate(order):
        out[dialogue_id] = "test" if i < n_test else "validation" if i < n_test + n_val else "train"
    return out


def calibration_slice(split_of: dict[str, str], fraction: float, seed: int) -> set[str]:
    """`fraction` of the train dialogues, by a seeded hash order, that fit teacher weights and the calibrator.

    Labels of the rest are what the audit reports on: no calibration dialogue is ever scored.
    """
    train = sorted(
        (d for d, split in split_of.items() if split == "train"),
        key=lambda d: derive_seed("calibration", seed, d, sep=":"),
    )
    if not train:
        return set()
    return set(train[: max(1, round(len(train) * fraction))])
