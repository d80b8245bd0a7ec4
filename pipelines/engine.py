"""Where a stage's shards are computed: in this process (`local`) or as Ray tasks (`ray`).

Both run the same task functions (`pipelines.tasks`) on the same inputs, so they produce the same shards and the
same dataset. Only the build process writes the run folder: an engine hands each shard's records back and
`pipelines.stages.run_stage` writes it atomically, so a killed build resumes the same way under either engine.

Ray (`--engine ray`): every shard not already on disk becomes one task; Ray schedules them over the cluster's CPUs
(`ray.init()` joins the cluster named by `--ray-address` or `RAY_ADDRESS`, else starts a local one). Each worker
process opens its own provider clients on the run's response cache (`<run>/cache.sqlite`, so the run folder must
be on storage every node sees), with its share of every provider's concurrency and rate limits. The budget is one
Ray actor that all workers charge, so `max_cost_usd` holds across the cluster; the usage each task reports is
added to the build's own clients, so the manifest counts the whole run. Batch execution stays with the local
engine (the provider's batch service already does the parallel work).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipelines.clients import open_clients
from providers.batching import BatchPending
from providers.budget import Budget
from providers.client import Client, Usage
from schemas import BuildConfig, Failure

log = logging.getLogger("pipelines.engine")

ENGINES = ("local", "ray")
Task = Callable[..., list[Any]]


class EngineError(RuntimeError):
    """An engine that cannot run this build (Ray missing, a batch provider under Ray); the message says why."""


@dataclass
class Outcome:
    """One shard's result: its records and what was kept aside, or the batch it is still waiting on."""

    records: list[Any] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    pending: BatchPending | None = None


def attempt(task: Task, clients: dict[str, Client], args: tuple[Any, ...]) -> Outcome:
    failed: list[Failure] = []
    try:
        records = task(clients, failed, *args)
    except BatchPending as exc:  # submitted, not back yet: the stage goes on submitting the other shards
        return Outcome(pending=exc)
    return Outcome(records, failed)


@dataclass
class LocalEngine:
    """Shards one after another in this process, with the build's own clients."""

    clients: dict[str, Client]
    name: Literal["local"] = "local"

    def map(self, task: Task, jobs: dict[int, Callable[[], tuple[Any, ...]]]) -> Iterator[tuple[int, Outcome]]:
        for i, args in jobs.items():
            yield i, attempt(task, self.clients, args())

    def close(self) -> None:
        pass


class RayEngine:
    """Shards as Ray tasks; results come back as they finish (the stage writes each under its own index)."""

    name = "ray"

    def __init__(
        self,
        config: BuildConfig,
        run_dir: Path,
        clients: dict[str, Client],
        *,
        address: str | None = None,
        quiet: bool = False,
    ):
        batch = [n for n, p in config.providers.items() if p.execution == "batch"]
        if batch:
            raise EngineError(
                f"--engine ray: provider {batch[0]} uses execution = 'batch'; batch jobs run on the provider's side, "
                "use the local engine"
            )
        try:
            import ray
        except ImportError:
            raise EngineError("--engine ray needs Ray: pip install 'memdistill[ray]'") from None
        self._ray = ray
        self._config, self._run_dir, self._address, self._quiet = config, run_dir, address, quiet
        self.clients = clients
        self._started = False
        self._spec: Any = None

    def _start(self) -> None:
        """Join or start Ray on the first shard there is to compute (a fully reused build never starts it)."""
        ray = self._ray
        if not ray.is_initialized():
            ray.init(address=self._address, include_dashboard=False, log_to_driver=not self._quiet,
                     configure_logging=False)  # fmt: skip
            self._started = True
        tasks = max(1, int(ray.cluster_resources().get("CPU", 1)))
        clients = self.clients
        spent = sum(c.budget.spent_usd for c in clients.values() if c.budget is not None) if clients else 0.0
        budget = _budget_actor(ray).remote(self._config.max_cost_usd, spent) if clients else None
        self._spec = ray.put(WorkerSpec(self._config, str(self._run_dir.resolve()), tasks, budget))
        self._remote = ray.remote(num_cpus=1)(_work)
        self._in_flight = 2 * tasks

    def map(self, task: Task, jobs: dict[int, Callable[[], tuple[Any, ...]]]) -> Iterator[tuple[int, Outcome]]:
        """At most `_in_flight` tasks at a time (two per cluster CPU): a shard's inputs are only read and sent when
        a slot frees, so the driver's memory and the object store hold a bounded number of shards, not a stage."""
        if not jobs:
            return
        if self._spec is None:
            self._start()
        ray = self._ray
        todo = iter(jobs.items())
        index: dict[Any, int] = {}

        def submit() -> None:
            job = next(todo, None)
            if job is not None:
                index[self._remote.remote(self._spec, task, job[1]())] = job[0]

        try:
            for _ in range(self._in_flight):
                submit()
            while index:
                done, _ = ray.wait(list(index), num_returns=1)
                i = index.pop(done[0])
                outcome, usage = ray.get(done[0])
                self._count(usage)
                submit()
                yield i, outcome
        finally:
            for ref in index:  # an error (or a closed generator) stops what has not run yet
                ray.cancel(ref)

    def _count(self, usage: dict[str, Usage]) -> None:
        """Add a task's usage to the build's clients (the budget actor has already been charged)."""
        for name, used in usage.items():
            client = self.clients[name]
            client.usage = client.usage.merge(used)
            if client.budget is not None:
                client.budget.spent_usd += used.cost_usd

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()


