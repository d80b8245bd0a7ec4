"""What a call costs: USD per million input / output tokens per model, overridable in the provider config.

The table holds list prices of current OpenAI and Anthropic models (standard tier, no caching or batch discount).
A dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) or a `-latest` alias is priced as its model.
Local models (transformers, offline) cost nothing; any other unknown model is unpriced: cost 0, `priced` False.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas import ProviderConfig


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    priced: bool = True  # False: the model is in no table and the config gives no price

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1_000_000


PRICES: dict[str, tuple[float, float]] = {
    # OpenAI
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "o1": (15.00, 60.00),
    # Anthropic
    "claude-opus-4-5": (5.00, 25.00),
    "claude-opus-4-1": (15.00, 75.00),
    "claude-opus-4": (15.00, 75.00),
    "claude-opus-4-0": (15.00, 75.00),
    "claude-sonnet-4-5": (3.00, 15.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-sonnet-4-0": (3.00, 15.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-3-haiku": (0.25, 1.25),
}

FREE_KINDS = frozenset({"transformers", "offline"})
_SNAPSHOT = re.compile(r"-(\d{4}-?\d{2}-?\d{2}|latest)$")


def table_price(model: str) -> tuple[float, float] | None:
    """The table's (input, output) USD per million tokens for a model id or one of its snapshots; None if absent."""
    return PRICES.get(model) or PRICES.get(_SNAPSHOT.sub("", model))


def price_for(config: ProviderConfig) -> Price:
    """Each price from the config where given, else from the table (OpenAI, Anthropic); local kinds are free."""
    if config.kind in FREE_KINDS:
        found: tuple[float, float] | None = (0.0, 0.0)
    else:
        found = table_price(config.model) if config.kind in ("openai", "anthropic") else None
    given = (config.price_input_per_mtok, config.price_output_per_mtok)
    prices = [g if g is not None else (found[i] if found else None) for i, g in enumerate(given)]
    return Price(prices[0] or 0.0, prices[1] or 0.0, priced=None not in prices)
