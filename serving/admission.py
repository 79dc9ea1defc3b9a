"""Admission of heavy requests: a few at once, the others waiting their turn, too many waiting refused.

A case review keeps both cores busy on its own (two pages at a time, each with its authenticity check beside its
reading). Reviews started together share the cores: each takes as long as all of them, and each holds its decoded
pages meanwhile. In turn, the first is answered as soon as it alone would be and memory holds what runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Busy(Exception):
    """Refused: ``waiting`` requests are already waiting their turn."""

    def __init__(self, waiting: int) -> None:
        super().__init__(f"{waiting} requests are waiting")
        self.waiting = waiting


class Gate:
    """At most ``slots`` holders at once; the others wait in the order they came (asyncio's semaphore wakes its
    waiters first come, first served), at most ``max_waiting`` of them: one more is refused (:class:`Busy`)."""

    def __init__(self, slots: int, max_waiting: int) -> None:
        if slots < 1 or max_waiting < 0:
            raise ValueError(f"a gate needs slots >= 1 and max_waiting >= 0, got {slots} and {max_waiting}")
        self.slots, self.max_waiting = slots, max_waiting
        self._free = asyncio.Semaphore(slots)
        self.waiting = 0
        self.running = 0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the block, after waiting for one; :class:`Busy` at once when the queue is full. A request
        cancelled while it waits (its client gone) leaves the queue."""
        if self._free.locked() and self.waiting >= self.max_waiting:
            raise Busy(self.waiting)
        self.waiting += 1
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._free.release()
