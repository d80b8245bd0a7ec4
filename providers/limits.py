"""Rate and concurrency limits: token buckets for requests/tokens per minute, and an adaptive (AIMD) slot count.

Both work across event loops (a build runs one `asyncio.run` per shard): the bucket holds no loop-bound primitive,
and the slot count starts a new queue in each loop, keeping the limit it has learnt.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """`per_minute` units a minute, in bursts of at most one second's worth (a request larger than that waits for a
    full bucket and then borrows, so the long-run rate holds)."""

    per_minute: float
    clock: Callable[[], float] = time.monotonic
    _level: float | None = field(default=None, repr=False)
    _stamp: float = field(default=0.0, repr=False)

    @property
    def capacity(self) -> float:
        return max(1.0, self.per_minute / 60.0)

    async def take(self, amount: float) -> float:
        """Wait until `amount` may be spent, spend it; return the seconds waited."""
        waited = 0.0
        while True:
            now = self.clock()
            if self._level is None:
                self._level, self._stamp = self.capacity, now
            self._level = min(self.capacity, self._level + (now - self._stamp) * self.per_minute / 60.0)
            self._stamp = now
            need = min(amount, self.capacity)
            if self._level >= need:
                self._level -= amount
                return waited
            pause = (need - self._level) * 60.0 / self.per_minute
            waited += pause
            await asyncio.sleep(pause)


class AdaptiveConcurrency:
    """At most `limit` calls in flight. `limit` starts at `max_limit`, halves on a 429 (at least 1; once per wave:
    calls that started before a cut do not cut again) and grows by one after `grow_after` successes in a row.

    Waiters queue in order and a release hands its slot straight to the next one: O(1) a call, however many wait.
    """

    def __init__(self, max_limit: int, grow_after: int = 16):
        self.max_limit = max_limit
        self.limit = max_limit
        self.grow_after = grow_after
        self.in_flight = 0
        self.epoch = 0
        self.lowest = max_limit
        self._successes = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> int:
        """Take a slot; returns the epoch to hand back to `release`."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop: nothing of the last one is in flight any more
            self._loop, self._waiters, self.in_flight = loop, deque(), 0
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return self.epoch
        waiter = loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # resolved by `_wake`, which counts the slot as taken
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.in_flight -= 1  # handed a slot, but cancelled before using it
                self._wake()
            else:
                self._waiters.remove(waiter)
            raise
        return self.epoch

    def release(self, epoch: int, *, ok: bool, rate_limited: bool = False) -> None:
        self.in_flight -= 1
        if rate_limited:
            self._successes = 0
            if epoch == self.epoch:
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self.epoch += 1
        elif ok:
            self._successes += 1
            if self._successes >= self.grow_after and self.limit < self.max_limit:
                self.limit += 1
                self._successes = 0
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)
