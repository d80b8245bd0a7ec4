"""Make a provider from its config; its key comes from the environment, and a missing key fails before any work."""

from __future__ import annotations

import os

import anthropic
import httpx2
import openai

from providers.anthropic_chat import AnthropicChat
from providers.base import Provider
from providers.offline import OfflineStandIn
from providers.openai_chat import OpenAIChat
from schemas import ProviderConfig

DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "openai_compatible": None}
KEYLESS_KINDS = ("transformers", "offline")  # in-process: no key, even if the config names a variable


class MissingKeyError(RuntimeError):
    """A configured provider whose key is not in the environment."""


def api_key(name: str, config: ProviderConfig) -> str | None:
    """The key from the environment variable the config names (or the kind's default); None if none is needed."""
    if config.kind in KEYLESS_KINDS:
        return None
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
    """The online provider for `config` (batch execution goes through `providers.batch` instead)."""
    if config.kind == "offline":
        return OfflineStandIn(name=name, model=config.model)
    if config.kind == "transformers":
        from providers.transformers_local import TransformersLocal  # torch loads only for a local model

        return TransformersLocal(name=name, model=config.model, device=config.device)
    client = sdk_client(name, config, http_client=http_client)
    if isinstance(client, anthropic.AsyncAnthropic):
        return AnthropicChat(name=name, model=config.model, client=client)
    return OpenAIChat(name=name, model=config.model, client=client, compatible=config.kind == "openai_compatible")


def sdk_client(
    name: str, config: ProviderConfig, *, http_client: httpx2.AsyncClient | None = None
) -> openai.AsyncOpenAI | anthropic.AsyncAnthropic:
    """The async SDK client of an openai, anthropic or openai_compatible provider, its key from the environment."""
    if config.kind in KEYLESS_KINDS:
        raise ValueError(f"provider {name}: kind {config.kind!r} runs in-process and has no SDK client")
    key = api_key(name, config)
    # the SDKs do not retry: providers.client does, so it can slow down on 429 and count every try
    common = {"timeout": config.timeout_s, "max_retries": 0, "http_client": http_client}
    if config.kind == "anthropic":
        return anthropic.AsyncAnthropic(api_key=key, base_url=config.base_url, **common)
    return openai.AsyncOpenAI(api_key=key or "not-needed", base_url=config.base_url, **common)
