"""The offline stand-in: a fake model for tests and keyless builds. It is NOT a language model.

No network, no weights. Every answer is a pure function of the messages (seeded by their sha256), so the same
prompt gives the same bytes in every process.

How it marks itself, so it is never mistaken for a real model:
- `name` is whatever the config calls it, `model` always starts with ``offline-stand-in``; both reach the manifest.
- Free text (no schema, no log-probabilities) starts with ``[offline stand-in]``.
- With a schema the text is the JSON of a schema-valid instance (so it still parses); every unconstrained string
  field in it starts with ``stand-in``. Strings under a pattern, an enum or a tight length limit cannot carry it.
- With `top_logprobs` the text is the most likely of the two tokens ("A"/"B", or "yes"/"no" when the last line of
  the prompt asks yes or no), so a judge reading the verdict still can; the `model` label marks it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message, OutputError

MODEL_PREFIX = "offline-stand-in"
TEXT_MARK = "[offline stand-in]"
STRING_MARK = "stand-in"
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo")
_YES_NO = re.compile(r"\b(yes|no)\b", re.IGNORECASE)
_ATTEMPTS = 8  # fresh draws before a schema whose validators we cannot satisfy is reported


@dataclass
class OfflineStandIn:
    """A deterministic stand-in for a chat model; see the module docstring for how its answers are marked."""

    name: str
    model: str = MODEL_PREFIX

    def __post_init__(self) -> None:
        if not self.model.startswith(MODEL_PREFIX):
            self.model = f"{MODEL_PREFIX}:{self.model}"

    async def chat(
        self,
        messages: Sequence[Message],
        *,
        schema: type[BaseModel] | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        top_logprobs: int = 0,
        **params: Any,
    ) -> ChatResult:
        rng = random.Random(_seed(messages, schema))
        input_tokens = sum(len(m["content"].split()) for m in messages)
        distribution = None
        if schema is not None:
            parsed = _instance(schema, rng)
            text = parsed.model_dump_json()
        elif top_logprobs:
            distribution = _two_way(messages, rng)
            parsed, text = None, next(iter(distribution))
        else:
            parsed = None
            words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 8)))
            text = f"{TEXT_MARK} {words}"
        if top_logprobs and distribution is None:
            distribution = _two_way(messages, rng)
        return ChatResult(
            text=text,
            parsed=parsed,
            input_tokens=input_tokens,
            output_tokens=len(text.split()),
            top_logprobs=[dict(list(distribution.items())[:top_logprobs])] if top_logprobs else None,
        )


def _seed(messages: Sequence[Message], schema: type[BaseModel] | None) -> int:
    payload = json.dumps([list(messages), schema.__name__ if schema else None], sort_keys=True)
    return int.from_bytes(hashlib.sha256(payload.encode()).digest()[:8], "big")


def _two_way(messages: Sequence[Message], rng: random.Random) -> dict[str, float]:
    """Log-probabilities of two answer tokens, most likely first."""
    last_line = messages[-1]["content"].strip().splitlines()[-1] if messages and messages[-1]["content"].strip() else ""
    first, second = ("yes", "no") if _YES_NO.search(last_line) else ("A", "B")
    p = rng.uniform(0.05, 0.95)
    pairs = sorted([(first, math.log(p)), (second, math.log(1 - p))], key=lambda kv: -kv[1])
    return dict(pairs)


def _instance(schema: type[BaseModel], rng: random.Random) -> BaseModel:
    """A schema-valid instance of `schema`, drawn from its JSON schema; OutputError if its validators refuse all."""
    json_schema = schema.model_json_schema()
    error = ""
    for _ in range(_ATTEMPTS):
        value = _value(json_schema, json_schema.get("$defs", {}), rng)
        try:
            return schema.model_validate(value)
        except ValidationError as exc:
            error = str(exc)
    raise OutputError(f"offline stand-in: could not make a valid {schema.__name__}: {error}", raw=error)


def _value(node: dict[str, Any], defs: dict[str, Any], rng: random.Random) -> Any:
    if "$ref" in node:
        return _value(defs[node["$ref"].rsplit("/", 1)[-1]], defs, rng)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return rng.choice(node["enum"])
    if "default" in node and rng.random() < 0.5:
        return node["default"]
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"] or node[key]
            return _value(rng.choice(options), defs, rng)
    if "allOf" in node:
        return _value(node["allOf"][0], defs, rng)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in node:
        return {key: _value(sub, defs, rng) for key, sub in node.get("properties", {}).items()}
    if kind == "array":
        return _array(node, defs, rng)
    if kind == "string":
        return _string(node, rng)
    if kind == "integer":
        low, high = _bounds(node, 0, 10, step=1)
        return rng.randint(math.ceil(low), math.floor(high))
    if kind == "number":
        low, high = _bounds(node, 0.0, 1.0, step=1e-9)
        return round(rng.uniform(low, high), 6) if high - low > 1e-5 else low
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return f"{STRING_MARK} value"  # no type: any JSON value fits


def _bounds(node: dict[str, Any], low: float, high: float, step: float) -> tuple[float, float]:
    lo = node.get("minimum", node["exclusiveMinimum"] + step if "exclusiveMinimum" in node else None)
    hi = node.get("maximum", node["exclusiveMaximum"] - step if "exclusiveMaximum" in node else None)
    if lo is None and hi is None:
        return low, high
    if lo is None:
        return min(low, hi - (high - low)), hi
    if hi is None:
        return lo, lo + (high - low)
    return lo, hi


def _array(node: dict[str, Any], defs: dict[str, Any], rng: random.Random) -> list[Any]:
    prefix = node.get("prefixItems")
    if prefix is not None:  # a tuple
        return [_value(sub, defs, rng) for sub in prefix]
    low = node.get("minItems", 0)
    high = node.get("maxItems", low + 3)
    size = rng.randint(max(low, min(1, high)), max(low, min(high, low + 3)))
    items = node.get("items", {})
    out: list[Any] = []
    for _ in range(size * 4):  # room to skip repeats when items must be unique
        if len(out) == size:
            break
        item = _value(items, defs, rng)
        if not node.get("uniqueItems") or item not in out:
            out.append(item)
    return out


def _string(node: dict[str, Any], rng: random.Random) -> str:
    fmt = node.get("format")
    if fmt == "date-time":
        return f"2023-06-{rng.randint(10, 28)}T10:00:00"
    if fmt == "date":
        return f"2023-06-{rng.randint(10, 28)}"
    low, high = node.get("minLength", 0), node.get("maxLength")
    text = f"{STRING_MARK} " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))
    if "pattern" in node:
        pattern = re.compile(node["pattern"])
        tries = [text, *(w for w in _WORDS), "stand_in", "a", "A", "0", "x" * max(low, 1)]
        text = next((t for t in tries if pattern.search(t)), text)  # else the validator says so, naming the field
    while len(text) < low:
        text += " " + rng.choice(_WORDS)
    return text[:high] if high is not None else text
