"""`--engine ray`: shards as Ray tasks on a local Ray instance give the local engine's dataset, resume the same way,
and count a paid provider's calls and budget across the workers."""

from __future__ import annotations

import json
import sys

import pytest

from pipelines.build import main
from pipelines.clients import limits_share
from schemas import ProviderConfig
from tests.openai_server import serve
from tests.pipelines.fast_run import fast_build
from tests.pipelines.test_paid_build import args, faithful

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_same_dataset_as_the_local_engine_and_resumes_one_lost_shard(tmp_path):
    local = fast_build(tmp_path / "local")
    remote = fast_build(tmp_path / "ray", engine="ray")
    assert remote["engine"] == "ray" and local["engine"] == "local"
    assert remote["dataset"]["fingerprints"] == local["dataset"]["fingerprints"]
    assert remote["counts"] == local["counts"]
    assert all(s["shards_computed"] == 3 for s in remote["stages"].values())

    (tmp_path / "ray" / "judge" / remote["stage_keys"]["judge"] / "shard-00001.jsonl").unlink()
    again = fast_build(tmp_path / "ray", engine="ray")
    assert again["stages"]["judge"] == again["stages"]["judge"] | {"shards_computed": 1, "shards_reused": 2}
    assert again["dataset"]["fingerprints"] == local["dataset"]["fingerprints"]


def test_paid_calls_and_cost_are_counted_across_workers(tmp_path):
    with serve(faithful) as server:
        assert main(args(server.url, tmp_path / "local")) == 0
        local_calls = len(server.requests)
        assert main([*args(server.url, tmp_path / "ray"), "--engine", "ray"]) == 0
        ray_calls = len(server.requests) - local_calls
    local = json.loads((tmp_path / "local" / "manifest.json").read_text())
    remote = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert remote["providers"]["local"]["calls"] == ray_calls == local_calls > 0
    assert remote["cost_usd"] == pytest.approx(local["cost_usd"]) and remote["cost_usd"] > 0
    assert remote["dataset"]["fingerprints"] == local["dataset"]["fingerprints"]


def test_the_budget_holds_across_workers(tmp_path, capsys):
    with serve(faithful) as server:
        assert main([*args(server.url, tmp_path / "run", budget=0.5), "--engine", "ray"]) == 3
        assert "max_cost_usd" in capsys.readouterr().err
        assert len(list((tmp_path / "run" / "generate").glob("*/shard-*.jsonl"))) < 3
        assert main([*args(server.url, tmp_path / "run", budget=1000.0), "--engine", "ray"]) == 0
    assert len(list((tmp_path / "run" / "generate").glob("*/shard-*.jsonl"))) == 3


def test_a_batch_provider_is_refused_under_ray(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    batch = 'providers.b={kind="openai", model="gpt-4.1-mini", execution="batch"}'
    code = main(["--config", "configs/tiny.toml", "--out", str(tmp_path / "r"), "--set", batch, "--engine", "ray"])
    assert code == 2 and "execution = 'batch'" in capsys.readouterr().err


def test_each_worker_gets_its_share_of_the_limits():
    p = ProviderConfig(kind="openai", model="gpt-4.1-mini", max_concurrency=16, requests_per_minute=500)
    part = limits_share(p, 4)
    assert (part.max_concurrency, part.requests_per_minute, part.tokens_per_minute) == (4, 125, None)
    assert limits_share(p, 64).max_concurrency == 1 and limits_share(p, 1) is p


def test_without_ray_installed_the_engine_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    code = main(["--config", "configs/tiny.toml", "--out", str(tmp_path / "r"), "--engine", "ray", "--quiet"])
    assert code == 2 and "memdistill[ray]" in capsys.readouterr().err
