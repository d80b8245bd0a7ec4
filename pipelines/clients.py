"""The build's provider clients: one per configured provider, sharing the run's response cache and budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.batching import open_batch_client
from providers.budget import Budget
from providers.cache import ResponseCache
from providers.client import Client, open_client
from schemas import BuildConfig, ProviderConfig


def open_clients(
    config: BuildConfig, run_dir: Path, *, budget: Budget | None = None, share: int = 1
) -> dict[str, Client]:
    """Clients for `config.providers`, caching answers in `<run_dir>/cache.sqlite`.

    `share`: how many processes open clients like these at once (Ray workers): each gets that share of every
    provider's concurrency and rate limits, so together they stay within the configured ones.
    """
    if not config.providers:
        return {}
    cache = ResponseCache(run_dir / "cache.sqlite")
    budget = budget if budget is not None else Budget(config.max_cost_usd)
    jobs = run_dir / "batches"
    out: dict[str, Client] = {}
    for name, p in config.providers.items():
        p = limits_share(p, share)
        if p.execution == "batch":
            out[name] = open_batch_client(name, p, jobs, cache=cache, budget=budget)
        else:
            out[name] = open_client(name, p, cache=cache, budget=budget)
    return out


def run_spend(clients: dict[str, Client]) -> dict[str, Any]:
    """What the whole run paid for, over every invocation: the answers in its response cache, priced per provider.

    The manifest's `providers` / `cost_usd` count this invocation's calls only (a resumed build reuses earlier
    shards for free); this counts each answer the run ever kept once.
    """
    cache = next((c.cache for c in clients.values() if c.cache is not None), None)  # `open_clients` opens one
    totals = cache.totals() if cache is not None else {}
    out: dict[str, Any] = {"providers": {}, "cost_usd": 0.0}
    for name, client in clients.items():
        answers, tokens_in, tokens_out = totals.get(name, (0, 0, 0))
        cost = client.price.cost(tokens_in, tokens_out) if client.price else 0.0
        out["providers"][name] = {"answers": answers, "input_tokens": tokens_in, "output_tokens": tokens_out,
                                  "cost_usd": round(cost, 6)}  # fmt: skip
        out["cost_usd"] += cost
    out["cost_usd"] = round(out["cost_usd"], 6)
    return out


def limits_share(p: ProviderConfig, share: int) -> ProviderConfig:
    """`p` with its concurrency and per-minute limits divided by `share` (at least 1 each)."""
    if share <= 1:
        return p

    def part(value: int | None) -> int | None:
        return None if value is None else max(1, value // share)

    return p.model_copy(
        update={
            "max_concurrency": part(p.max_concurrency),
            "requests_per_minute": part(p.requests_per_minute),
            "tokens_per_minute": part(p.tokens_per_minute),
        }
    )