Engine = LocalEngine | RayEngine


def open_engine(
    name: str, config: BuildConfig, run_dir: Path, clients: dict[str, Client], *, address: str | None = None,
    quiet: bool = False,
) -> Engine:  # fmt: skip
    if name == "ray":
        return RayEngine(config, run_dir, clients, address=address, quiet=quiet)
    if name != "local":
        raise EngineError(f"--engine: {name!r} is not one of {', '.join(ENGINES)}")
    return LocalEngine(clients)


# --- the worker side ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerSpec:
    """What a Ray worker needs to open the build's clients itself."""

    config: BuildConfig
    run_dir: str
    share: int
    budget: Any  # the budget actor's handle, or None when the build has no providers


class SharedBudget(Budget):
    """A `Budget` whose spend lives in the build's budget actor, so every worker sees what all have spent."""

    def __init__(self, actor: Any, max_cost_usd: float | None):
        super().__init__(max_cost_usd=max_cost_usd)
        self._actor = actor

    def check(self, provider: str) -> None:
        import ray

        self.spent_usd = ray.get(self._actor.spent.remote())
        super().check(provider)

    def add(self, cost_usd: float) -> None:
        if cost_usd:
            self._actor.add.remote(cost_usd)
        self.spent_usd += cost_usd


_WORKER_CLIENTS: dict[tuple[str, str], dict[str, Client]] = {}


def _work(spec: WorkerSpec, task: Task, args: tuple[Any, ...]) -> tuple[Outcome, dict[str, Usage]]:
    """One shard in a Ray worker: the worker's clients (opened once per build), the task, and the usage it cost."""
    key = (spec.run_dir, spec.config.config_hash())
    clients = _WORKER_CLIENTS.get(key)
    if clients is None:
        _quiet_libraries()
        budget = SharedBudget(spec.budget, spec.config.max_cost_usd) if spec.budget is not None else None
        clients = _WORKER_CLIENTS[key] = open_clients(spec.config, Path(spec.run_dir), budget=budget, share=spec.share)
    outcome = attempt(task, clients, args)
    usage = {}
    for name, client in clients.items():
        usage[name], client.usage = client.usage, Usage(priced=client.usage.priced)
    return outcome, usage


def _quiet_libraries() -> None:
    """No model-loading bars from the workers: the build's own bar per stage says where it is."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()


def _budget_actor(ray: Any) -> Any:
    @ray.remote(num_cpus=0)
    class BudgetActor:
        def __init__(self, max_cost_usd: float | None, spent_usd: float):
            self.max_cost_usd = max_cost_usd
            self.spent_usd = spent_usd

        def spent(self) -> float:
            return self.spent_usd

        def add(self, cost_usd: float) -> None:
            self.spent_usd += cost_usd

    return BudgetActor
