"""REST: channel messages — send (JSON or multipart), read, edit, delete, pins, crosspost."""

from __future__ import annotations

import time
from typing import Any

from . import permissions as P
from .messages import CROSSPOSTED, validate_body
from .server import Ctx, Router
from .util import ApiError, iso, missing_permissions, not_found
from .world import DM, MESSAGEABLE_TYPES, NEWS, THREAD_TYPES

NONCE_WINDOW_S = 300.0


def channel_for(ctx: Ctx, name: str = "channel_id") -> dict[str, Any]:
    return ctx.double.world.channel(ctx.id(name))


def bot_perms(ctx: Ctx, ch: dict[str, Any]) -> int:
    return ctx.double.world.channel_permissions(int(ch["id"]), ctx.double.bot_user_id)


def require(ctx: Ctx, ch: dict[str, Any], *flags: int) -> int:
    """403 50001 without VIEW_CHANNEL, 403 50013 without any of ``flags``; returns the permissions."""
    perms = bot_perms(ctx, ch)
    if not perms & P.VIEW_CHANNEL:
        raise ApiError(403, 50001, "Missing Access")
    if not P.has(perms, *flags):
        raise missing_permissions()
    return perms


def require_any(ctx: Ctx, ch: dict[str, Any], *flags: int) -> None:
    perms = require(ctx, ch)
    if not any(perms & f for f in flags):
        raise missing_permissions()


def unarchive_for_send(ctx: Ctx, ch: dict[str, Any], perms: int) -> None:
    meta = ch.get("thread_metadata")
    if not meta or not meta["archived"]:
        return
    if meta["locked"] and not perms & P.MANAGE_THREADS:
        raise ApiError(400, 50083, "Thread is archived")
    meta["archived"] = False
    meta["archive_timestamp"] = iso()
    ctx.double.emit_channel("THREAD_UPDATE", ch)


async def send_message(ctx: Ctx) -> Any:
    d = ctx.double
    ch = channel_for(ctx)
    body = ctx.body
    if ch["type"] not in MESSAGEABLE_TYPES:
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    if ch["type"] == DM:
        if int(ch["recipients"][0]["id"]) in d.world.dms_closed:
            raise ApiError(403, 50007, "Cannot send messages to this user")
    else:
        send = P.SEND_MESSAGES_IN_THREADS if ch["type"] in THREAD_TYPES else P.SEND_MESSAGES
        perms = require(ctx, ch, send)
        if ctx.files and not perms & P.ATTACH_FILES:
            raise missing_permissions()
        if body.get("message_reference") and not perms & P.READ_MESSAGE_HISTORY:
            raise missing_permissions()
        unarchive_for_send(ctx, ch, perms)
    validate_body(body, ctx.files)
    nonce = body.get("nonce")
    key = (int(ch["id"]), str(nonce))
    if nonce is not None and body.get("enforce_nonce"):
        seen = d.nonces.get(key)
        if seen is not None and time.monotonic() - seen[1] < NONCE_WINDOW_S:
            try:
                return d.world.find_message(seen[0], int(ch["id"]))
            except ApiError:
                pass
    msg = d.factory.build(int(ch["id"]), d.world.user(d.bot_user_id), body, ctx.files)
    d.world.store_message(msg)
    if nonce is not None:
        d.nonces[key] = (int(msg["id"]), time.monotonic())
    d.emit_message("MESSAGE_CREATE", msg)
    return msg


def _readable(ctx: Ctx) -> dict[str, Any]:
    ch = channel_for(ctx)
    if ch["type"] != DM:
        require(ctx, ch, P.READ_MESSAGE_HISTORY)
    return ch


async def get_message(ctx: Ctx) -> Any:
    ch = _readable(ctx)
    msg = ctx.double.world.messages.get(int(ch["id"]), {}).get(ctx.id("message_id"))
    if msg is None:
        raise not_found(10008, "Message")
    return msg


