"""Relaying text between two people: made safe to show on the other side (no pings, no masked
links, no markdown tricks, within Discord's 2000-character limit), and kept in order."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Hashable

import discord

log = logging.getLogger(__name__)
LIMIT = 2000
_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")


def neutralise(text: str) -> str:
    """Mentions become inert text and markdown (masked links included) is shown as typed."""
    text = discord.utils.escape_markdown(text, ignore_links=False)
    text = _MENTION.sub(lambda m: f"<{m.group(1)}\u200b{m.group(2)}>", text)
    return discord.utils.escape_mentions(text)


def chunks(prefix: str, text: str, limit: int = LIMIT) -> list[str]:
    """``prefix`` + ``text`` split into messages of at most ``limit`` characters, preferring
    to break at whitespace, never inside an escape sequence."""
    room = limit - len(prefix)
    parts, rest = [], text
    while rest:
        if len(rest) <= room:
            parts.append(rest)
            break
        cut = rest.rfind(" ", room // 2, room)
        if cut <= 0:
            cut = room
        while cut > 1 and rest[cut - 1] == "\\":  # do not split "\*" from its star
            cut -= 1
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip(" ")
    return [prefix + part for part in parts] or [prefix]


class Lanes:
    """Work in arrival order per key (one conversation side): each piece starts when the one
    before it has finished, however long Discord's rate limits hold that one up. ``run`` must
    be called in arrival order (synchronously at the start of the event handler)."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task[None]] = {}

    def run(self, key: Hashable, work: Callable[[], Awaitable[object]]) -> asyncio.Task[None]:
        previous = self._tails.get(key)

        async def in_turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])  # its failure was logged there; it does not stop this one
            try:
                await work()
            except Exception:
                log.exception("relay work for %s failed", key)

        task = asyncio.get_running_loop().create_task(in_turn())
        self._tails[key] = task
        task.add_done_callback(lambda done: self._tails.pop(key) if self._tails.get(key) is done else None)
        return task
