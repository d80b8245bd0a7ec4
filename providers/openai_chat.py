"""OpenAI and any OpenAI-compatible server (vLLM, Ollama, llama.cpp) through the `openai` SDK.

Structured output sends the schema as `response_format` (what the SDK's `parse` sends) and validates the answer here,
so a schema-invalid answer keeps its raw text and its token counts.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openai
from openai.lib._parsing._completions import type_to_response_format_param
from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message, OutputError, ProviderError, TransientError, status_error


@dataclass
class OpenAIChat:
    name: str
    model: str
    client: openai.AsyncOpenAI
    compatible: bool = False  # servers other than OpenAI's take `max_tokens`, not `max_completion_tokens`

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
        args: dict[str, Any] = {"model": self.model, "messages": list(messages), "temperature": temperature, **params}
        args["max_tokens" if self.compatible else "max_completion_tokens"] = max_tokens
        if top_logprobs:
            args |= {"logprobs": True, "top_logprobs": top_logprobs}
        if schema is not None:
            args["response_format"] = _response_format(schema)
        try:
            response = await self.client.chat.completions.create(**args)
        except openai.APIStatusError as exc:
            raise status_error(self.name, type(exc).__name__, exc.status_code, exc.response.headers) from None
        except openai.APIConnectionError as exc:  # includes APITimeoutError
            raise TransientError(f"provider {self.name}: {type(exc).__name__}") from None
        except (json.JSONDecodeError, openai.APIResponseValidationError):
            raise TransientError(f"provider {self.name}: malformed response body") from None
        except openai.APIError as exc:
            raise ProviderError(f"provider {self.name}: {type(exc).__name__}") from None
        if not response.choices:
            raise TransientError(f"provider {self.name}: response without choices")
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = response.usage
        tokens = {
            "input_tokens": usage.prompt_tokens if usage else 0,
            "output_tokens": usage.completion_tokens if usage else 0,
        }
        parsed = None
        if schema is not None:
            try:
                parsed = schema.model_validate_json(text)
            except ValidationError:
                refusal = getattr(choice.message, "refusal", None)
                why = f"refused: {refusal}" if refusal else f"finish_reason {choice.finish_reason}"
                message = f"provider {self.name}: output does not fit {schema.__name__} ({why})"
                raise OutputError(message, raw=text or (refusal or ""), **tokens) from None
        return ChatResult(
            text=text,
            parsed=parsed,
            top_logprobs=_top_logprobs(choice) if top_logprobs else None,
            **tokens,
        )


@functools.cache
def _response_format(schema: type[BaseModel]) -> Any:
    """What the SDK's `parse` sends for a schema; made once per class (strict JSON schema conversion is slow)."""
    return type_to_response_format_param(schema)


def _top_logprobs(choice: Any) -> list[dict[str, float]] | None:
    content = getattr(choice.logprobs, "content", None) if choice.logprobs else None
    if not content:
        return None
    return [{alt.token: alt.logprob for alt in position.top_logprobs} for position in content]
