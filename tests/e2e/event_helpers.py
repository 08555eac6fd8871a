"""Steps of the events flow as staff and members take them, through the double."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.company_helpers import answer, custom_ids
from tests.e2e.conftest import World

FORM = {"title": "Omaishoitajien ilta", "description": "Kahvia ja juttua.", "start": "12.12.2026 18:00",
        "end": "2 h", "place": "Kahvila Kohtaamo, Kauppakatu 1"}


async def create(double: DiscordDouble, world: World, who: str = "staff", *, options: dict[str, Any] | None = None,
                 locale: str = "fi", **fields: str) -> str:
    """/event create with ``options``, then the form with FORM's values overridden by ``fields``."""
    opened = await double.slash(world.guild, world.people[who], "event", options or None, sub="create",
                                locale=locale, channel_id=world.channels["lounge"])
    body = await opened.response()
    if body["type"] != 9:
        return str((body.get("data") or {}).get("content") or "")
    submitted = await double.submit_modal(world.people[who], body["data"]["custom_id"], {**FORM, **fields},
                                          locale=locale)
    return await answer(submitted)


def cards(double: DiscordDouble, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in double.messages(channel_id)
            if any(c.startswith("k:v1:event:ics:") for c in custom_ids(m))]


def card(double: DiscordDouble, world: World, channel: str = "lounge") -> dict[str, Any]:
    return double.message(int(cards(double, world.channels[channel])[-1]["id"]))


def event_id(message: dict[str, Any]) -> int:
    return int(next(c for c in custom_ids(message) if c.startswith("k:v1:event:ics:")).rsplit(":", 1)[1])


def fields(message: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


async def press(double: DiscordDouble, message: dict[str, Any], action: str, user_id: int, *,
                guild_id: int | None = None, locale: str = "fi") -> InteractionHandle:
    cid = next(c for c in custom_ids(message) if c.startswith(f"k:v1:event:{action}:"))
    return await double.click(int(message["channel_id"]), int(message["id"]), cid, user_id, guild_id=guild_id,
                              locale=locale)


async def rsvp(double: DiscordDouble, world: World, message: dict[str, Any], action: str, who: str) -> str:
    return await answer(await press(double, message, action, world.people[who], guild_id=world.guild))


async def settled(bot: Any) -> None:
    """Every coalesced card edit has been made."""
    await asyncio.sleep(0)
    await bot.events.publisher.cards.flush()
