"""The fan-out pacer: whatever fixed window Discord counts in, no window sees more than its count."""

from __future__ import annotations

import asyncio
import time

from cogs.checkin_prompts import Pacer


async def test_no_window_of_the_limit_sees_more_than_the_count():
    pacer = Pacer(count=10, window=0.05)
    arrivals: list[float] = []

    async def send(i: int) -> None:
        async with pacer:
            await asyncio.sleep(0.001 * (i % 3))  # the request on its way
            arrivals.append(time.monotonic())
            await asyncio.sleep(0.001)

    started = time.monotonic()
    await asyncio.gather(*(send(i) for i in range(45)))
    took = time.monotonic() - started
    arrivals.sort()
    for i, at in enumerate(arrivals):  # any window that opens at an arrival
        assert sum(1 for a in arrivals[i:] if a < at + 0.05) <= 10
    assert took < 0.05 * 5 * 1.5  # five windows' worth, not one request at a time
