"""Prices, cost accounting, the shared budget: no paid call starts past `max_cost_usd`; cache hits still pass."""

from __future__ import annotations

import asyncio

import pytest

from providers.budget import Budget, BudgetExceeded
from providers.cache import ResponseCache
from providers.client import Usage, open_client
from providers.pricing import price_for, table_price
from schemas import ProviderConfig
from tests.openai_server import Reply, serve


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("MEMDISTILL_TEST_KEY", "sk-test-BUDGET")


def config(url: str, **prices: float) -> ProviderConfig:
    return ProviderConfig(kind="openai_compatible", model="local", base_url=url, api_key_env="MEMDISTILL_TEST_KEY",
                          **prices)  # fmt: skip


def test_price_table_snapshots_overrides_and_unknown_models():
    assert table_price("gpt-4o-mini-2024-07-18") == table_price("gpt-4o-mini") != table_price("gpt-4o")
    assert table_price("claude-sonnet-4-5-20250929") == (3.0, 15.0)
    assert table_price("o3-pro") is None  # a prefix is not a snapshot
    gpt = price_for(ProviderConfig(kind="openai", model="gpt-4o-mini"))
    assert gpt.priced and gpt.cost(1_000_000, 2_000_000) == pytest.approx(0.15 + 1.20)
    half = price_for(ProviderConfig(kind="openai", model="gpt-4o-mini", price_output_per_mtok=1.0))
    assert (half.input_per_mtok, half.output_per_mtok) == (0.15, 1.0)
    unknown = price_for(ProviderConfig(kind="openai", model="gpt-99"))
    assert not unknown.priced and unknown.cost(10**6, 10**6) == 0
    local = ProviderConfig(kind="openai_compatible", model="gpt-4o", base_url="http://127.0.0.1:8000/v1")
    assert not price_for(local).priced  # a local server's model name says nothing about its price
    given = local.model_copy(update={"price_input_per_mtok": 0.0, "price_output_per_mtok": 0.0})
    assert price_for(given).priced
    assert price_for(ProviderConfig(kind="transformers", model="/models/qwen")).priced


def test_usage_counts_tokens_and_cost_and_merges():
    with serve(lambda body: Reply("x" * 40)) as server:  # 10 prompt tokens, 10 completion tokens a call
        cfg = config(server.url, price_input_per_mtok=2.0, price_output_per_mtok=8.0)
        client = open_client("local", cfg)
        for i in range(3):
            asyncio.run(client.chat([{"role": "user", "content": f"q{i}"}]))
    usage = client.usage
    assert (usage.calls, usage.input_tokens, usage.output_tokens) == (3, 30, 30)
    assert usage.cost_usd == pytest.approx((30 * 2.0 + 30 * 8.0) / 1e6) and usage.priced
    merged = usage.merge(Usage(calls=1, cost_usd=1.0, priced=False))
    assert merged.calls == 4 and merged.cost_usd == pytest.approx(usage.cost_usd + 1) and not merged.priced
    assert set(usage.as_dict()) >= {"calls", "cache_hits", "input_tokens", "output_tokens", "cost_usd", "retries",
                                    "rate_limited", "output_failures", "priced"}  # fmt: skip


def test_budget_stops_paid_calls_across_clients_and_cache_hits_still_pass(tmp_path):
    budget = Budget(max_cost_usd=3.0)
    with serve(lambda body: Reply("fine")) as server, ResponseCache(tmp_path / "cache.sqlite") as cache:
        # 10 prompt tokens at $100,000 per million: $1 a call
        cfg = config(server.url, price_input_per_mtok=100_000.0, price_output_per_mtok=0.0)
        first, second = (open_client(n, cfg, cache=cache, budget=budget) for n in ("a", "b"))
        ask = [[{"role": "user", "content": f"q{i}"}] for i in range(4)]
        asyncio.run(first.chat(ask[0]))
        asyncio.run(second.chat(ask[1]))
        asyncio.run(first.chat(ask[2]))
        assert budget.spent_usd == pytest.approx(3.0)
        with pytest.raises(BudgetExceeded, match=r"budget spent \(\$3.0000 of max_cost_usd \$3.0000\)"):
            asyncio.run(second.chat(ask[3]))
        assert len(server.requests) == 3  # the refused call never left
        for messages in ask[:3]:  # a resumed build: done work comes from the cache, free
            assert asyncio.run(second.chat(messages)).text == "fine"
        assert len(server.requests) == 3 and second.usage.cache_hits == 3 and second.usage.failures == 0
        bigger = Budget(max_cost_usd=4.0, spent_usd=budget.spent_usd)  # the resumed build with more money
        assert asyncio.run(open_client("a", cfg, cache=cache, budget=bigger).chat(ask[3])).text == "fine"