async def list_messages(ctx: Ctx) -> Any:
    ch = _readable(ctx)
    limit = max(1, min(100, int(ctx.query.get("limit", 50))))
    ordered = sorted(ctx.double.world.messages.get(int(ch["id"]), {}).values(), key=lambda m: int(m["id"]),
                     reverse=True)
    if "before" in ctx.query:
        ordered = [m for m in ordered if int(m["id"]) < int(ctx.query["before"])]
    elif "after" in ctx.query:
        ordered = [m for m in ordered if int(m["id"]) > int(ctx.query["after"])][-limit:]
    elif "around" in ctx.query:
        pivot = int(ctx.query["around"])
        ascending = ordered[::-1]
        index = next((i for i, m in enumerate(ascending) if int(m["id"]) >= pivot), len(ascending))
        start = max(0, index - limit // 2)
        return ascending[start : start + limit][::-1]
    return ordered[:limit]


async def edit_message(ctx: Ctx) -> Any:
    d = ctx.double
    ch = channel_for(ctx)
    msg = d.world.find_message(ctx.id("message_id"), int(ch["id"]))
    if msg["author"]["id"] != str(d.bot_user_id):
        only_flags = set(ctx.body) <= {"flags"}
        if not only_flags or ch["type"] == DM:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        require(ctx, ch, P.MANAGE_MESSAGES)
    d.factory.apply_edit(msg, ctx.body, ctx.files)
    d.emit_message("MESSAGE_UPDATE", msg)
    return msg


async def delete_message(ctx: Ctx) -> Any:
    d = ctx.double
    ch = channel_for(ctx)
    msg = d.world.find_message(ctx.id("message_id"), int(ch["id"]))
    if msg["author"]["id"] != str(d.bot_user_id):
        if ch["type"] == DM:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        require(ctx, ch, P.MANAGE_MESSAGES)
    d.delete_message(int(ch["id"]), int(msg["id"]))
    return None


async def bulk_delete(ctx: Ctx) -> Any:
    d = ctx.double
    ch = channel_for(ctx)
    require(ctx, ch, P.MANAGE_MESSAGES)
    ids = [int(m) for m in ctx.body.get("messages") or []]
    if not 2 <= len(ids) <= 100:
        raise ApiError(400, 50016, "Provided too few or too many messages to delete.")
    for mid in ids:
        d.world.remove_message(int(ch["id"]), mid)
    event: dict[str, Any] = {"ids": [str(i) for i in ids], "channel_id": ch["id"]}
    if ch.get("guild_id"):
        event["guild_id"] = ch["guild_id"]
    d.gateway.dispatch("MESSAGE_DELETE_BULK", event)
    return None


def _pin_access(ctx: Ctx) -> tuple[dict[str, Any], dict[str, Any]]:
    ch = channel_for(ctx)
    if ch["type"] != DM:
        require_any(ctx, ch, P.PIN_MESSAGES, P.MANAGE_MESSAGES)
    return ch, ctx.double.world.find_message(ctx.id("message_id"), int(ch["id"]))


async def pin(ctx: Ctx) -> Any:
    d = ctx.double
    ch, msg = _pin_access(ctx)
    pins = d.pins.setdefault(int(ch["id"]), {})
    if int(msg["id"]) in pins:
        return None
    if len(pins) >= 250:
        raise ApiError(400, 30003, "Maximum number of pins reached (250)")
    pins[int(msg["id"])] = iso()
    msg["pinned"] = True
    d.emit_message("MESSAGE_UPDATE", msg)
    d.emit_pins_update(ch)
    d.post_system_message(int(ch["id"]), 6, reference=msg)
    return None


async def unpin(ctx: Ctx) -> Any:
    d = ctx.double
    ch, msg = _pin_access(ctx)
    if d.pins.get(int(ch["id"]), {}).pop(int(msg["id"]), None) is not None:
        msg["pinned"] = False
        d.emit_message("MESSAGE_UPDATE", msg)
        d.emit_pins_update(ch)
    return None


def _pinned(ctx: Ctx) -> list[tuple[str, dict[str, Any]]]:
    ch = _readable(ctx)
    d = ctx.double
    pins = d.pins.get(int(ch["id"]), {})
    items = [(at, d.world.messages[int(ch["id"])][mid]) for mid, at in pins.items()
             if mid in d.world.messages.get(int(ch["id"]), {})]
    return sorted(items, key=lambda item: item[0], reverse=True)


async def list_pins_legacy(ctx: Ctx) -> Any:
    return [msg for _, msg in _pinned(ctx)]


async def list_pins(ctx: Ctx) -> Any:
    items = _pinned(ctx)
    if "before" in ctx.query:
        items = [i for i in items if i[0] < ctx.query["before"]]
    limit = max(1, min(50, int(ctx.query.get("limit", 50))))
    return {"items": [{"pinned_at": at, "message": msg} for at, msg in items[:limit]],
            "has_more": len(items) > limit}


async def crosspost(ctx: Ctx) -> Any:
    d = ctx.double
    ch = channel_for(ctx)
    if ch["type"] != NEWS:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    msg = d.world.find_message(ctx.id("message_id"), int(ch["id"]))
    own = msg["author"]["id"] == str(d.bot_user_id)
    require(ctx, ch, P.SEND_MESSAGES if own else P.MANAGE_MESSAGES)
    if msg["flags"] & CROSSPOSTED:
        raise ApiError(400, 40033, "This message has already been crossposted.")
    msg["flags"] |= CROSSPOSTED
    d.emit_message("MESSAGE_UPDATE", msg)
    return msg


async def typing(ctx: Ctx) -> Any:
    channel_for(ctx)
    return None


async def reaction(ctx: Ctx) -> Any:
    ch = channel_for(ctx)
    ctx.double.world.find_message(ctx.id("message_id"), int(ch["id"]))
    return None


def register(r: Router) -> None:
    c = "/channels/{channel_id}"
    r.add("POST", f"{c}/messages", send_message)
    r.add("GET", f"{c}/messages", list_messages)
    r.add("POST", f"{c}/messages/bulk-delete", bulk_delete)
    r.add("GET", f"{c}/messages/pins", list_pins)
    r.add("PUT", f"{c}/messages/pins/{{message_id}}", pin)
    r.add("DELETE", f"{c}/messages/pins/{{message_id}}", unpin)
    r.add("GET", f"{c}/pins", list_pins_legacy)
    r.add("PUT", f"{c}/pins/{{message_id}}", pin)
    r.add("DELETE", f"{c}/pins/{{message_id}}", unpin)
    r.add("GET", f"{c}/messages/{{message_id}}", get_message)
    r.add("PATCH", f"{c}/messages/{{message_id}}", edit_message)
    r.add("DELETE", f"{c}/messages/{{message_id}}", delete_message)
    r.add("POST", f"{c}/messages/{{message_id}}/crosspost", crosspost)
    r.add("POST", f"{c}/typing", typing)
    r.add("PUT", f"{c}/messages/{{message_id}}/reactions/{{emoji:[^/]+}}/@me", reaction)
    r.add("DELETE", f"{c}/messages/{{message_id}}/reactions/{{emoji:[^/]+}}/@me", reaction)
