"""The admission gate of heavy requests (serving/admission.py), on a real event loop."""

from __future__ import annotations

import asyncio

import pytest

from serving.admission import Busy, Gate


async def _hold(gate: Gate, name: str, log: list[str], release: asyncio.Event) -> None:
    async with gate.slot():
        log.append(name)
        await release.wait()


def test_one_slot_serves_in_arrival_order_and_refuses_past_the_queue():
    async def scenario() -> tuple[list[str], list[str]]:
        gate = Gate(slots=1, max_waiting=2)
        log: list[str] = []
        release = asyncio.Event()
        tasks = []
        for name in ("a", "b", "c"):
            tasks.append(asyncio.create_task(_hold(gate, name, log, release)))
            await asyncio.sleep(0)  # each request arrives before the next
        await asyncio.sleep(0)
        assert (gate.running, gate.waiting) == (1, 2)
        refused = []
        try:
            async with gate.slot():
                pass
        except Busy as busy:
            refused.append(f"refused with {busy.waiting} waiting")
        release.set()
        await asyncio.gather(*tasks)
        assert (gate.running, gate.waiting) == (0, 0)
        return log, refused

    log, refused = asyncio.run(scenario())
    assert log == ["a", "b", "c"]
    assert refused == ["refused with 2 waiting"]


def test_a_request_cancelled_while_waiting_leaves_the_queue():
    async def scenario() -> list[str]:
        gate = Gate(slots=1, max_waiting=1)
        log: list[str] = []
        release = asyncio.Event()
        first = asyncio.create_task(_hold(gate, "first", log, release))
        await asyncio.sleep(0)
        gone = asyncio.create_task(_hold(gate, "gone", log, release))
        await asyncio.sleep(0)
        assert gate.waiting == 1
        gone.cancel()  # its client went away
        await asyncio.gather(gone, return_exceptions=True)
        assert gate.waiting == 0
        late = asyncio.create_task(_hold(gate, "late", log, release))  # not refused: the queue has room again
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(first, late)
        return log

    assert asyncio.run(scenario()) == ["first", "late"]


def test_slots_run_together_and_no_queue_refuses_at_once():
    async def scenario() -> tuple[int, bool]:
        gate = Gate(slots=2, max_waiting=0)
        log: list[str] = []
        release = asyncio.Event()
        tasks = [asyncio.create_task(_hold(gate, n, log, release)) for n in ("a", "b")]
        await asyncio.sleep(0)
        running = gate.running
        try:
            async with gate.slot():
                refused = False
        except Busy:
            refused = True
        release.set()
        await asyncio.gather(*tasks)
        return running, refused

    assert asyncio.run(scenario()) == (2, True)


@pytest.mark.parametrize(("slots", "waiting"), [(0, 4), (1, -1)])
def test_a_gate_needs_a_slot_and_a_queue_of_zero_or_more(slots, waiting):
    with pytest.raises(ValueError, match="slots >= 1 and max_waiting >= 0"):
        Gate(slots, waiting)
