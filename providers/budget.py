"""A spending limit shared by every client of a build: no paid call starts once it is spent."""

from __future__ import annotations

from dataclasses import dataclass

from providers.base import ProviderError


class BudgetExceeded(ProviderError):
    """The build spent its `max_cost_usd`; what is done is kept, and a re-run with a larger budget resumes."""


@dataclass
class Budget:
    """`max_cost_usd` None: no limit, only counting. Calls already in flight when the limit is reached finish,
    so the spend can pass the limit by what those cost."""

    max_cost_usd: float | None = None
    spent_usd: float = 0.0

    def check(self, provider: str) -> None:
        if self.max_cost_usd is not None and self.spent_usd >= self.max_cost_usd:
            raise BudgetExceeded(
                f"provider {provider}: budget spent (${self.spent_usd:.4f} of max_cost_usd ${self.max_cost_usd:.4f})"
            )

    def add(self, cost_usd: float) -> None:
        self.spent_usd += cost_usd
