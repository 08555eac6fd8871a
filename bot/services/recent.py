"""Answers worth keeping a short while (is this channel a room? a server's settings): kept for a
time, and shared by the callers that ask while the look-up is on its way, so a burst of messages
costs one query, not one each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Answers kept for ``ttl`` seconds of ``monotonic``; callers that ask while a look-up is on
    its way wait for that one instead of each making their own (a burst costs one query)."""

    def __init__(self, ask: Callable[[K], Awaitable[V]], ttl: timedelta, monotonic: Callable[[], float]) -> None:
        self.ask = ask
        self.ttl = ttl.total_seconds()
        self.monotonic = monotonic
        self._known: dict[K, tuple[asyncio.Future[V], float]] = {}

    async def get(self, key: K) -> V:
        known = self._known.get(key)
        now = self.monotonic()
        if known is None or now - known[1] > self.ttl:
            known = (asyncio.ensure_future(self._ask(key)), now)
            self._known[key] = known
        return await known[0]

    async def _ask(self, key: K) -> V:
        try:
            return await self.ask(key)
        except Exception:
            self._known.pop(key, None)  # the next caller asks again
            raise
