"""Steps of /report as staff take it, and waiting for the bot to have counted what members did."""

from __future__ import annotations

from typing import Any

from bot.app import Kohtaamo
from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.conftest import World
from tests.e2e.room_helpers import eventually


async def report(double: DiscordDouble, world: World, who: str = "staff", **options: str) -> InteractionHandle:
    return await double.slash(world.guild, world.people[who], "report", options or None)


async def shown(double: DiscordDouble, h: InteractionHandle) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The deferred answer's follow-up and its files by name."""
    body = await h.response()
    assert body["type"] == 5 and h.ephemeral
    follow = await h.wait_followup()
    sent = [c for c in double.calls if h.token in c.path and c.files]
    return follow, {name: data for name, data, _ in (sent[-1].files if sent else [])}


def embed_text(message: dict[str, Any]) -> str:
    """An embed's title, fields and footer as lines of text."""
    lines = []
    for e in message.get("embeds") or []:
        lines.append(e.get("title") or "")
        for field in e.get("fields") or []:
            lines += [field["name"], field["value"]]
        lines.append((e.get("footer") or {}).get("text", ""))
    return "\n".join(lines)


async def counted(bot: Kohtaamo, metric: str, value: int) -> None:
    """Wait until the bot has counted ``value`` of ``metric`` today (written out by a flush)."""
    assert bot.services is not None
    services = bot.services

    async def check() -> bool:
        await services.impact_counts.flush()
        if metric == "active":
            row = await services.db.fetchone("SELECT COUNT(*) AS n FROM impact_seen")
        else:
            row = await services.db.fetchone("SELECT SUM(value) AS n FROM impact_daily WHERE metric = ?", (metric,))
        return row is not None and (row["n"] or 0) >= value

    await eventually(check)
