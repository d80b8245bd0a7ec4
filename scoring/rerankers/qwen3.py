"""The Qwen3-Reranker student, prompted and scored exactly as its model card does.

score = p("yes") = softmax([logit_no, logit_yes])[1] at the last token = sigmoid(logit_yes - logit_no);
the training logit is logit_yes - logit_no.

Batches are padded on the right and run with no attention mask: causal attention already keeps every real token
from seeing the pads after it, so the real tokens compute exactly what they would alone, and no query row is
fully masked. (Left padding with a padding mask gives the pad rows nothing to attend to; SDPA's fused GPU kernels
turn such rows into NaN in bf16 training.) Without a mask SDPA also takes its fastest, causal-only kernel. Each
row's score is read at its own last real token (`last`), not at the batch's last column.

A packed batch (`pack`) is one row of several sequences with `position_ids` restarting at each; where the
attention implementation reads packed sequences (flash attention's varlen kernels, or transformers' block mask
for sdpa / eager) this wastes no compute on padding at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from schemas import QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX, qwen3_reranker_pair
from scoring.rerankers.base import Student, Triple

PREFIX = QWEN3_RERANKER_PREFIX
SUFFIX = QWEN3_RERANKER_SUFFIX
format_pair = qwen3_reranker_pair


def _decoder(model: torch.nn.Module) -> torch.nn.Module:
    """The transformer body under the LM head, through DDP / FSDP wrappers (peft forwards the call itself)."""
    while hasattr(model, "module"):
        model = model.module
    return model.get_decoder()


@contextmanager
def _read_at(model: torch.nn.Module, rows: torch.Tensor, cols: torch.Tensor) -> Iterator[None]:
    """Within the block, the decoder's last hidden state is cut to positions (rows, cols), as [n, 1, hidden]: the
    LM head (`logits_to_keep=1`) then scores exactly those tokens. A hook inside the model's own forward, so DDP
    and FSDP see one ordinary forward."""

    def hook(_module: torch.nn.Module, _args: Any, output: Any) -> Any:
        output.last_hidden_state = output.last_hidden_state[rows, cols].unsqueeze(1)
        return output

    handle = _decoder(model).register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


class Qwen3Student(Student):
    kind: ClassVar[str] = "qwen3"
    default_max_length: ClassVar[int] = 1024
    supports_packing: ClassVar[bool] = True

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, max_length: int | None = None):
        super().__init__(model, tokenizer, max_length)
        self.prefix_ids = tokenizer.encode(PREFIX, add_special_tokens=False)
        self.suffix_ids = tokenizer.encode(SUFFIX, add_special_tokens=False)
        self.token_true_id = tokenizer.convert_tokens_to_ids("yes")
        self.token_false_id = tokenizer.convert_tokens_to_ids("no")
        for word, tid in (("yes", self.token_true_id), ("no", self.token_false_id)):
            if tid is None or tid == tokenizer.unk_token_id:
                raise ValueError(f"tokenizer has no single token for {word!r}")
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        if pad is None:
            raise ValueError("tokenizer has neither a pad nor an eos token to pad with")
        self.pad_id = pad
        if self.max_length <= len(self.prefix_ids) + len(self.suffix_ids):
            raise ValueError(f"max_length {self.max_length} leaves no room for the prompt")

    def tokenize(self, triples: Sequence[Triple]) -> list[dict[str, list[int]]]:
        pairs = [format_pair(*t) for t in triples]
        enc = self.tokenizer(
            pairs,
            padding=False,
            truncation="longest_first",
            return_attention_mask=False,
            add_special_tokens=False,
            max_length=self.max_length - len(self.prefix_ids) - len(self.suffix_ids),
        )
        return [{"input_ids": self.prefix_ids + ids + self.suffix_ids} for ids in enc["input_ids"]]

    def collate(self, features: Sequence[dict[str, list[int]]], pack: bool = False) -> dict[str, torch.Tensor]:
        """Right-padded `input_ids` [n, longest] and `last` [n], each row's last real position; with `pack`, one
        row of all the sequences, `position_ids` restarting at each, and `last` their end positions."""
        seqs = [f["input_ids"] for f in features]
        lengths = torch.tensor([len(s) for s in seqs])
        if pack:
            ids = torch.tensor([[t for s in seqs for t in s]])
            positions = torch.cat([torch.arange(n) for n in lengths.tolist()]).unsqueeze(0)
            return {"input_ids": ids, "position_ids": positions, "last": torch.cumsum(lengths, 0) - 1}
        ids = torch.full((len(seqs), int(lengths.max())), self.pad_id, dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s)
        return {"input_ids": ids, "last": lengths - 1}

    def forward(self, model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        batch = dict(batch)
        cols = batch.pop("last")
        rows = torch.zeros_like(cols) if "position_ids" in batch else torch.arange(len(cols), device=cols.device)
        with _read_at(model, rows, cols):
            logits = model(**batch, use_cache=False, logits_to_keep=1).logits[:, -1, :]
        return logits[:, self.token_true_id] - logits[:, self.token_false_id]

    @classmethod
    def from_pretrained(cls, path: str | Path, max_length: int | None = None, dtype: Any = None) -> Qwen3Student:
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype or torch.float32)
        return cls(model, tokenizer, max_length)
