"""Helpers to point discord.py at a double and run a client against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, TypeVar

import discord
import yarl

if TYPE_CHECKING:
    from .double import DiscordDouble

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def pointed_at(double: DiscordDouble) -> Iterator[None]:
    """Make every discord.py client in this process talk to ``double`` (restored afterwards)."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = double.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running(
    client: ClientT,
    double: DiscordDouble,
    *,
    ready_within: float = 10.0,
    until_ready: bool = True,
    skip_identify_delay: bool = True,
) -> AsyncIterator[ClientT]:
    """Start ``client`` with the double's token; yield once connected (and on_ready, by default); close.

    If the client fails to start (bad token, disallowed intents, ...), its exception is raised here
    instead of a timeout. Pass ``guild_ready_timeout=0.05`` to the client: discord.py otherwise waits
    two seconds after the last GUILD_CREATE before on_ready. ``skip_identify_delay`` drops the 5 s
    sleep discord.py's default ``before_identify_hook`` takes before every re-IDENTIFY (it respects
    Discord's identify rate limit, which the double does not have); a hook the client overrides is kept.
    """
    if skip_identify_delay and type(client).before_identify_hook is discord.Client.before_identify_hook:
        client.before_identify_hook = _no_identify_delay  # type: ignore[method-assign]
    task = asyncio.create_task(client.start(double.token), name="double-client")
    try:
        ready = asyncio.create_task(_ready(client, double, ready_within, until_ready))
        done, _ = await asyncio.wait({task, ready}, timeout=ready_within + 1, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises the client's error
            raise RuntimeError("the client stopped before it was ready")
        if ready not in done:
            ready.cancel()
            raise TimeoutError(f"client not ready within {ready_within} s")
        ready.result()
        yield client
    finally:
        await client.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


async def _ready(client: discord.Client, double: DiscordDouble, within: float, until_ready: bool) -> None:
    await double.wait_ready(within)
    if until_ready:
        await asyncio.wait_for(client.wait_until_ready(), within)


async def _no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
    return None
