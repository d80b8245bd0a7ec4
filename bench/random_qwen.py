"""A random Qwen3 reranker of a real shape, for speed, memory and numerical health (never quality): a byte-level
BPE tokenizer trained offline on the given texts (Qwen-style chat specials, "yes" and "no" single tokens) and a
randomly initialised `Qwen3ForCausalLM`. `SHAPES["0.6b"]` is Qwen3-Reranker-0.6B's; `"tiny"` runs on a CPU."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3ForCausalLM

from schemas import QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX

SHAPES: dict[str, dict[str, object]] = {
    "0.6b": {
        "vocab_size": 151936,
        "hidden_size": 1024,
        "intermediate_size": 3072,
        "num_hidden_layers": 28,
        "num_attention_heads": 16,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "max_position_embeddings": 40960,
        "tie_word_embeddings": True,
        "rope_theta": 1000000.0,
    },
    "tiny": {
        "vocab_size": 4096,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "head_dim": 16,
        "max_position_embeddings": 4096,
        "tie_word_embeddings": True,
    },
}
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """Byte-level BPE on `texts` plus the reranker prompt; "yes" and "no" must come out as single tokens."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    prompt = [QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX] + ["yes no " * 100] * 500  # frequent: merged first
    tok.train_from_iterator([*prompt, *texts], trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<|endoftext|>", eos_token="<|im_end|>", additional_special_tokens=SPECIALS[1:2]
    )
    for word in ("yes", "no"):
        if fast.tokenize(word) != [word]:
            raise ValueError(f"the trained tokenizer splits {word!r}")
    return fast


def build_random_qwen(out: Path, shape: str, texts: Iterable[str], seed: int = 0) -> Path:
    """Save a tokenizer trained on `texts` and a random Qwen3ForCausalLM of `shape` (bf16 on disk) to `out`."""
    config = dict(SHAPES[shape])
    tokenizer = train_tokenizer(texts, vocab_size=min(32000, int(config["vocab_size"])))
    tokenizer.save_pretrained(out)
    qwen = Qwen3Config(**config, pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.device(device):
        model = Qwen3ForCausalLM(qwen)
    model.to(torch.bfloat16).save_pretrained(out)
    return out
