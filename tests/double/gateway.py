"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATEs, heartbeats, RESUME, dispatch.

Sends TEXT frames only (discord.py reads text frames as plain JSON, whatever compression it
asked for). Each connection has one writer task fed by a queue, so frames keep their order.
Sessions outlive connections: events dispatched while a client is away are kept in the
session's backlog and replayed on RESUME, as Discord does. The newest IDENTIFYed session gets
the events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .double import DiscordDouble

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
AUTO_MODERATION_CONFIGURATION = 1 << 20
AUTO_MODERATION_EXECUTION = 1 << 21
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

_GUILD_EVENTS = ["GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE", "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "THREAD_CREATE", "THREAD_UPDATE", "THREAD_DELETE", "THREAD_LIST_SYNC", "THREAD_MEMBER_UPDATE", "THREAD_MEMBERS_UPDATE"]
EVENT_INTENTS: dict[str, int] = dict.fromkeys(_GUILD_EVENTS, GUILDS)
EVENT_INTENTS.update(dict.fromkeys(["GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"], GUILD_MEMBERS))
EVENT_INTENTS.update(
    dict.fromkeys(
        ["GUILD_SCHEDULED_EVENT_CREATE", "GUILD_SCHEDULED_EVENT_UPDATE", "GUILD_SCHEDULED_EVENT_DELETE"],
        GUILD_SCHEDULED_EVENTS,
    )
)
EVENT_INTENTS.update(dict.fromkeys(["AUTO_MODERATION_RULE_CREATE", "AUTO_MODERATION_RULE_UPDATE",
                                    "AUTO_MODERATION_RULE_DELETE"], AUTO_MODERATION_CONFIGURATION))
EVENT_INTENTS["AUTO_MODERATION_ACTION_EXECUTION"] = AUTO_MODERATION_EXECUTION
MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK", "CHANNEL_PINS_UPDATE"}


class Connection:
    """One websocket. Frames go through a queue to keep their order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.session: Session | None = None
        self.queue: asyncio.Queue[tuple[str, asyncio.Future[bool] | None] | None] = asyncio.Queue()
        self.writer = asyncio.create_task(self._write_loop(), name="double-gateway-writer")

    @property
    def live(self) -> bool:
        return not self.ws.closed and not self.writer.done()

    def send(self, frame: dict[str, Any] | str) -> asyncio.Future[bool]:
        text = frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False)
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if not self.live:
            fut.set_result(False)
            return fut
        self.queue.put_nowait((text, fut))
        return fut

    async def _write_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            text, fut = item
            ok = False
            try:
                await self.ws.send_str(text)
                ok = True
            except (ConnectionError, RuntimeError) as exc:
                log.debug("gateway frame not sent: %s", exc)
            if fut is not None and not fut.done():
                fut.set_result(ok)

    async def close(self, code: int | None) -> None:
        """Close with ``code``, or cut the TCP connection when ``code`` is None (abnormal closure)."""
        if code is None:
            transport = self.request.transport
            if transport is not None:
                transport.abort()
        else:
            with contextlib.suppress(Exception):
                await self.ws.close(code=code, message=b"double closed the connection")
        await self.stop()

    async def stop(self) -> None:
        if not self.writer.done():
            self.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.writer, 2)
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if item is not None and item[1] is not None and not item[1].done():
                item[1].set_result(False)


class Session:
    def __init__(self, intents: int, shard: list[int] | None) -> None:
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.backlog: list[tuple[int, str]] = []
        self.conn: Connection | None = None
        self.invalid = False
        self.ready = asyncio.Event()

    def frame(self, event: str, data: Any) -> str:
        self.seq += 1
        text = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}, ensure_ascii=False)
        self.backlog.append((self.seq, text))
        del self.backlog[:-2000]
        return text


class Gateway:
    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.connect_paths: list[str] = []
        self.received: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    # ------------------------------------------------------------ lifecycle
    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0, max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.append(conn)
        self.connect_paths.append(request.path)
        conn.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ["double"]},
                   "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await conn.close(4002)
                    break
                self.received.append(payload)
                try:
                    await self._on_payload(conn, payload)
                except Exception as exc:  # a bug in the double must not pass for a Discord outage
                    log.exception("double: gateway error on op %s", payload.get("op"))
                    self.double.internal_errors.append(f"gateway op {payload.get('op')}: {exc!r}")
        finally:
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            await conn.stop()
            if conn in self.connections:
                self.connections.remove(conn)
            self._notify()
        return ws

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001)

    # -------------------------------------------------------------- opcodes
    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op == 8:
            self._request_members(conn, data or {})
        elif op in (3, 4):
            pass  # presence / voice state: accepted, nothing to do
        else:
            await conn.close(4001)

    def _token_ok(self, token: str | None) -> bool:
        token = (token or "").removeprefix("Bot ").strip()
        return token == self.double.token

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005)
            return
        if not self._token_ok(data.get("token")):
            await conn.close(4004)
            return
        intents = int(data.get("intents", 0))
        double = self.double
        if double.require_intents and intents & PRIVILEGED_INTENTS & ~double.enabled_privileged_intents:
            await conn.close(4014)
            return
        session = Session(intents, data.get("shard"))
        self.sessions[session.id] = session
        self.current = session
        session.conn = conn
        conn.session = session
        self.identify_count += 1
        guild_ids = [gid for gid, g in double.world.guilds.items() if double.bot_user_id in g.members]
        ready = {
            "v": 10,
            "user": double.world.user(double.bot_user_id),
            "guilds": [{"id": str(gid), "unavailable": True} for gid in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": double.resume_gateway_url,
            "application": {"id": str(double.application_id), "flags": double.application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["helsinki"],
            "user_settings": {},
            "auth_session_id_hash": secrets.token_hex(8),
            "_trace": ["double"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        conn.send(session.frame("READY", ready))
        last = None
        for gid in guild_ids:
            payload = double.world.guild_create_payload(
                gid, bot_user_id=double.bot_user_id, all_members=bool(intents & GUILD_MEMBERS)
            )
            last = conn.send(session.frame("GUILD_CREATE", payload))
        if last is not None:
            await last
        session.ready.set()
        self._notify()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalid or not self._token_ok(data.get("token")):
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn:
            old.session = None
            await old.close(4000)
        session.conn = conn
        conn.session = session
        client_seq = int(data.get("seq") or 0)
        for seq, text in session.backlog:
            if seq > client_seq:
                conn.send(text)
        await conn.send(session.frame("RESUMED", {"_trace": ["double"]}))
        self.resume_count += 1
        self._notify()

    def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        world = self.double.world
        guild = world.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        query = (data.get("query") or "").lower()
        wanted = {int(u) for u in data.get("user_ids") or []}
        limit = int(data.get("limit") or 0) or len(guild.members)
        members = []
        for uid, record in guild.members.items():
            user = world.users[uid]
            names = [user["username"], user.get("global_name") or "", record.get("nick") or ""]
            if wanted and uid not in wanted:
                continue
            if query and not any(n.lower().startswith(query) for n in names):
                continue
            members.append(world.member_payload(guild.id, uid))
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": members[:limit],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if wanted:
            chunk["not_found"] = [str(u) for u in wanted - set(guild.members)]
        conn.send(session.frame("GUILD_MEMBERS_CHUNK", chunk))

    # ------------------------------------------------------------- dispatch
    def _wants(self, session: Session, event: str, data: dict[str, Any]) -> bool:
        if event in MESSAGE_EVENTS:
            needed = GUILD_MESSAGES if data.get("guild_id") else DIRECT_MESSAGES
        elif event == "GUILD_MEMBER_UPDATE" and (data.get("user") or {}).get("id") == str(self.double.bot_user_id):
            return True
        else:
            needed = EVENT_INTENTS.get(event, 0)
        return not needed or bool(session.intents & needed)

    def _filter(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Without MESSAGE_CONTENT, guild messages from others arrive without their content (and
        AutoMod executions without ``content`` and ``matched_content``)."""
        if session.intents & MESSAGE_CONTENT:
            return data
        if event == "AUTO_MODERATION_ACTION_EXECUTION":
            return dict(data, content="", matched_content="")
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            return data
        bot_id = str(self.double.bot_user_id)
        if not data.get("guild_id") or (data.get("author") or {}).get("id") == bot_id:
            return data
        if any(u.get("id") == bot_id for u in data.get("mentions") or []):
            return data
        stripped = dict(data, content="", embeds=[], attachments=[], components=[])
        stripped.pop("poll", None)
        return stripped

    def dispatch(self, event: str, data: dict[str, Any]) -> asyncio.Future[bool] | None:
        """Send an event to the current session; returns a future set once the frame is written."""
        session = self.current
        if session is None or session.invalid or not self._wants(session, event, data):
            return None
        text = session.frame(event, self._filter(session, event, data))
        conn = session.conn
        if conn is None or not conn.live:
            return None
        return conn.send(text)

    # ---------------------------------------------------------------- tools
    async def drop(self, *, resume: bool = True, code: int | None = 4000) -> None:
        session = self.current
        if session is None or session.conn is None:
            raise RuntimeError("no connected gateway session to drop")
        if not resume:
            session.invalid = True
        await session.conn.close(code)

    async def request_reconnect(self) -> None:
        session = self.current
        if session is None or session.conn is None:
            raise RuntimeError("no connected gateway session")
        await session.conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def wait(self, predicate: Any, within: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"gateway: {what} not reached within {within} s")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    def is_ready(self) -> bool:
        s = self.current
        return s is not None and s.ready.is_set() and s.conn is not None and s.conn.live
