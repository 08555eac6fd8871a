"""The command line: ``kohtaamo [run|sync|migrate|backup PATH|check|rotate-key]``."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot.app import Kohtaamo, point_at
from bot.db.connection import Database
from bot.db.crypto import key_file
from bot.db.migrate import available, current_version, migrate
from bot.db.rotation import rotate_key
from bot.db.sealed import key_status
from bot.errors import ConfigError
from bot.settings import Settings

log = logging.getLogger("kohtaamo")

INTENTS_HELP = (
    "privileged intents are not enabled for this bot: in the Discord Developer Portal open your "
    "application → Bot → Privileged Gateway Intents and switch on SERVER MEMBERS INTENT and "
    "MESSAGE CONTENT INTENT"
)
TOKEN_HELP = (
    "Discord rejected DISCORD_TOKEN: copy a fresh token from the Developer Portal (application → Bot → "
    "Reset Token) into .env"
)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # Kohtaamo has no voice
    # discord.py logs request bodies at DEBUG, and those may hold members' words.
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))


async def _run(settings: Settings) -> None:
    token = settings.require_token()
    point_at(settings)
    async with Kohtaamo(settings) as bot:
        # A service manager stops the bot with SIGTERM: close cleanly (jobs stay in the database).
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
        await bot.start(token)


async def _sync(settings: Settings) -> None:
    token = settings.require_token()
    point_at(settings)
    async with Kohtaamo(settings, jobs=False) as bot:
        await bot.login(token)
        count = await bot.sync_commands()
        where = f"server {settings.dev_guild_id}" if settings.dev_guild_id else "all servers (global)"
        print(f"registered {count} commands for {where}")


async def _migrate(settings: Settings) -> None:
    db = await Database.open(settings.database_path)
    try:
        applied = await migrate(db)
        print(f"database {settings.database_path} is at version {await current_version(db)}"
              + (f" (applied {', '.join(map(str, applied))})" if applied else " (nothing to do)"))
    finally:
        await db.close()


async def _backup(settings: Settings, target: Path) -> None:
    _check_backup_paths(settings.database_path, target)
    db = await Database.open(settings.database_path)
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(f"backed up {settings.database_path} to {target}")
    if not settings.data_key:
        print(f"keep a copy of {key_file(settings.database_path)} with it: without that key the sensitive values "
              "cannot be read")


def _check_backup_paths(source: Path, target: Path) -> None:
    if not source.exists():
        raise ConfigError(f"there is no database at {source} to back up")
    if target.exists():
        raise ConfigError(f"{target} already exists; choose a new file name")


async def _check(settings: Settings) -> None:
    problems = []
    if not settings.discord_token:
        problems.append("DISCORD_TOKEN is not set")
    db = await Database.open(settings.database_path)
    try:
        version, latest = await current_version(db), len(available())
        key = await key_status(db, settings.data_key, settings.database_path)
    finally:
        await db.close()
    if key.problem:
        problems.append(key.line)
    if version > latest:
        problems.append(f"database version {version} is newer than this code ({latest})")
    elif version < latest:
        problems.append(f"database is at version {version}; run `kohtaamo migrate` (or just start the bot) for {latest}")
    print(f"settings: locale {settings.default_locale}, time zone {settings.timezone}, database {settings.database_path}")
    if not key.problem:
        print(key.line)
    for line in problems:
        print(f"problem: {line}")
    if problems:
        raise SystemExit(1)
    print("everything looks right")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kohtaamo", description="Kohtaamo, a Discord bot for peer support.")
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("sync", help="register the slash commands (globally, or on DEV_GUILD_ID) and exit")
    sub.add_parser("migrate", help="bring the database up to date and exit")
    backup = sub.add_parser("backup", help="copy the database, safely even while the bot runs")
    backup.add_argument("path", type=Path)
    sub.add_parser("check", help="check the settings and the database, print what is wrong")
    rotate = sub.add_parser("rotate-key", help="re-seal every sensitive value under a new key (stop the bot first)")
    rotate.add_argument("--new-key", help="the new key (44 characters of url-safe base64); default: a new one is made")
    args = parser.parse_args(argv)

    actions: dict[str, Callable[[Settings], Coroutine[Any, Any, None]]] = {
        "run": _run,
        "sync": _sync,
        "migrate": _migrate,
        "check": _check,
        "backup": lambda s: _backup(s, args.path),
        "rotate-key": lambda s: rotate_key(s.data_key, s.database_path, args.new_key, functools.partial(print, flush=True)),
    }
    try:
        settings = Settings.load(env_file=args.env_file)
        configure_logging(settings.log_level)
        asyncio.run(actions[args.command or "run"](settings))
    except ConfigError as exc:
        print(f"kohtaamo: error: {exc}", file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print(f"kohtaamo: error: {TOKEN_HELP}", file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(f"kohtaamo: error: {INTENTS_HELP}", file=sys.stderr)
        return 2
    except (aiohttp.ClientConnectionError, OSError) as exc:
        print(f"kohtaamo: error: cannot reach Discord ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
