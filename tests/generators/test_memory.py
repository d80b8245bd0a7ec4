"""Generation keeps no per-dialogue state: a build of a million dialogues must hold what a build of ten holds."""

from __future__ import annotations

import functools
import sys

import generators
from generators import negatives
from schemas import load_config


def _unbounded_caches() -> dict[str, int]:
    """Entries of every unbounded `functools` cache in this project's modules (those with `maxsize=None`)."""
    sizes = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith(("generators", "scoring", "judges", "pipelines", "schemas")):
            continue
        for attr, value in vars(module).items():
            if isinstance(value, functools._lru_cache_wrapper) and value.cache_parameters()["maxsize"] is None:
                sizes[f"{name}.{attr}"] = value.cache_info().currsize
    return sizes


def test_no_unbounded_cache_grows_with_the_dialogues():
    """`compose._parts` (filled-in templates) and `smalltalk._spaced` (a dialogue's names) were unbounded and kept
    ~25 kB per dialogue: 1.56x the RSS of a 1k-dialogue build at 10k."""
    config = load_config("configs/default.toml", ["generate.sessions=4", 'candidates.retrievers=["bm25"]'])
    generators.build_candidates(generators.generate_dialogue(config, 0), config)
    before = _unbounded_caches()
    for k in range(1, 3):
        generators.build_candidates(generators.generate_dialogue(config, k), config)
    grew = {name: (before.get(name, 0), n) for name, n in _unbounded_caches().items() if n > before.get(name, 0)}
    assert not grew, f"caches that grow with every dialogue: {grew}"
    assert negatives.content_words.cache_parameters()["maxsize"] is not None
