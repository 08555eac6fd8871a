"""Making a relayed text safe to show on the other side: no pings, no masked links, no
markdown tricks, and within Discord's 2000-character limit."""

from __future__ import annotations

import re

import discord

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
