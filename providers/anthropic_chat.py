"""Anthropic through the `anthropic` SDK; structured output with `messages.parse`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anthropic
from pydantic import BaseModel, ValidationError

from providers.base import ChatResult, Message, OutputError, ProviderError, TransientError, status_error


@dataclass
class AnthropicChat:
    name: str
    model: str
    client: anthropic.AsyncAnthropic

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
        if top_logprobs:
            raise ProviderError(f"provider {self.name}: Anthropic gives no token log-probabilities")
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        turns = [m for m in messages if m["role"] != "system"]
        # this SDK's Messages API takes no temperature: sampling is the model's own
        args: dict[str, Any] = {"model": self.model, "messages": turns, "max_tokens": max_tokens, **params}
        if system:
            args["system"] = system
        try:
            if schema is None:
                response = await self.client.messages.create(**args)
            else:
                response = await self.client.messages.parse(output_format=schema, **args)
        except ValidationError as exc:
            raise OutputError(f"provider {self.name}: output does not fit {schema.__name__}", raw=str(exc)) from None
        except anthropic.APIStatusError as exc:
            raise status_error(self.name, type(exc).__name__, exc.status_code, exc.response.headers) from None
        except anthropic.APIConnectionError as exc:  # includes APITimeoutError
            raise TransientError(f"provider {self.name}: {type(exc).__name__}") from None
        except (json.JSONDecodeError, anthropic.APIResponseValidationError):
            raise TransientError(f"provider {self.name}: malformed response body") from None
        except anthropic.APIError as exc:
            raise ProviderError(f"provider {self.name}: {type(exc).__name__}") from None
        text = "".join(block.text for block in response.content if block.type == "text")
        tokens = {"input_tokens": response.usage.input_tokens, "output_tokens": response.usage.output_tokens}
        parsed = response.parsed_output if schema is not None else None
        if schema is not None and parsed is None:
            raise OutputError(f"provider {self.name}: no {schema.__name__} in the answer", raw=text, **tokens)
        return ChatResult(text=text, parsed=parsed, **tokens)
