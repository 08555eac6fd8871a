"""``Recent``: answers kept a minute, one look-up for a burst, a failed one asked again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services.recent import Recent


class Monotonic:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


async def test_a_burst_of_messages_shares_one_look_up_and_a_failed_one_is_asked_again():
    asked: list[int] = []
    gate = asyncio.Event()

    async def ask(key: int) -> str:
        asked.append(key)
        await gate.wait()
        if len(asked) == 1:
            raise OSError("the database was busy")
        return f"room {key}"

    clock = Monotonic()
    recent = Recent(ask, timedelta(seconds=60), clock)
    burst = [asyncio.ensure_future(recent.get(7)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*burst, return_exceptions=True)
    assert asked == [7] and all(isinstance(r, OSError) for r in results)
    assert await recent.get(7) == "room 7" and asked == [7, 7]  # asked again after the failure
    clock.now += 59
    assert await recent.get(7) == "room 7" and len(asked) == 2
    clock.now += 2
    assert await recent.get(7) == "room 7" and len(asked) == 3  # a minute on, asked again
