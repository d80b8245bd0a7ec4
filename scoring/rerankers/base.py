"""What every student shares: a transformers model + tokenizer that turn triples into one logit each.

A student's relevance score is `sigmoid(logit)`; training fits the logit to soft labels. `forward(model, batch)`
takes the model as an argument so the Trainer can hand in its wrapped (DDP, accelerate) copy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch
from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from scoring.rerankers.calibration import Calibration

Triple = tuple[str, str, str]
"""(instruction, query side, document): the three strings every student is fed."""

STUDENT_FILE = "memdistill_student.json"


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from None


def saved_settings(path: str | Path) -> dict[str, Any]:
    """What `Student.save` wrote next to the weights (empty for a checkpoint not saved by memdistill)."""
    p = Path(path) / STUDENT_FILE
    return read_json(p) if p.is_file() else {}


class Student:
    kind: ClassVar[str]
    default_max_length: ClassVar[int]

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, max_length: int | None = None):
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length or self.default_max_length
        self.calibration: Calibration | None = None
        """Maps the logit onto the labels' scale in `score` (`train.calibration` fits it after training)."""

    # --- to implement per student ---
    def tokenize(self, triples: Sequence[Triple]) -> list[dict[str, list[int]]]:
        """Token ids per triple, unpadded (done once per training stage: batches are formed by length)."""
        raise NotImplementedError

    def collate(self, features: Sequence[dict[str, list[int]]], pack: bool = False) -> dict[str, torch.Tensor]:
        """A padded batch of CPU tensors from `tokenize`'s features (`pack`: one padding-free row, if supported)."""
        raise NotImplementedError

    def forward(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """One logit per example, shape [batch]; differentiable."""
        raise NotImplementedError

    @classmethod
    def from_pretrained(cls, path: str | Path, max_length: int | None = None, dtype: Any = None) -> Student:
        raise NotImplementedError

    # --- shared ---
    supports_packing: ClassVar[bool] = False

    def encode(self, triples: Sequence[Triple]) -> dict[str, torch.Tensor]:
        """Tokenize and pad a batch of triples into CPU tensors."""
        return self.collate(self.tokenize(triples))

    def logits(self, triples: Sequence[Triple]) -> torch.Tensor:
        """Logits for a batch of triples, with gradients (training mode is left as it is)."""
        batch = {k: v.to(self.model.device) for k, v in self.encode(triples).items()}
        return self.forward(self.model, batch)

    @torch.inference_mode()
    def raw_scores(self, triples: Sequence[Triple], batch_size: int = 16, progress: bool = False) -> list[float]:
        """The logit of each triple, in input order. Batches go longest first to waste less padding."""
        self.model.eval()
        order = sorted(range(len(triples)), key=lambda i: -sum(len(s) for s in triples[i]))
        scores = [0.0] * len(triples)
        starts = range(0, len(order), batch_size)
        for start in tqdm(starts, desc="scoring", unit="batch", disable=not progress):
            idx = order[start : start + batch_size]
            for i, logit in zip(idx, self.logits([triples[i] for i in idx]).float().tolist(), strict=True):
                scores[i] = logit
        return scores

    def score(self, triples: Sequence[Triple], batch_size: int = 16, progress: bool = False) -> list[float]:
        """Relevance in [0, 1] for each triple, in input order: the sigmoid of `raw_scores`, calibrated when the
        student carries a calibration."""
        logits = torch.tensor(self.raw_scores(triples, batch_size, progress), dtype=torch.float64)
        if self.calibration is not None:
            logits = self.calibration.apply(logits)
        return torch.sigmoid(logits).tolist()

    def save(self, out: str | Path) -> Path:
        """Weights and tokenizer via `save_pretrained`, plus `memdistill_student.json` (kind, max_length)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out)
        self.tokenizer.save_pretrained(out)
        return self.write_settings(out)

    def write_settings(self, out: str | Path) -> Path:
        """Write `memdistill_student.json` (kind, max_length) so loading needs no flags; return the directory."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / STUDENT_FILE).write_text(json.dumps(self.settings(), indent=2) + "\n", encoding="utf-8")
        return out

    def settings(self) -> dict[str, Any]:
        """What `memdistill_student.json` holds: what loading needs beyond the weights."""
        calibration = {} if self.calibration is None else {"calibration": self.calibration.settings()}
        return {"kind": self.kind, "max_length": self.max_length} | calibration
