"""Self-tests of the double's opt-in rate limits, against the real discord.py client and raw aiohttp.

Windows are scaled down (``enforce_rate_limits(scale=...)``) so no test sleeps more than ~1 s; times
are only ever asserted from below (the rate-limit floor), never as an upper wall-clock bound.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.double import DiscordDouble
from tests.double.harness import pointed_at, running
from tests.double.ratelimits import (
    DEFAULT_LIMIT,
    LIMITS,
    Limit,
    RateLimiter,
    floor_seconds,
    route_name,
    window_floor,
)
from tests.double.util import bucket_hash

SEND = "POST /channels/{channel_id}/messages"
RATE_LIMITED_BODY_KEYS = {"message", "retry_after", "global"}


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(description="Viive")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("follow-up", ephemeral=True)
            await interaction.edit_original_response(content="done")

    async def setup_hook(self) -> None:
        await self.tree.sync()


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    d = DiscordDouble()
    await d.start()
    with pointed_at(d):
        yield d
    await d.stop()
    assert d.internal_errors == []


@pytest.fixture
def world(double: DiscordDouble) -> dict[str, int]:
    g = double.add_guild("Jyväskylä")
    aino = double.add_member(g, username="aino")
    other = double.add_channel(g, "muu")
    return {"guild": g, "aino": aino, "general": double.system_channel_id(g) or 0, "other": other}


@pytest.fixture
async def bot(double: DiscordDouble, world: dict[str, int]) -> AsyncIterator[Bot]:
    async with running(Bot(), double) as client:
        yield client


@pytest.fixture
async def http(double: DiscordDouble) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=double.base_url,
                                     headers={"Authorization": f"Bot {double.token}"}) as session:
        yield session


async def send(http: aiohttp.ClientSession, channel_id: int, content: str = "x") -> tuple[int, Any, Any]:
    async with http.post(f"/api/v10/channels/{channel_id}/messages", json={"content": content}) as r:
        return r.status, await r.json(), r.headers


# --------------------------------------------------------------------------- the bucket logic
class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def limiter(scale: float = 1.0, **kw: Any) -> tuple[RateLimiter, FakeTime]:
    now = FakeTime()
    rl = RateLimiter(now=now, wall=lambda: 1_700_000_000.0)
    rl.enable(scale, **kw)
    return rl, now


def test_route_names_and_table() -> None:
    name = route_name("put", "/guilds/{guild_id}/members/{user_id:[0-9]+|@me}")
    assert name == "PUT /guilds/{guild_id}/members/{user_id}"
    assert LIMITS[SEND] == Limit(5, 5.0) and (DEFAULT_LIMIT.count, DEFAULT_LIMIT.per) == (50, 1.0)
    assert LIMITS["PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"] == Limit(10, 10.0)


def test_role_bucket_is_per_guild_and_refills_after_its_window() -> None:
    rl, now = limiter(scale=0.1)
    tpl = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
    admit = [rl.admit("PUT", tpl, {"guild_id": "1", "user_id": str(u), "role_id": "9"}, "/x", "Bot t")
             for u in range(10)]
    assert all(a.refused is None for a in admit)
    assert [a.headers["X-RateLimit-Remaining"] for a in admit] == [str(9 - i) for i in range(10)]
    assert admit[0].headers["X-RateLimit-Limit"] == "10" and admit[0].headers["X-RateLimit-Reset-After"] == "1.000"
    over = rl.admit("DELETE", tpl, {"guild_id": "1", "user_id": "1", "role_id": "9"}, "/x", "Bot t")
    assert over.refused is None  # DELETE is its own bucket
    over = rl.admit("PUT", tpl, {"guild_id": "1", "user_id": "1", "role_id": "9"}, "/x", "Bot t")
    assert over.refused == {"message": "You are being rate limited.", "retry_after": 1.0, "global": False}
    assert rl.admit("PUT", tpl, {"guild_id": "2", "user_id": "1", "role_id": "9"}, "/x", "Bot t").refused is None
    now.t += 0.4
    again = rl.admit("PUT", tpl, {"guild_id": "1", "user_id": "1", "role_id": "9"}, "/x", "Bot t")
    assert again.refused is not None and again.refused["retry_after"] == pytest.approx(0.6)
    now.t += 0.6
    assert rl.admit("PUT", tpl, {"guild_id": "1", "user_id": "1", "role_id": "9"}, "/x", "Bot t").refused is None
    assert rl.total_429s == 2 and rl.by_route == {"PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": 2}


def test_global_limit_spans_routes_and_exempts_interaction_endpoints() -> None:
    rl, now = limiter()
    for i in range(50):
        assert rl.admit("GET", "/channels/{channel_id}", {"channel_id": str(i)}, "/c", "Bot t").refused is None
    refused = rl.admit("GET", "/users/@me", {}, "/users/@me", "Bot t")
    assert refused.refused is not None and refused.refused["global"] is True
    assert refused.headers["X-RateLimit-Global"] == "true" and refused.headers["X-RateLimit-Scope"] == "global"
    callback = rl.admit("POST", "/interactions/{interaction_id}/{token:[A-Za-z0-9_.-]+}/callback",
                        {"interaction_id": "5", "token": "tok"}, "/i", None)
    followup = rl.admit("POST", "/webhooks/{application_id}/{token:[A-Za-z0-9_.-]+}",
                        {"application_id": "5", "token": "tok"}, "/w", None)
    assert callback.refused is None and followup.refused is None
    assert rl.admit("GET", "/users/@me", {}, "/users/@me", "Bot other-token").refused is None  # per token
    assert rl.global_429s == 1 and rl.count_429s("GET /users/@me", scope="global") == 1
    now.t += 1.0
    assert rl.admit("GET", "/users/@me", {}, "/users/@me", "Bot t").refused is None


def test_refused_requests_use_up_nothing_and_hashes_are_per_template() -> None:
    rl, now = limiter()
    a = [rl.admit("POST", "/channels/{channel_id}/messages", {"channel_id": "1"}, "/m", "t") for _ in range(8)]
    assert [x.refused is None for x in a] == [True] * 5 + [False] * 3
    b = rl.admit("POST", "/channels/{channel_id}/messages", {"channel_id": "2"}, "/m", "t")
    assert b.headers["X-RateLimit-Bucket"] == a[0].headers["X-RateLimit-Bucket"] == bucket_hash(SEND)
    edit = rl.admit("PATCH", "/channels/{channel_id}/messages/{message_id}", {"channel_id": "1", "message_id": "3"},
                    "/m/3", "t")
    assert edit.headers["X-RateLimit-Bucket"] != b.headers["X-RateLimit-Bucket"]
    now.t += 5.0
    assert rl.admit("POST", "/channels/{channel_id}/messages", {"channel_id": "1"}, "/m", "t").refused is None
    assert rl.admitted == 8


def test_floor_seconds() -> None:
    assert window_floor(0, Limit(5, 5)) == 0 and window_floor(5, Limit(5, 5)) == 0
    assert window_floor(6, Limit(5, 5)) == 5 and window_floor(12, Limit(5, 5), scale=0.1) == pytest.approx(1.0)
    assert floor_seconds({SEND: 12}) == 10.0
    assert floor_seconds({SEND: 3, "GET /users/@me": 120}) == 2.0  # 50 per 1 s by default
    assert floor_seconds({}, total_requests=120) == 2.0
    assert floor_seconds({SEND: 4}, total_requests=120, global_limit=None) == 0.0
    assert floor_seconds({SEND: 12}, total_requests=12, scale=0.1) == pytest.approx(1.0)


# --------------------------------------------------------------------------- against the server
async def test_off_by_default_nothing_changes(double: DiscordDouble, world: dict[str, int],
                                              http: aiohttp.ClientSession) -> None:
    assert not double.ratelimits.enabled
    for _ in range(12):
        status, _, headers = await send(http, world["general"])
        assert status == 200 and headers["X-RateLimit-Limit"] == "1000" and headers["X-RateLimit-Remaining"] == "999"
    double.enforce_rate_limits(scale=0.05)
    double.stop_enforcing_rate_limits()
    for _ in range(6):
        assert (await send(http, world["general"]))[0] == 200
    assert double.ratelimits.total_429s == 0 and len(double.messages(world["general"])) == 18


async def test_raw_burst_gets_a_well_formed_429_and_is_not_executed(
        double: DiscordDouble, world: dict[str, int], http: aiohttp.ClientSession) -> None:
    double.enforce_rate_limits(scale=0.1)  # 5 per 0.5 s
    general = world["general"]
    for i in range(5):
        status, _, headers = await send(http, general, f"m{i}")
        assert status == 200 and headers["X-RateLimit-Limit"] == "5"
        assert headers["X-RateLimit-Remaining"] == str(4 - i)
        assert 0 < float(headers["X-RateLimit-Reset-After"]) <= 0.5
        assert float(headers["X-RateLimit-Reset"]) > time.time() - 1
        assert headers["X-RateLimit-Bucket"] == bucket_hash(SEND)
    status, body, headers = await send(http, general, "too many")
    assert status == 429 and headers["Content-Type"] == "application/json"
    assert set(body) == RATE_LIMITED_BODY_KEYS and body["message"] == "You are being rate limited."
    assert body["global"] is False and 0 < body["retry_after"] <= 0.5
    assert headers["Via"] and headers["Retry-After"] == "1" and headers["X-RateLimit-Scope"] == "user"
    assert "X-RateLimit-Global" not in headers and headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Bucket"] == bucket_hash(SEND)
    assert [m["content"] for m in double.messages(general)] == [f"m{i}" for i in range(5)]  # not executed
    assert double.calls[-1].status == 429 and double.calls[-1].response == body
    assert double.ratelimits.total_429s == 1 and double.ratelimits.by_route[SEND] == 1
    assert double.ratelimits.count_429s(SEND, scope="user") == 1 and double.ratelimits.global_429s == 0

    status, _, other_headers = await send(http, world["other"])  # another channel: its own bucket, same hash
    assert status == 200 and other_headers["X-RateLimit-Bucket"] == headers["X-RateLimit-Bucket"]

    await asyncio.sleep(body["retry_after"])
    assert (await send(http, general, "after the window"))[0] == 200

    async with http.post("/api/v10/users/@me/channels", json={"recipient_id": str(world["aino"])}) as r:
        assert r.status == 200
        dm = int((await r.json())["id"])
    statuses = [(await send(http, dm))[0] for _ in range(6)]
    assert statuses == [200] * 5 + [429] and len(double.messages(dm)) == 5


async def test_global_limit_and_exempt_interaction_callback(
        double: DiscordDouble, world: dict[str, int], http: aiohttp.ClientSession) -> None:
    double.enforce_rate_limits(scale=1.0)  # 50 per second for the token; the burst below takes far less

    async def get(path: str) -> int:
        async with http.get(f"/api/v10{path}") as r:
            return r.status

    paths = [f"/channels/{world['general']}", f"/channels/{world['other']}", f"/guilds/{world['guild']}",
             "/users/@me", f"/users/{world['aino']}"]
    statuses = await asyncio.gather(*(get(paths[i % len(paths)]) for i in range(50)))
    assert statuses == [200] * 50 and double.ratelimits.total_429s == 0
    async with http.get("/api/v10/users/@me") as r:
        body = await r.json()
        assert r.status == 429 and body["global"] is True and 0 < body["retry_after"] <= 1.0
        assert r.headers["X-RateLimit-Global"] == "true" and r.headers["X-RateLimit-Scope"] == "global"
        assert r.headers["Via"] and r.headers["Retry-After"] == "1"
    async with http.post("/api/v10/interactions/1/no-such-token/callback", json={"type": 1}) as r:
        assert r.status != 429  # exempt from the global limit: the handler answered
    assert double.ratelimits.global_429s == 1 and double.ratelimits.by_route == {"GET /users/@me": 1}


async def test_interaction_endpoints_work_while_the_global_limit_is_exhausted(
        double: DiscordDouble, world: dict[str, int], bot: Bot, http: aiohttp.ClientSession) -> None:
    double.enforce_rate_limits(scale=1.0, global_limit=3)
    for _ in range(3):
        async with http.get("/api/v10/users/@me") as r:
            assert r.status == 200
    async with http.get("/api/v10/users/@me") as r:
        assert r.status == 429
    h = await double.slash(world["guild"], world["aino"], "later")  # callback, follow-up, edit: all exempt
    assert (await h.response())["type"] == 5
    assert (await h.wait_followup())["content"] == "follow-up"
    assert (await h.wait_edit())["content"] == "done"
    assert double.ratelimits.total_429s == 1


async def test_bot_paces_itself_on_one_channel(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    double.enforce_rate_limits(scale=0.05)  # 5 per 0.25 s: 12 sends need at least 0.5 s
    channel = bot.get_channel(world["general"])
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    sent = await asyncio.gather(*(channel.send(f"viesti {i}") for i in range(12)))
    elapsed = time.monotonic() - started
    assert sorted(m.content for m in sent) == sorted(f"viesti {i}" for i in range(12))
    assert len(double.messages(world["general"])) == 12
    assert elapsed >= floor_seconds({SEND: 12}, total_requests=12, scale=0.05)
    assert double.ratelimits.total_429s == 0  # the honest headers let discord.py wait before each window


async def test_bot_recovers_from_global_429s(double: DiscordDouble, world: dict[str, int], bot: Bot) -> None:
    channels = [world["general"], world["other"]] + [double.add_channel(world["guild"], f"c{i}") for i in range(4)]
    await asyncio.sleep(0.05)  # let CHANNEL_CREATEs reach the cache (not needed for raw fetches, but tidy)
    double.enforce_rate_limits(scale=0.1, global_limit=5)  # 5 per 0.1 s for the token
    started = time.monotonic()
    fetched = await asyncio.gather(*(bot.http.get_channel(c) for c in channels for _ in range(4)))
    elapsed = time.monotonic() - started
    assert sorted(int(ch["id"]) for ch in fetched) == sorted(channels * 4)
    assert double.ratelimits.global_429s > 0 and double.ratelimits.count_429s(scope="user") == 0
    refused = [c for c in double.calls if c.status == 429]
    assert len(refused) == double.ratelimits.total_429s and all(c.response["global"] for c in refused)
    assert elapsed >= floor_seconds({}, total_requests=24, scale=0.1, global_limit=5)


async def test_fail_next_still_comes_first_and_uses_no_bucket(
        double: DiscordDouble, world: dict[str, int], bot: Bot, http: aiohttp.ClientSession) -> None:
    double.enforce_rate_limits(scale=0.1)
    double.fail_next("POST", r"/channels/\d+/messages", status=429, count=2, retry_after=0.01)
    channel = bot.get_channel(world["general"])
    assert isinstance(channel, discord.TextChannel)
    await channel.send("sinnikäs")
    assert [c.status for c in double.calls_to("POST", r"/channels/\d+/messages")] == [429, 429, 200]
    assert double.ratelimits.total_429s == 0  # injected faults are not the limiter's 429s
    statuses = [(await send(http, world["general"]))[0] for _ in range(5)]
    assert statuses == [200] * 4 + [429]  # the bot's one real send used one of five
