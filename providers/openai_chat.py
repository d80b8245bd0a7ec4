"""OpenAI and any OpenAI-compatible server (vLLM, Ollama, llama.cpp) through the `openai` SDK."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openai
from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message, OutputError, ProviderError


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
        try:
            if schema is None:
                response = await self.client.chat.completions.create(**args)
            else:
                response = await self.client.chat.completions.parse(response_format=schema, **args)
        except (ValidationError, openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
            raise OutputError(f"provider {self.name}: output does not fit {schema.__name__}", raw=str(exc)) from None
        except openai.APIError as exc:
            raise ProviderError(f"provider {self.name}: {type(exc).__name__}: {_status(exc)}") from None
        choice = response.choices[0]
        text = choice.message.content or ""
        parsed = getattr(choice.message, "parsed", None) if schema is not None else None
        if schema is not None and parsed is None:
            raise OutputError(f"provider {self.name}: no {schema.__name__} in the answer", raw=text)
        usage = response.usage
        return ChatResult(
            text=text,
            parsed=parsed,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            top_logprobs=_top_logprobs(choice) if top_logprobs else None,
        )


def _status(exc: openai.APIError) -> str:
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def _top_logprobs(choice: Any) -> list[dict[str, float]] | None:
    content = getattr(choice.logprobs, "content", None) if choice.logprobs else None
    if not content:
        return None
    return [{alt.token: alt.logprob for alt in position.top_logprobs} for position in content]
