"""Self-tests of the double's "Interested" on scheduled events, with the real discord.py client."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import discord
import pytest

from tests.double import DiscordDouble
from tests.double.harness import pointed_at, running
from tests.double.scheduled_event_users import press_interested, subscribers


class Client(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default() | discord.Intents(members=True), guild_ready_timeout=0.05)
        self.seen: list[tuple[str, int, int]] = []

    async def on_scheduled_event_user_add(self, event: discord.ScheduledEvent, user: discord.User) -> None:
        self.seen.append(("add", event.id, user.id))

    async def on_scheduled_event_user_remove(self, event: discord.ScheduledEvent, user: discord.User) -> None:
        self.seen.append(("remove", event.id, user.id))


async def until(predicate: Any) -> None:
    for _ in range(200):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_interested_reaches_discord_py_and_counts():
    async with DiscordDouble() as d:
        with pointed_at(d):
            guild_id = d.add_guild("G")
            member = d.add_member(guild_id, username="aino")
            client = Client()
            async with running(client, d):
                guild = client.get_guild(guild_id)
                assert guild is not None
                event = await guild.create_scheduled_event(
                    name="Ilta", start_time=discord.utils.utcnow() + timedelta(days=1),
                    end_time=discord.utils.utcnow() + timedelta(days=1, hours=2),
                    entity_type=discord.EntityType.external, location="Kahvila",
                    privacy_level=discord.PrivacyLevel.guild_only,
                )
                await until(lambda: guild.get_scheduled_event(event.id) is not None)
                await press_interested(d, event.id, member)
                await press_interested(d, event.id, member)  # twice: nothing more
                await until(lambda: client.seen == [("add", event.id, member)])
                assert d.world.scheduled_events[event.id]["user_count"] == 1
                assert subscribers(d, event.id) == {member}
                await press_interested(d, event.id, member, interested=False)
                await until(lambda: client.seen[-1] == ("remove", event.id, member))
                assert d.world.scheduled_events[event.id]["user_count"] == 0
                with pytest.raises(LookupError):
                    await press_interested(d, 12345, member)
