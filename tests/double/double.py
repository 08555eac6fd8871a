"""``DiscordDouble``: a local Discord (REST v10 + gateway) that the real discord.py client runs against.

    d = DiscordDouble()
    await d.start()
    discord.http.Route.BASE = d.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(d.gateway_url)
    g = d.add_guild("Jyväskylä"); u = d.add_member(g, username="aino")
    ... start the bot with d.token, await d.wait_ready() ...
    h = await d.slash(g, u, "setup", {"channel": channel_id}); body = await h.response()

Rate limits are off by default: every answer shows a bucket that is never near empty. To prove the
bot behaves under Discord's real limits (see ``ratelimits.py`` for the table and the model):

    d.enforce_rate_limits(scale=0.1)   # tests: windows x0.1 ("5 per 5 s" -> "5 per 0.5 s"); bench: 1.0
    ... drive the bot ...
    assert d.ratelimits.total_429s == 0          # it paced itself; or > 0 and the work still got done
    d.ratelimits.by_route["POST /channels/{channel_id}/messages"], d.ratelimits.global_429s
    floor_seconds({"POST /channels/{channel_id}/messages": 12}, total_requests=12, scale=0.1)  # 1.0 s
    d.stop_enforcing_rate_limits()

Refused requests are recorded in ``calls`` with status 429 and are not executed. ``fail_next`` faults
come first and touch no bucket.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Self

from aiohttp import web

from . import permissions as P
from . import (
    routes_app,
    routes_automod,
    routes_channels,
    routes_events,
    routes_guilds,
    routes_interactions,
    routes_messages,
)
from .commands import CommandStore
from .driving import DriverMixin
from .faults import Faults
from .gateway import GUILD_MEMBERS, Gateway
from .interactions import InteractionHandle
from .messages import MessageFactory
from .ratelimits import GLOBAL_LIMIT, Limit, RateLimiter
from .recording import CallLog, Recorded
from .server import Router, build_app
from .util import Snowflakes, iso
from .world import THREAD_TYPES, World

_UNSET: Any = object()


class DiscordDouble(DriverMixin):
    def __init__(self, *, token: str = "test-token", host: str = "127.0.0.1", port: int = 0,
                 bot_username: str = "Kohtaamo") -> None:
        self.token = token
        self.host = host
        self.port = port
        self.ids = Snowflakes()
        self.world = World(self.ids)
        self.application_id = self.ids.next()
        self.bot_user_id = self.ids.next()
        self.world.create_user(self.bot_user_id, bot_username, bot=True)
        self.developer_user_id = int(self.world.create_user(username="developer")["id"])
        self.application_flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        self.commands = CommandStore(self.ids, self.application_id)
        self.factory = MessageFactory(self.world, cdn_base=f"http://{host}:0")
        self.gateway = Gateway(self)
        self.log = CallLog()
        self.faults = Faults()
        self.interactions: dict[int, InteractionHandle] = {}
        self.handles_by_token: dict[str, InteractionHandle] = {}
        self.interaction_deadline = 3.0
        self.ratelimit_limit = 1000  # X-RateLimit-Limit on every answer; discord.py throttles itself near it
        self.ratelimits = RateLimiter()  # off until enforce_rate_limits(); then buckets + 429 counters
        self.require_intents = False  # when True, IDENTIFY may only ask for enabled_privileged_intents
        self.enabled_privileged_intents = 0
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.pins: dict[int, dict[int, str]] = {}
        self.automod = routes_automod.AutoModRules(self)  # rules per guild, enforced in user_message
        self.internal_errors: list[str] = []
        self.clock: Callable[[], datetime] | None = None
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        router = Router()
        for module in (routes_app, routes_interactions, routes_messages, routes_channels, routes_guilds,
                       routes_events, routes_automod):
            module.register(router)
        self._runner = web.AppRunner(build_app(self, router), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.factory.cdn_base = self.base_url

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/resume-gateway"

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)

    # ------------------------------------------------------------- recording
    @property
    def calls(self) -> list[Recorded]:
        return self.log.calls

    def calls_to(self, method: str | None, path_regex: str) -> list[Recorded]:
        """Calls whose method matches and whose path (no /api/v10) fully matches ``path_regex``."""
        return self.log.matching(method, path_regex)

    def wait_for_call(self, method: str | None, path_regex: str, timeout: float = 5.0,
                      after: int | None = None) -> Coroutine[Any, Any, Recorded]:
        """Await the first matching call at index >= ``after`` (all calls when None), waiting if needed."""
        return self.log.wait_for(method, path_regex, timeout, after)

    # ---------------------------------------------------------------- faults
    def fail_next(self, method: str, path_regex: str, status: int = 500, count: int = 1, retry_after: float = 0.2,
                  *, body: dict[str, Any] | None = None, is_global: bool = False) -> None:
        """The next ``count`` matching requests answer ``status`` (429s carry Via + retry_after)."""
        self.faults.add(method, path_regex, status=status, count=count, retry_after=retry_after, body=body,
                        is_global=is_global)

    # ----------------------------------------------------------- rate limits
    def enforce_rate_limits(self, scale: float = 1.0, *, global_limit: int | None = GLOBAL_LIMIT.count,
                            limits: dict[str, Limit] | None = None) -> None:
        """Enforce Discord's REST rate limits (``ratelimits.LIMITS``) from now on, with fresh buckets.

        ``scale`` multiplies every window (0.1: "5 per 5 s" becomes "5 per 0.5 s"); ``global_limit``
        is the per-token limit per (scaled) second, None for none; ``limits`` overrides table entries,
        keyed ``"METHOD /template"``. Over a limit, a request answers Discord's 429 and is not executed.
        Counters: ``self.ratelimits.total_429s``, ``.global_429s``, ``.by_route``, ``.count_429s()``, ``.hits``.
        """
        self.ratelimits.enable(scale, global_limit=global_limit, limits=limits)

    def stop_enforcing_rate_limits(self) -> None:
        """Back to the default (no limits); the 429 counters are kept."""
        self.ratelimits.disable()

    # --------------------------------------------------------------- gateway
    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    def wait_ready(self, timeout: float = 10.0, *, identifies: int | None = None) -> Coroutine[Any, Any, None]:
        """Await a client having IDENTIFYed and received READY and every GUILD_CREATE.

        ``identifies``: also wait until ``identify_count`` reaches it (e.g. a restarted bot's session).
        """
        target = identifies or 0
        return self.gateway.wait(lambda: self.identify_count >= target and self.gateway.is_ready(), timeout,
                                 "READY + GUILD_CREATEs delivered")

    def wait_resumed(self, count: int | None = None, timeout: float = 10.0) -> Coroutine[Any, Any, None]:
        """Await ``resume_count`` reaching ``count`` (default: one more than now) with a live connection."""
        target = self.resume_count + 1 if count is None else count
        return self.gateway.wait(lambda: self.resume_count >= target and self.gateway.is_ready(), timeout,
                                f"resume #{target}")

    async def drop_gateway(self, resume: bool = True, code: int | None = 4000) -> None:
        """Close the bot's websocket (code None: cut TCP). resume=False invalidates the session first."""
        await self.gateway.drop(resume=resume, code=code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        await self.gateway.request_reconnect()

    # ---------------------------------------------------------- event helpers
    def emit_message(self, event: str, msg: dict[str, Any]) -> asyncio.Future[bool] | None:
        data = copy.deepcopy(msg)
        ch = self.world.channels.get(int(msg["channel_id"]))
        if ch is not None and ch.get("guild_id"):
            gid = int(ch["guild_id"])
            data["guild_id"] = ch["guild_id"]
            members = self.world.guilds[gid].members
            if int(msg["author"]["id"]) in members and not msg.get("webhook_id"):
                data["member"] = self.world.member_payload(gid, int(msg["author"]["id"]), with_user=False)
            for user in data.get("mentions", []):
                if int(user["id"]) in members:
                    user["member"] = self.world.member_payload(gid, int(user["id"]), with_user=False)
        return self.gateway.dispatch(event, data)

    def delete_message(self, channel_id: int, message_id: int) -> None:
        self.world.remove_message(channel_id, message_id)
        self.pins.get(channel_id, {}).pop(message_id, None)
        event: dict[str, Any] = {"id": str(message_id), "channel_id": str(channel_id)}
        ch = self.world.channels.get(channel_id)
        if ch is not None and ch.get("guild_id"):
            event["guild_id"] = ch["guild_id"]
        self.gateway.dispatch("MESSAGE_DELETE", event)

    def emit_channel(self, event: str, ch: dict[str, Any]) -> None:
        self.gateway.dispatch(event, copy.deepcopy(ch))

    def emit_thread_create(self, thread: dict[str, Any]) -> None:
        data = self.world.thread_payload(int(thread["id"]), self.bot_user_id)
        data["newly_created"] = True
        self.gateway.dispatch("THREAD_CREATE", data)

    def emit_thread_members(self, thread: dict[str, Any], *, added: Iterable[dict[str, Any]] = (),
                            removed: Iterable[int] = ()) -> None:
        gid = int(thread["guild_id"])
        added_members = []
        for tm in added:
            entry = copy.deepcopy(tm)
            if int(tm["user_id"]) in self.world.guilds[gid].members:
                entry["member"] = self.world.member_payload(gid, int(tm["user_id"]))
            entry["presence"] = None
            added_members.append(entry)
        data: dict[str, Any] = {"id": thread["id"], "guild_id": thread["guild_id"],
                                "member_count": thread["member_count"]}
        if added_members:
            data["added_members"] = added_members
        removed_ids = [str(u) for u in removed]
        if removed_ids:
            data["removed_member_ids"] = removed_ids
        self.gateway.dispatch("THREAD_MEMBERS_UPDATE", data)

    def emit_member_update(self, guild_id: int, user_id: int) -> None:
        data = self.world.member_payload(guild_id, user_id)
        data["guild_id"] = str(guild_id)
        self.gateway.dispatch("GUILD_MEMBER_UPDATE", data)

    def emit_pins_update(self, ch: dict[str, Any]) -> None:
        pins = self.pins.get(int(ch["id"]), {})
        data: dict[str, Any] = {"channel_id": ch["id"], "last_pin_timestamp": max(pins.values(), default=None)}
        if ch.get("guild_id"):
            data["guild_id"] = ch["guild_id"]
        self.gateway.dispatch("CHANNEL_PINS_UPDATE", data)

    def post_system_message(self, channel_id: int, type: int, *, content: str = "",
                            reference: dict[str, Any] | None = None, thread: dict[str, Any] | None = None) -> None:
        """Discord's own notices: 6 (a message was pinned), 18 (a thread was started)."""
        ch = self.world.channel(channel_id)
        msg: dict[str, Any] = {
            "id": str(self.ids.next()), "channel_id": str(channel_id), "author": self.world.user(self.bot_user_id),
            "content": content, "timestamp": iso(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "components": [], "pinned": False, "type": type, "flags": 0,
        }
        target = reference or thread
        if target is not None:
            msg["message_reference"] = {"type": 0, "channel_id": target.get("channel_id", target["id"]),
                                        "guild_id": ch.get("guild_id")}
            if reference is not None:
                msg["message_reference"]["message_id"] = reference["id"]
        self.world.store_message(msg)
        self.emit_message("MESSAGE_CREATE", msg)

    # ---------------------------------------------------------- world building
    def add_guild(self, name: str = "Jyväskylä", owner_id: int | None = None, preferred_locale: str = "fi", *,
                  bot_permissions: int = P.DEFAULT_BOT, everyone_permissions: int = P.DEFAULT_EVERYONE,
                  general_channel: str | None = "general") -> int:
        """A guild with @everyone, the bot (managed role with ``bot_permissions``), an owner, #general."""
        world = self.world
        if owner_id is None:
            owner_id = int(world.create_user(username="owner")["id"])
        elif owner_id not in world.users:
            world.create_user(owner_id, username=f"owner{owner_id % 1000}")
        guild = world.create_guild(name, owner_id, preferred_locale, everyone_permissions)
        bot_name = world.users[self.bot_user_id]["username"]
        bot_role = world.create_role(guild.id, bot_name, bot_permissions, position=1, managed=True,
                                     tags={"bot_id": str(self.bot_user_id)})
        guild.bot_role_id = int(bot_role["id"])
        world.add_member(guild.id, owner_id)
        world.add_member(guild.id, self.bot_user_id, roles=(guild.bot_role_id,))
        if general_channel:
            guild.system_channel_id = int(world.create_channel(guild.id, general_channel)["id"])
        if self.gateway.current is not None:
            self.dispatch_guild_create(guild.id)
        return guild.id

    def dispatch_guild_create(self, guild_id: int) -> None:
        session = self.gateway.current
        all_members = session is not None and bool(session.intents & GUILD_MEMBERS)
        payload = self.world.guild_create_payload(guild_id, bot_user_id=self.bot_user_id, all_members=all_members)
        self.gateway.dispatch("GUILD_CREATE", payload)

    def add_role(self, guild_id: int, name: str, permissions: int = 0, *, position: int | None = None,
                 **extra: Any) -> int:
        """A role (by default just below the bot's role, so the bot can manage it)."""
        before = self.world.role_positions(guild_id)
        role = self.world.create_role(guild_id, name, permissions, position=position, **extra)
        self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild_id), "role": copy.deepcopy(role)})
        self.emit_role_moves(guild_id, before)
        return int(role["id"])

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """An admin changes a role's permissions in the client (GUILD_ROLE_UPDATE); the bot's own
        managed role is ``world.guild(guild_id).bot_role_id``."""
        role = self.world.role(guild_id, role_id)
        role["permissions"] = str(permissions)
        self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild_id), "role": copy.deepcopy(role)})

    def emit_role_moves(self, guild_id: int, before: dict[int, int]) -> None:
        """GUILD_ROLE_UPDATE for every role whose position changed since ``before``."""
        for role_id, role in self.world.guild(guild_id).roles.items():
            if role_id in before and before[role_id] != role["position"]:
                self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild_id), "role": copy.deepcopy(role)})

    def add_member(self, guild_id: int, user_id: int | None = None, username: str = "aino",
                   global_name: str | None = None, nick: str | None = None, roles: Sequence[int] = ()) -> int:
        """A member (and their user, unless it exists already)."""
        if user_id is None or user_id not in self.world.users:
            user_id = int(self.world.create_user(user_id, username, global_name)["id"])
        self.world.add_member(guild_id, user_id, tuple(roles), nick)
        data = self.world.member_payload(guild_id, user_id)
        data["guild_id"] = str(guild_id)
        self.gateway.dispatch("GUILD_MEMBER_ADD", data)
        return user_id

    def add_user(self, username: str = "aino", global_name: str | None = None, user_id: int | None = None) -> int:
        """A Discord user who shares no guild with the bot (for DMs)."""
        return int(self.world.create_user(user_id, username, global_name)["id"])

    def update_member(self, guild_id: int, user_id: int, *, roles: Sequence[int] | None = None,
                      nick: str | None = _UNSET) -> None:
        """Change a member as a moderator would in the client (GUILD_MEMBER_UPDATE)."""
        record = self.world.member_record(guild_id, user_id)
        if roles is not None:
            record["roles"] = [str(r) for r in roles]
        if nick is not _UNSET:
            record["nick"] = nick
        self.emit_member_update(guild_id, user_id)

    def remove_member(self, guild_id: int, user_id: int) -> None:
        guild = self.world.guild(guild_id)
        guild.members.pop(user_id)
        self.gateway.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild_id), "user": self.world.user(user_id)})
        if user_id == self.bot_user_id:
            self.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)})

    def add_channel(self, guild_id: int, name: str, type: int = 0, overwrites: Sequence[dict[str, Any]] = (),
                    parent_id: int | None = None, **extra: Any) -> int:
        """A channel; overwrites are {id, type (0 role, 1 member), allow, deny}."""
        ch = self.world.create_channel(guild_id, name, type, tuple(overwrites), parent_id, **extra)
        self.emit_channel("CHANNEL_CREATE", ch)
        return int(ch["id"])

    def delete_channel(self, channel_id: int) -> dict[str, Any]:
        """CHANNEL_DELETE (THREAD_DELETE for threads); later REST to it answers 404 10003."""
        world = self.world
        ch = world.channel(channel_id)
        for child in [c for c in world.channels.values() if c.get("parent_id") == ch["id"]]:
            if child["type"] in THREAD_TYPES:
                world.delete_channel(int(child["id"]))
            else:
                child["parent_id"] = None
                self.emit_channel("CHANNEL_UPDATE", child)
        world.delete_channel(channel_id)
        if ch["type"] in THREAD_TYPES:
            self.gateway.dispatch("THREAD_DELETE", {k: ch[k] for k in ("id", "guild_id", "parent_id", "type")})
        else:
            self.emit_channel("CHANNEL_DELETE", ch)
        return copy.deepcopy(ch)

    def set_dms_closed(self, user_id: int, closed: bool = True) -> None:
        """Sending to this user's DM channel answers 403 50007."""
        if closed:
            self.world.dms_closed.add(user_id)
        else:
            self.world.dms_closed.discard(user_id)

    def register_commands(self, commands: list[dict[str, Any]], guild_id: int | None = None) -> None:
        """Register commands directly, as if the bot had synced them (no REST call recorded)."""
        self.commands.bulk_overwrite(commands, guild_id)

    # ------------------------------------------------------------- inspection
    def messages(self, channel_id: int, *, system: bool = True) -> list[dict[str, Any]]:
        """Messages in a channel/thread/DM, oldest first, edits applied; system=False hides Discord notices."""
        stored = self.world.messages.get(channel_id, {}).values()
        ordered = sorted(stored, key=lambda m: int(m["id"]))
        if not system:
            ordered = [m for m in ordered if m["type"] in (0, 19, 20, 23)]
        return copy.deepcopy(ordered)

    def message(self, message_id: int) -> dict[str, Any]:
        """Any message the double knows, ephemeral ones included."""
        return copy.deepcopy(self.world.find_message(message_id))

    def dm_channel_id(self, user_id: int) -> int | None:
        return self.world.dm_by_user.get(user_id)

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        cid = self.dm_channel_id(user_id)
        return [] if cid is None else self.messages(cid)

    def system_channel_id(self, guild_id: int) -> int | None:
        """The guild's system channel (#general by default), else its first text channel."""
        system = self.world.guild(guild_id).system_channel_id
        if system is not None and system in self.world.channels:
            return system
        for ch in self.world.channels.values():
            if ch.get("guild_id") == str(guild_id) and ch["type"] == 0:
                return int(ch["id"])
        return None

    def member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return self.world.member_payload(guild_id, user_id)

    def channel(self, channel_id: int) -> dict[str, Any]:
        return copy.deepcopy(self.world.channel(channel_id))

    def role_ids(self, guild_id: int, user_id: int) -> list[int]:
        return [int(r) for r in self.world.member_record(guild_id, user_id)["roles"]]
