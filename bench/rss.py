"""``rss``: how much memory Kohtaamo holds once it is up (every cog loaded: company, rooms,
onboarding, …; the database open and migrated; the scheduler running), against a bare discord.py
bot with the same intents on the same double and server. Each bot runs in its own process, so the
figure is that process's resident set (``VmRSS`` after start-up and a garbage collection), not a
share of the benchmark's own. Target: ratio ≤ 1.3."""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import tempfile
from pathlib import Path

NAME = "rss"
TARGET = 1.3


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def _child(kind: str) -> None:
    """Runs in the measured process: start one bot against the double named in the environment,
    wait until it is ready, print its RSS, stop."""
    import discord  # noqa: PLC0415 - the bare process must import nothing of Kohtaamo's
    import yarl  # noqa: PLC0415
    from discord.ext import commands  # noqa: PLC0415

    env = os.environ
    client: commands.Bot
    if kind == "bare":
        discord.http.Route.BASE = env["DISCORD_API_BASE"]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(env["DISCORD_GATEWAY_URL"])
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        client = commands.Bot(command_prefix=commands.when_mentioned, intents=intents, help_command=None,
                              allowed_mentions=discord.AllowedMentions.none(), guild_ready_timeout=0.05)
    else:
        from bot.app import Kohtaamo, point_at  # noqa: PLC0415
        from bot.settings import Settings  # noqa: PLC0415

        settings = Settings.from_mapping(env)
        point_at(settings)
        client = Kohtaamo(settings, guild_ready_timeout=0.05)
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    client.add_listener(on_ready)
    task = asyncio.create_task(client.start(env["DISCORD_TOKEN"]))
    try:
        await asyncio.wait_for(ready.wait(), 30)
        await asyncio.sleep(0.5)  # the start-up's last events and tasks
        gc.collect()
        print(f"{rss_mib():.1f}", flush=True)
    finally:
        await client.close()
        await asyncio.wait([task], timeout=5)


async def _measure(kind: str, env: dict[str, str]) -> float:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.rss", kind, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    lines = out.decode().split()
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"the {kind} bot's process failed ({process.returncode})")
    return float(lines[-1])


async def run(smoke: bool) -> tuple[list[str], bool]:
    from bench.stage import stage  # noqa: PLC0415 - the child processes never import the double
    from tests.e2e.conftest import DATA_KEY  # noqa: PLC0415

    rounds = 1 if smoke else 3
    figures: dict[str, list[float]] = {"bare": [], "kohtaamo": []}
    async with stage() as st:
        st.add_people("member", 20 if smoke else 200, "caregiver")  # both bots cache the same server
        with tempfile.TemporaryDirectory(prefix="kohtaamo-rss-") as tmp:
            env = {**os.environ, "DISCORD_TOKEN": st.double.token, "DISCORD_API_BASE": st.double.api_base,
                   "DISCORD_GATEWAY_URL": st.double.gateway_url, "DATA_KEY": DATA_KEY,
                   "DATABASE_PATH": str(Path(tmp) / "kohtaamo.db")}
            for _ in range(rounds):
                for kind in ("bare", "kohtaamo"):
                    figures[kind].append(await _measure(kind, env))
    bare, ours = statistics.median(figures["bare"]), statistics.median(figures["kohtaamo"])
    ratio = ours / bare
    line = (f"{NAME:<12} {'kohtaamo':<9} {ours:>6.1f} MiB  bare {bare:.1f} MiB  ×{ratio:.2f}  "
            f"(target ≤ {TARGET}; median of {rounds})")
    return [line], True


if __name__ == "__main__":
    asyncio.run(_child(sys.argv[1]))
