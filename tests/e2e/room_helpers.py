"""Steps of /room as a moderator takes them, and what members can do in a room (by the double's
permission computation)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.db.jobs import Job
from tests.double import DiscordDouble, permissions
from tests.e2e.company_helpers import answer
from tests.e2e.conftest import World

READ = permissions.VIEW_CHANNEL | permissions.READ_MESSAGE_HISTORY
WRITE = permissions.SEND_MESSAGES


async def room(double: DiscordDouble, world: World, sub: str, options: dict[str, Any] | None = None,
               who: str = "moderator", locale: str = "fi") -> str:
    """Run ``/room <sub>`` and return the text the moderator finally sees."""
    return await answer(await double.slash(world.guild, world.people[who], "room", options, sub=sub, locale=locale))


async def listing(double: DiscordDouble, world: World, who: str = "moderator", locale: str = "fi") -> str:
    """What /room list shows (an ephemeral embed), as text."""
    h = await double.slash(world.guild, world.people[who], "room", sub="list", locale=locale)
    body = await h.response()
    assert h.ephemeral
    embeds = body["data"].get("embeds") or []
    return "\n".join(e.get("description") or "" for e in embeds) or str(body["data"].get("content") or "")


async def create(double: DiscordDouble, world: World, name: str = "kahvila", audience: str = "caregivers",
                 **options: Any) -> str:
    return await room(double, world, "create", {"name": name, "audience": audience, **options})


def made_channels(double: DiscordDouble, world: World, kind: int = 0) -> list[dict[str, Any]]:
    """The channels (type ``kind``; 4 = category) the bot's POSTs created, in order, that still exist."""
    posts = [c for c in double.calls_to("POST", rf"/guilds/{world.guild}/channels") if c.status == 200]
    return [double.channel(int(c.response["id"])) for c in posts
            if c.response["type"] == kind and int(c.response["id"]) in double.world.channels]


def room_channel(double: DiscordDouble, world: World) -> int:
    """The newest room channel that still exists."""
    return int(made_channels(double, world)[-1]["id"])


def perms(double: DiscordDouble, channel_id: int, world: World, who: str) -> int:
    return double.world.channel_permissions(channel_id, world.people[who])


def can_read(double: DiscordDouble, channel_id: int, world: World, who: str) -> bool:
    return perms(double, channel_id, world, who) & READ == READ


def can_write(double: DiscordDouble, channel_id: int, world: World, who: str) -> bool:
    return can_read(double, channel_id, world, who) and bool(perms(double, channel_id, world, who) & WRITE)


def overwrite(payload: dict[str, Any], target: int) -> dict[str, int]:
    """One overwrite of a channel payload the bot sent, as ints."""
    found = next(o for o in payload["permission_overwrites"] if int(o["id"]) == target)
    return {"type": int(found["type"]), "allow": int(found["allow"]), "deny": int(found["deny"])}


async def give_bot(double: DiscordDouble, bot: Any, world: World, add: int = 0, remove: int = 0) -> None:
    """Change the bot's own role's permissions, as a server admin would, and wait until the bot sees it."""
    guild = double.world.guild(world.guild)
    wanted = (int(guild.roles[guild.bot_role_id]["permissions"]) | add) & ~remove
    double.set_role_permissions(world.guild, guild.bot_role_id, wanted)
    await eventually(lambda: bot.get_guild(world.guild).get_role(guild.bot_role_id).permissions.value == wanted)


async def next_job(bot: Any, room_id: int) -> Job | None:
    """The room's scheduled opening or closing, if any."""
    change = await bot.services.rooms.repo.next_change(room_id)
    return None if change is None else await bot.services.scheduler.repo.get_live("room_hours", change)


async def eventually(check: Any, within: float = 5.0) -> None:
    """Wait until ``check()`` (sync or async) is true: for what the bot does on a gateway event."""
    for _ in range(int(within / 0.01)):
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
