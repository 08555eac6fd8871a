"""End to end: the real Kohtaamo bot and discord.py client against the local Discord double."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.app import Kohtaamo
from bot.clock import FakeClock
from bot.services.setup import BotChannel, BotRole, SetupChange
from bot.settings import Settings
from tests.double import DiscordDouble, permissions
from tests.double.harness import pointed_at, running

DATA_KEY = Fernet.generate_key().decode()


@dataclass
class World:
    guild: int
    roles: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as d:
        with pointed_at(d):
            yield d
        assert d.internal_errors == []


@pytest.fixture
def world(double: DiscordDouble) -> World:
    d = double
    g = d.add_guild("Jyväskylä")
    w = World(g)
    for key, perms in (("caregiver", 0), ("youth_minor", 0), ("youth_adult", 0), ("volunteer", 0),
                       ("moderator", permissions.MODERATE_MEMBERS | permissions.MANAGE_MESSAGES), ("staff", 0),
                       ("admin", permissions.MANAGE_GUILD)):
        w.roles[key] = d.add_role(g, key.replace("_", " ").title(), perms, mentionable=True)
    for key in ("modlog", "volunteer_queue", "announcements", "welcome", "lounge"):
        w.channels[key] = d.add_channel(g, key.replace("_", "-"))
    people = {
        "admin": ("Admin", "admin"), "moderator": ("Maija", "moderator"), "staff": ("Sanna", "staff"),
        "volunteer": ("Ville", "volunteer"), "volunteer2": ("Veera", "volunteer"),
        "caregiver": ("Aino Omaishoitaja", "caregiver"), "youth": ("Eetu", "youth_minor"),
        "adult": ("Iida", "youth_adult"), "plain": ("Pekka", None),
    }
    for key, (name, role) in people.items():
        roles = [w.roles[role]] if role else []
        w.people[key] = d.add_member(
            g, username=f"{key}_user", global_name=name, nick=f"{name} nick", roles=roles
        )
    return w


def settings_for(double: DiscordDouble, path: Path) -> Settings:
    return Settings.from_mapping({
        "DISCORD_TOKEN": double.token, "DATABASE_PATH": str(path), "DISCORD_API_BASE": double.api_base,
        "DISCORD_GATEWAY_URL": double.gateway_url, "DATA_KEY": DATA_KEY,
    })


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kohtaamo.db"


@contextlib.asynccontextmanager
async def start_bot(double: DiscordDouble, db_path: Path, clock: FakeClock) -> AsyncIterator[Kohtaamo]:
    """A fresh bot process on ``db_path``: timers off, the fake clock drives the scheduler."""
    bot = Kohtaamo(settings_for(double, db_path), clock=clock, timers=False, guild_ready_timeout=0.05)
    async with running(bot, double):
        await bot.sync_commands()
        yield bot


@pytest.fixture
async def bot(double: DiscordDouble, world: World, db_path: Path, clock: FakeClock) -> AsyncIterator[Kohtaamo]:
    async with start_bot(double, db_path, clock) as running_bot:
        yield running_bot


async def configure(bot: Kohtaamo, world: World) -> None:
    """Set the server up directly (the /setup command has its own tests)."""
    assert bot.services is not None
    setup = bot.services.setup
    change = SetupChange(
        roles={BotRole(k): v for k, v in world.roles.items() if k in BotRole.__members__.values()},
        channels={BotChannel.MODLOG: world.channels["modlog"], BotChannel.VOLUNTEER_QUEUE: world.channels["volunteer_queue"],
                  BotChannel.ANNOUNCEMENTS: world.channels["announcements"], BotChannel.WELCOME: world.channels["welcome"]},
    )
    await setup.save(setup.preview(await setup.get(world.guild), change))
