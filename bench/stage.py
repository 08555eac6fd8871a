"""The stage every benchmark stands on: its own Discord double on 127.0.0.1 with one server, a
temp SQLite file and a fake clock; helpers to run Kohtaamo or a bare bot on it, one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.app import Kohtaamo
from bot.clock import FakeClock
from bot.services.volunteer import Audience
from tests.double import DiscordDouble, permissions
from tests.double.harness import pointed_at, running
from tests.e2e.company_helpers import ask
from tests.e2e.conftest import World, configure, start_bot

ROLES = {"caregiver": 0, "youth_minor": 0, "youth_adult": 0, "volunteer": 0,
         "moderator": permissions.MODERATE_MEMBERS | permissions.MANAGE_MESSAGES, "staff": 0,
         "admin": permissions.MANAGE_GUILD}
CHANNELS = ("modlog", "volunteer_queue", "announcements", "welcome", "lounge")


@dataclass
class Stage:
    double: DiscordDouble
    world: World
    db_path: Path
    clock: FakeClock

    def add_people(self, prefix: str, count: int, role: str) -> list[int]:
        """``count`` members holding ``role``, also listed in ``world.people`` as ``prefix0``, ``prefix1``…"""
        ids = []
        for i in range(count):
            uid = self.double.add_member(self.world.guild, username=f"{prefix}{i}", global_name=f"{prefix.title()} {i}",
                                         roles=[self.world.roles[role]])
            self.world.people[f"{prefix}{i}"] = uid
            ids.append(uid)
        return ids


@contextlib.asynccontextmanager
async def stage() -> AsyncIterator[Stage]:
    """A fresh double with a server laid out as in the e2e tests (roles, channels, an admin)."""
    with tempfile.TemporaryDirectory(prefix="kohtaamo-bench-") as tmp:
        async with DiscordDouble() as double:
            with pointed_at(double):
                guild = double.add_guild("Jyväskylä")
                world = World(guild)
                for key, perms in ROLES.items():
                    world.roles[key] = double.add_role(guild, key.replace("_", " ").title(), perms)
                for key in CHANNELS:
                    world.channels[key] = double.add_channel(guild, key.replace("_", "-"))
                world.people["admin"] = double.add_member(guild, username="admin", global_name="Admin",
                                                          roles=[world.roles["admin"]])
                yield Stage(double, world, Path(tmp) / "kohtaamo.db", FakeClock())
            if double.internal_errors:
                raise RuntimeError(f"the double reported internal errors: {double.internal_errors[:3]}")


@contextlib.asynccontextmanager
async def kohtaamo(st: Stage, *, configured: bool = True) -> AsyncIterator[Kohtaamo]:
    """The real bot on the stage's database (timers off, fake clock), commands synced."""
    async with start_bot(st.double, st.db_path, st.clock) as bot:
        if configured:
            await configure(bot, st.world)
        yield bot


@contextlib.asynccontextmanager
async def bare(client: commands.Bot, st: Stage) -> AsyncIterator[commands.Bot]:
    async with running(client, st.double):
        await client.tree.sync()
        yield client


async def enlist(bot: Kohtaamo, st: Stage, ids: list[int]) -> None:
    """Volunteers added through the service: all on duty, Finnish, serving caregivers."""
    assert bot.services is not None
    for i, uid in enumerate(ids):
        await bot.services.volunteers.add(st.world.guild, uid, display_name=f"Vapaaehtoinen {i}", languages={"fi"},
                                          audiences={Audience.CAREGIVER}, minors_cleared=False)
        await bot.services.volunteers.on_duty(st.world.guild, uid)


async def queue_card(st: Stage, asker: str) -> dict[str, Any]:
    """``asker`` asks for company through the real flow (``/company request``, then the form);
    the queue card Kohtaamo posted for it."""
    double, queue = st.double, st.world.channels["volunteer_queue"]
    before = len(double.calls)
    said = await ask(double, st.world, asker)
    posted = double.log.matching("POST", rf"/channels/{queue}/messages", after=before)
    if len(posted) != 1:
        raise RuntimeError(f"{asker} asked and got {said!r}, but {len(posted)} queue cards were posted")
    return dict(posted[0].response)


def bare_options() -> dict[str, object]:
    """What a plain bot is built with: the same intents and mention policy as Kohtaamo."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return {"command_prefix": commands.when_mentioned, "intents": intents, "help_command": None,
            "allowed_mentions": discord.AllowedMentions.none(), "guild_ready_timeout": 0.05}


def abba(blocks: int) -> Iterator[tuple[int, str]]:
    """(block, bot) in the order bare, kohtaamo, kohtaamo, bare, bare, kohtaamo, …

    Both bots cannot share the double's gateway at once (the newest session gets the events), so
    they take turns. Alternating in short blocks, and mirroring the order every other block, spreads
    slow drift (a growing call log, a warming process, the OS) evenly over both bots instead of
    charging it all to whichever ran second."""
    for block in range(blocks):
        pair = ("bare", "kohtaamo") if block % 2 == 0 else ("kohtaamo", "bare")
        for who in pair:
            yield block, who


def settle() -> None:
    """Call right before a measured phase. Collects garbage now and freezes what survives (the
    double's growing world and call log, the bot just started), so a full collection triggered by
    start-up allocations does not land as a 50–100 ms pause inside one bot's block; with every
    in-flight request stalled at once it would decide the p99 on its own. Garbage made during the
    block is still collected as usual, for both bots alike."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` blocks as evenly as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def pool(count: int, in_flight: int, one: Callable[[int], Awaitable[None]]) -> None:
    """Run ``one(i)`` for i in range(count), at most ``in_flight`` at a time."""
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < count:
            i, next_index = next_index, next_index + 1
            await one(i)

    async with asyncio.TaskGroup() as tg:
        for _ in range(min(in_flight, count)):
            tg.create_task(worker())
