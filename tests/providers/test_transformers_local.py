"""The local transformers backend on a tiny random Qwen3ForCausalLM with an offline-trained tokenizer."""

from __future__ import annotations

import asyncio
import math
import os
from pathlib import Path

import pytest
import torch
from pydantic import BaseModel
from transformers import AutoModelForCausalLM, AutoTokenizer

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from providers.base import OutputError, ProviderError
from providers.registry import check_keys, make_provider
from providers.transformers_local import TransformersLocal, _parse
from schemas import ProviderConfig
from tests.train.tiny_qwen import build_tiny_qwen

TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
MESSAGES = [
    {"role": "system", "content": "Judge whether the memory helps answer it."},
    {"role": "user", "content": "Where did Anna live in June? Anna: I moved to Porto in May. yes or no?"},
]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = build_tiny_qwen(tmp_path_factory.mktemp("tiny_qwen_chat"))
    tokenizer = AutoTokenizer.from_pretrained(out)
    tokenizer.chat_template = TEMPLATE
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def plain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_qwen(tmp_path_factory.mktemp("tiny_qwen_plain"))


@pytest.fixture(scope="module")
def provider(tiny_dir: Path) -> TransformersLocal:
    return TransformersLocal(name="local", model=str(tiny_dir), device="cpu")


def reference_logprobs(path: Path, text: str) -> torch.Tensor:
    """log_softmax of the model's logits at the position after `text`, computed by hand."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.no_grad():
        return torch.log_softmax(model(input_ids=ids).logits[0, -1], dim=-1)


def test_next_token_logprobs_match_a_hand_computation(provider, tiny_dir):
    scores = asyncio.run(provider.next_token_logprobs(MESSAGES, ["yes", "no"]))
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    prompt = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>assistant\n")
    expected = reference_logprobs(tiny_dir, prompt)
    for word in ("yes", "no"):
        token = tokenizer.convert_tokens_to_ids(word)
        assert scores[word] == pytest.approx(expected[token].item(), abs=1e-5)
    assert scores["yes"] != scores["no"]


def test_batched_scoring_with_left_padding_equals_one_by_one(provider):
    short = [{"role": "user", "content": "Who is she?"}]
    single = [asyncio.run(provider.next_token_logprobs(p, ["yes", "no", "A"])) for p in (MESSAGES, short)]
    batched = asyncio.run(provider.next_token_logprobs_many([MESSAGES, short], ["yes", "no", "A"], batch_size=2))
    for one, many in zip(single, batched, strict=True):
        assert many.keys() == one.keys()
        for key in one:
            assert many[key] == pytest.approx(one[key], abs=1e-4)


def test_candidates_sharing_a_first_token_are_refused(provider):
    with pytest.raises(ProviderError, match="share their first token"):
        asyncio.run(provider.next_token_logprobs(MESSAGES, ["yes", "yes please"]))


def test_chat_returns_text_counts_and_is_deterministic(provider, tiny_dir):
    first = asyncio.run(provider.chat(MESSAGES, max_tokens=6))
    again = asyncio.run(provider.chat(MESSAGES, max_tokens=6))
    assert first == again
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    prompt = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    assert first.input_tokens == len(tokenizer(prompt, add_special_tokens=False).input_ids)
    assert 1 <= first.output_tokens <= 6
    assert isinstance(first.text, str) and first.top_logprobs is None


def test_top_logprobs_are_sorted_and_match_the_first_greedy_token(provider, tiny_dir):
    result = asyncio.run(provider.chat(MESSAGES, max_tokens=1, top_logprobs=5))
    (top,) = result.top_logprobs
    values = list(top.values())
    assert 1 <= len(top) <= 5 and values == sorted(values, reverse=True)
    assert all(v <= 0 for v in values) and sum(math.exp(v) for v in values) <= 1 + 1e-6
    # greedy: the generated token is the most likely one
    assert result.text == next(iter(top))
    # and the figures agree with the scoring path
    word = next(iter(top))
    assert asyncio.run(provider.next_token_logprobs(MESSAGES, [word]))[word] == pytest.approx(values[0], abs=1e-5)


def test_tokenizer_without_template_uses_the_plain_join(plain_dir):
    provider = TransformersLocal(name="plain", model=str(plain_dir), device="cpu")
    scores = asyncio.run(provider.next_token_logprobs(MESSAGES, ["yes"]))
    plain = "".join(f"{m['role']}: {m['content']}\n" for m in MESSAGES) + "assistant:"
    expected = reference_logprobs(plain_dir, plain)
    token = AutoTokenizer.from_pretrained(plain_dir).convert_tokens_to_ids("yes")
    assert scores["yes"] == pytest.approx(expected[token].item(), abs=1e-5)


class Verdict(BaseModel):
    better: str
    confidence: float


def test_schema_parsing_accepts_fenced_json_and_keeps_raw_on_failure():
    fenced = '```json\n{"better": "A", "confidence": 0.7}\n```'
    assert _parse(fenced, Verdict, "local") == Verdict(better="A", confidence=0.7)
    with pytest.raises(OutputError) as info:
        _parse("no json here", Verdict, "local")
    assert info.value.raw == "no json here"


def test_chat_with_schema_from_a_random_model_is_an_output_error(provider):
    with pytest.raises(OutputError) as info:
        asyncio.run(provider.chat(MESSAGES, schema=Verdict, max_tokens=4))
    assert info.value.raw == asyncio.run(provider.chat(MESSAGES, max_tokens=4)).text
    assert info.value.input_tokens > 0 and 1 <= info.value.output_tokens <= 4  # what the failed answer cost


def test_registry_makes_it_without_a_key(tiny_dir, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = ProviderConfig(kind="transformers", model=str(tiny_dir), device="cpu")
    check_keys({"local": config})
    provider = make_provider("local", config)
    assert isinstance(provider, TransformersLocal) and provider.device == "cpu"


def test_missing_model_is_one_clear_error(tmp_path):
    provider = TransformersLocal(name="gone", model=str(tmp_path / "nowhere"), device="cpu")
    with pytest.raises(ProviderError, match="provider gone: cannot load model"):
        asyncio.run(provider.next_token_logprobs(MESSAGES, ["yes"]))
