"""Moderation as moderators and members take it: /mod commands, the log's cards, DMs."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.double import DiscordDouble, InteractionHandle
from tests.e2e.company_helpers import answer
from tests.e2e.conftest import World
from tests.e2e.onboarding_helpers import text_of


async def mod(double: DiscordDouble, world: World, sub: str, options: dict[str, Any] | None = None,
              who: str = "moderator", *, group: str | None = None, locale: str = "fi",
              channel: str | None = None) -> str:
    """Run ``/mod <sub>`` (``group``: a subgroup such as safety-terms) and return what the user sees."""
    h = await run(double, world, sub, options, who, group=group, locale=locale, channel=channel)
    return await answer(h)


async def run(double: DiscordDouble, world: World, sub: str, options: dict[str, Any] | None = None,
              who: str = "moderator", *, group: str | None = None, locale: str = "fi",
              channel: str | None = None) -> InteractionHandle:
    return await double.slash(world.guild, world.people[who], "mod", options, sub=sub, sub_group=group, locale=locale,
                              channel_id=world.channels[channel] if channel else None)


def cards(double: DiscordDouble, world: World) -> list[dict[str, Any]]:
    return [m for m in double.messages(world.channels["modlog"]) if m.get("embeds")]


def last_card(double: DiscordDouble, world: World) -> str:
    found = cards(double, world)
    assert found, "no card in the moderation log"
    return text_of(found[-1])


async def response_embed(h: InteractionHandle) -> dict[str, Any]:
    """The first embed the user sees (a response, or the follow-up after a defer)."""
    body = await h.response()
    data = body.get("data") or {}
    if body["type"] == 5:
        data = await h.wait_followup()
    embeds = data.get("embeds") or []
    assert embeds, data
    return embeds[0]


async def settle(double: DiscordDouble, predicate: Any, within: float = 5.0) -> None:
    for _ in range(int(within / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")
