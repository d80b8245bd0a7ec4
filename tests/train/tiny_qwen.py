"""An offline stand-in for Qwen3-Reranker: a tokenizer trained here and a tiny random Qwen3ForCausalLM."""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3ForCausalLM

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

_CORPUS = [
    "Judge whether the Document meets the requirements based on the Query and the Instruct provided. Note that the "
    'answer can only be "yes" or "no".',
    "system user assistant <think> </think> <Instruct>: <Query>: <Document>:",
    "Given a question about a past conversation, judge whether the memory helps answer it",
    "Conversation so far: Asked on 2023-06-14 (Wed) 10:00.",
    "[2023-06-14 (Wed) 10:00] Anna: I moved to Porto in May.",
    "[2023-03-02 (Thu) 09:30] Ben: Anna lived in Lyon for years.",
    "Where did Anna live in June? Why did Ben sell his car? Who is she?",
    "yes no yes no yes no",
    "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;!?()[]'\"-",
]


def build_tokenizer(out: Path) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer in the Qwen style: "yes" and "no" are single tokens, chat markers are special."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<|endoftext|>",
        eos_token="<|im_end|>",
        additional_special_tokens=["<|im_start|>"],
        padding_side="left",
    )
    for word in ("yes", "no"):
        assert fast.tokenize(word) == [word], f"{word!r} is not a single token"
    fast.save_pretrained(out)
    return fast


def build_tiny_qwen(out: Path, seed: int = 0) -> Path:
    """Save a tokenizer and a randomly initialised 2-layer Qwen3ForCausalLM to `out`; return `out`."""
    tokenizer = build_tokenizer(out)
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    Qwen3ForCausalLM(config).save_pretrained(out)
    return out
