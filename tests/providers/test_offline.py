"""The offline stand-in: deterministic, schema-valid, and always marked as a stand-in."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

import pytest
from pydantic import BaseModel, Field, model_validator

from providers.base import OutputError
from providers.offline import MODEL_PREFIX, STRING_MARK, TEXT_MARK, OfflineStandIn
from providers.registry import check_keys, make_provider
from schemas import Judgment, ProviderConfig

ASK = [{"role": "user", "content": "Which memory answers better, A or B?"}]


class Colour(StrEnum):
    red = "red"
    blue = "blue"


class Inner(BaseModel):
    label: str
    score: float = Field(ge=-2, le=-1)


class Everything(BaseModel):
    title: str
    short: str = Field(min_length=2, max_length=3)
    long: str = Field(min_length=60)
    code: str = Field(pattern=r"^[a-z_]+$")
    count: int = Field(ge=5, le=7)
    positive: int = Field(gt=100)
    probability: float = Field(ge=0, le=1)
    flag: bool
    verdict: Literal["A", "B", "tie"]
    colour: Colour
    maybe: int | None
    tags: list[str] = Field(min_length=3, max_length=5)
    unique: set[int] = Field(min_length=2)
    pair: tuple[int, str]
    inner: Inner
    inners: list[Inner] = Field(min_length=1)
    mapping: dict[str, int]
    when: datetime
    day: date


def run(provider: OfflineStandIn, messages=ASK, **kwargs):
    return asyncio.run(provider.chat(messages, **kwargs))


def test_free_text_is_marked_and_deterministic():
    provider = OfflineStandIn(name="stub")
    first, again = run(provider), run(provider)
    assert first == again and first.text.startswith(TEXT_MARK)
    other = run(provider, [{"role": "user", "content": "something else entirely"}])
    assert other.text != first.text
    assert first.input_tokens == len(ASK[0]["content"].split()) and first.output_tokens == len(first.text.split())


def test_model_label_says_stand_in():
    assert OfflineStandIn(name="x").model == MODEL_PREFIX
    assert OfflineStandIn(name="x", model="teacher").model == f"{MODEL_PREFIX}:teacher"
    assert OfflineStandIn(name="x", model=f"{MODEL_PREFIX}:y").model == f"{MODEL_PREFIX}:y"


def test_schema_instances_are_valid_and_deterministic():
    provider = OfflineStandIn(name="stub")
    texts = set()
    for i in range(15):
        messages = [{"role": "user", "content": f"prompt {i}"}]
        result = run(provider, messages, schema=Everything)
        value = result.parsed
        assert isinstance(value, Everything)
        assert Everything.model_validate_json(result.text) == value  # the text is the same instance, as JSON
        assert value.title.startswith(STRING_MARK) and value.inner.label.startswith(STRING_MARK)
        assert 3 <= len(value.tags) <= 5 and len(value.unique) >= 2 and len(value.inners) >= 1
        assert run(provider, messages, schema=Everything) == result
        texts.add(result.text)
    assert len(texts) == 15


def test_project_records_can_be_stood_in_for():
    result = run(OfflineStandIn(name="stub"), schema=Judgment)
    assert isinstance(result.parsed, Judgment)


class Impossible(BaseModel):
    low: int
    high: int

    @model_validator(mode="after")
    def _never(self) -> Impossible:
        raise ValueError("never valid")


def test_a_schema_it_cannot_satisfy_is_an_output_error():
    with pytest.raises(OutputError, match="Impossible") as info:
        run(OfflineStandIn(name="stub"), schema=Impossible)
    assert "never valid" in info.value.raw


@pytest.mark.parametrize(
    ("prompt", "tokens"),
    [("Which memory answers better, A or B?", {"A", "B"}), ("Context\nDoes it help? Answer yes or no.", {"yes", "no"})],
)
def test_top_logprobs_are_a_two_way_distribution(prompt, tokens):
    result = run(OfflineStandIn(name="stub"), [{"role": "user", "content": prompt}], top_logprobs=5)
    (top,) = result.top_logprobs
    assert set(top) == tokens
    values = list(top.values())
    assert values == sorted(values, reverse=True) and math.isclose(sum(math.exp(v) for v in values), 1.0)
    assert result.text == next(iter(top))
    (only,) = run(OfflineStandIn(name="stub"), [{"role": "user", "content": prompt}], top_logprobs=1).top_logprobs
    assert only == dict([next(iter(top.items()))])


def test_same_bytes_in_another_process():
    code = (
        "import asyncio; from providers.offline import OfflineStandIn; "
        "r = asyncio.run(OfflineStandIn(name='s').chat([{'role': 'user', 'content': 'hi'}], top_logprobs=2)); "
        "print(r.text, r.top_logprobs)"
    )
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout for _ in range(2)}
    here = run(OfflineStandIn(name="s"), [{"role": "user", "content": "hi"}], top_logprobs=2)
    assert outputs == {f"{here.text} {here.top_logprobs}\n"}


def test_registry_makes_it_without_any_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = ProviderConfig(kind="offline", model="judge", api_key_env="NOT_SET_ANYWHERE")
    check_keys({"stub": config})
    provider = make_provider("stub", config)
    assert isinstance(provider, OfflineStandIn) and provider.model == f"{MODEL_PREFIX}:judge"
