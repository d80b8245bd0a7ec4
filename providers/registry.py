"""Make a provider from its config; its key comes from the environment, and a missing key fails before any work."""

from __future__ import annotations

import os

import anthropic
import httpx2
import openai

from providers.anthropic_chat import AnthropicChat
from providers.base import Provider
from providers.openai_chat import OpenAIChat
from schemas import ProviderConfig

DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "openai_compatible": None}


class MissingKeyError(RuntimeError):
    """A configured provider whose key is not in the environment."""


def api_key(name: str, config: ProviderConfig) -> str | None:
    """The key from the environment variable the config names (or the kind's default); None if none is needed."""
    env = config.api_key_env or DEFAULT_KEY_ENV[config.kind]
    if env is None:
        return None
    key = os.environ.get(env)
    if not key:
        raise MissingKeyError(f"provider {name}: environment variable {env} is not set")
    return key


def check_keys(providers: dict[str, ProviderConfig]) -> None:
    """Fail with one line naming the provider and variable before a build starts work."""
    for name, config in providers.items():
        api_key(name, config)


def make_provider(name: str, config: ProviderConfig, *, http_client: httpx2.AsyncClient | None = None) -> Provider:
    key = api_key(name, config)
    # the SDKs do not retry: providers.client does, so it can slow down on 429 and count every try
    common = {"timeout": config.timeout_s, "max_retries": 0, "http_client": http_client}
    if config.kind == "anthropic":
        client = anthropic.AsyncAnthropic(api_key=key, base_url=config.base_url, **common)
        return AnthropicChat(name=name, model=config.model, client=client)
    client = openai.AsyncOpenAI(api_key=key or "not-needed", base_url=config.base_url, **common)
    return OpenAIChat(name=name, model=config.model, client=client, compatible=config.kind == "openai_compatible")
