"""Scores from a local transformers model, read through the students of `scoring.rerankers` (tested there):

- `cross_encoder`: any sequence-classification checkpoint with one logit, fed (instruction + "\\n" + query side,
  rendered memory); score = sigmoid(logit).
- `yes_no`: a causal LM in the Qwen3-Reranker format (`schemas.QWEN3_RERANKER_PREFIX/SUFFIX`,
  `qwen3_reranker_pair`), right padding; score = p("yes") from the yes/no logits at each row's last token.

Each model is loaded once per process, on the GPU when there is one, and scored in batches.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from schemas import DEFAULT_INSTRUCTION, Example, render_memory, render_query

if TYPE_CHECKING:
    from scoring.rerankers import Student

BATCH_SIZE = 16
STUDENT_KIND = {"cross_encoder": "cross_encoder", "yes_no": "qwen3"}


@lru_cache(maxsize=4)
def load_model(kind: str, model_path: str) -> Student:
    """The `kind` ("cross_encoder" or "yes_no") model at `model_path`, loaded once per process."""
    from scoring.rerankers import default_device, load_student

    if kind not in STUDENT_KIND:
        raise ValueError(f"local model teacher: kind {kind!r} is not one of {list(STUDENT_KIND)}")
    if not Path(model_path).is_dir():
        raise ValueError(f"{kind} teacher model {model_path!r}: not a local model directory")
    return load_student(STUDENT_KIND[kind], model_path, device=default_device())


def triples(example: Example) -> list[tuple[str, str, str]]:
    """(instruction, query side, rendered memory) per candidate: the rendering the students are trained on."""
    q = example.query
    query_side = render_query(q.text, q.context, q.query_time)
    instruction = q.instruction or DEFAULT_INSTRUCTION
    return [(instruction, query_side, render_memory(c.memory)) for c in example.candidates]


def model_scores(examples: list[Example], kind: str, model_path: str, batch_size: int = BATCH_SIZE) -> list[np.ndarray]:
    """One score in [0, 1] per candidate of each example; all examples' pairs scored in shared batches."""
    if not examples:
        return []
    model = load_model(kind, model_path)
    flat = [t for ex in examples for t in triples(ex)]
    scores = np.asarray(model.score(flat, batch_size=batch_size), dtype=float)
    out = []
    start = 0
    for ex in examples:
        out.append(scores[start : start + len(ex.candidates)])
        start += len(ex.candidates)
    return out
