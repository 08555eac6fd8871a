"""REST: channels (get/edit/delete, overwrites), threads and thread members."""

from __future__ import annotations

import copy
from typing import Any

from . import permissions as P
from .messages import HAS_THREAD
from .routes_messages import channel_for, require
from .server import Ctx, Router
from .util import (
    ApiError,
    invalid_form,
    iso,
    missing_permissions,
    nest_error,
    not_found,
)
from .world import (
    CATEGORY,
    DM,
    FORUM,
    MEDIA,
    NEWS,
    NEWS_THREAD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    THREAD_TYPES,
    normalize_overwrite,
)

CHANNEL_FIELDS = ["name", "topic", "nsfw", "position", "rate_limit_per_user", "parent_id", "default_auto_archive_duration", "flags", "default_thread_rate_limit_per_user", "available_tags", "default_reaction_emoji", "default_sort_order", "default_forum_layout", "bitrate", "user_limit", "rtc_region", "video_quality_mode", "type"]
THREAD_FIELDS = ("name", "rate_limit_per_user", "flags", "applied_tags")
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


def _check_name(name: Any, path: str = "name", limit: int = 100) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= limit:
        raise invalid_form(nest_error([path], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {limit} in length."))


async def get_channel(ctx: Ctx) -> Any:
    ch = channel_for(ctx)
    if ch["type"] in THREAD_TYPES:
        require(ctx, ch)
        return ctx.double.world.thread_payload(int(ch["id"]), ctx.double.bot_user_id)
    if ch["type"] != DM:
        require(ctx, ch)
    return copy.deepcopy(ch)


async def edit_channel(ctx: Ctx) -> Any:
    ch = channel_for(ctx)
    if ch["type"] in THREAD_TYPES:
        return _edit_thread(ctx, ch)
    if ch["type"] == DM:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    body = ctx.body
    perms = require(ctx, ch, P.MANAGE_CHANNELS)
    if "name" in body:
        _check_name(body["name"])
    if "parent_id" in body and body["parent_id"] is not None:
        parent = ctx.double.world.channel(int(body["parent_id"]))
        if parent["type"] != CATEGORY:
            raise invalid_form(nest_error(["parent_id"], "CHANNEL_PARENT_INVALID_TYPE", "Not a category"))
    for key in CHANNEL_FIELDS:
        if key in body:
            value = body[key]
            ch[key] = str(value) if key == "parent_id" and value is not None else value
    if "permission_overwrites" in body:
        if not perms & P.MANAGE_ROLES:
            raise missing_permissions()
        ch["permission_overwrites"] = [normalize_overwrite(o) for o in body["permission_overwrites"] or []]
    ctx.double.emit_channel("CHANNEL_UPDATE", ch)
    return copy.deepcopy(ch)


def _edit_thread(ctx: Ctx, ch: dict[str, Any]) -> Any:
    d = ctx.double
    body = ctx.body
    perms = require(ctx, ch)
    meta = ch["thread_metadata"]
    owner = ch["owner_id"] == str(d.bot_user_id)
    manage = bool(perms & P.MANAGE_THREADS)
    if "locked" in body and bool(body["locked"]) != meta["locked"] and not manage:
        raise missing_permissions()
    if meta["locked"] and not manage:
        raise missing_permissions()
    if not (owner or manage) and set(body) - {"archived"}:
        raise missing_permissions()
    if "name" in body:
        _check_name(body["name"])
    if "auto_archive_duration" in body:
        if int(body["auto_archive_duration"]) not in ARCHIVE_DURATIONS:
            raise invalid_form(nest_error(["auto_archive_duration"], "BASE_TYPE_CHOICES", "Invalid duration"))
        meta["auto_archive_duration"] = int(body["auto_archive_duration"])
    for key in THREAD_FIELDS:
        if key in body:
            ch[key] = body[key]
    if "archived" in body and bool(body["archived"]) != meta["archived"]:
        meta["archived"] = bool(body["archived"])
        meta["archive_timestamp"] = iso()
    if "locked" in body:
        meta["locked"] = bool(body["locked"])
    if "invitable" in body and ch["type"] == PRIVATE_THREAD:
        meta["invitable"] = bool(body["invitable"])
    d.emit_channel("THREAD_UPDATE", ch)
    return d.world.thread_payload(int(ch["id"]), d.bot_user_id)


async def delete_channel(ctx: Ctx) -> Any:
    d = ctx.double
    ch = channel_for(ctx)
    if ch["type"] == DM:
        return copy.deepcopy(ch)
    if ch["type"] in THREAD_TYPES:
        require(ctx, ch, P.MANAGE_THREADS)
    else:
        require(ctx, ch, P.MANAGE_CHANNELS)
    return d.delete_channel(int(ch["id"]))


async def put_overwrite(ctx: Ctx) -> Any:
    ch = channel_for(ctx)
    if ch["type"] in THREAD_TYPES or ch["type"] == DM:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(ctx, ch, P.MANAGE_ROLES)
    target = ctx.params["target_id"]
    overwrite = normalize_overwrite(dict(ctx.body, id=target))
    ch["permission_overwrites"] = [o for o in ch["permission_overwrites"] if o["id"] != target] + [overwrite]
    ctx.double.emit_channel("CHANNEL_UPDATE", ch)
    return None


async def delete_overwrite(ctx: Ctx) -> Any:
    ch = channel_for(ctx)
    require(ctx, ch, P.MANAGE_ROLES)
    target = ctx.params["target_id"]
    ch["permission_overwrites"] = [o for o in ch["permission_overwrites"] if o["id"] != target]
    ctx.double.emit_channel("CHANNEL_UPDATE", ch)
    return None


# -------------------------------------------------------------------- threads
def _thread_type(parent: dict[str, Any], requested: Any) -> int:
    if parent["type"] in (FORUM, MEDIA):
        return PUBLIC_THREAD
    if parent["type"] == NEWS:
        return NEWS_THREAD
    return PRIVATE_THREAD if requested is None else int(requested)


def _start_thread(ctx: Ctx, parent: dict[str, Any], ttype: int, *, thread_id: int | None = None) -> dict[str, Any]:
    d = ctx.double
    body = ctx.body
    _check_name(body.get("name"))
    duration = int(body.get("auto_archive_duration") or parent.get("default_auto_archive_duration") or 4320)
    if duration not in ARCHIVE_DURATIONS:
        raise invalid_form(nest_error(["auto_archive_duration"], "BASE_TYPE_CHOICES", "Invalid duration"))
    thread = d.world.create_thread(
        int(parent["id"]), body["name"], ttype, d.bot_user_id, thread_id=thread_id,
        auto_archive_duration=duration, invitable=bool(body.get("invitable", True)),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0), applied_tags=body.get("applied_tags"),
    )
    d.world.join_thread(int(thread["id"]), d.bot_user_id)
    d.emit_thread_create(thread)
    return thread


async def create_thread(ctx: Ctx) -> Any:
    d = ctx.double
    parent = channel_for(ctx)
    if parent["type"] not in (TEXT, NEWS, FORUM, MEDIA):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    ttype = _thread_type(parent, ctx.body.get("type"))
    if ttype not in THREAD_TYPES or (ttype == PRIVATE_THREAD and parent["type"] != TEXT):
        raise invalid_form(nest_error(["type"], "BASE_TYPE_CHOICES", "Invalid thread type"))
    forum = parent["type"] in (FORUM, MEDIA)
    if forum:
        require(ctx, parent, P.SEND_MESSAGES)
        starter = ctx.body.get("message")
        if not isinstance(starter, dict):
            raise invalid_form(nest_error(["message"], "BASE_TYPE_REQUIRED", "This field is required"))
    else:
        require(ctx, parent, P.CREATE_PRIVATE_THREADS if ttype == PRIVATE_THREAD else P.CREATE_PUBLIC_THREADS)
    thread = _start_thread(ctx, parent, ttype)
    result = d.world.thread_payload(int(thread["id"]), d.bot_user_id)
    if forum:
        msg = d.factory.build(int(thread["id"]), d.world.user(d.bot_user_id), ctx.body["message"], ctx.files)
        msg["id"] = thread["id"]  # a forum post's starter message shares the thread's id
        d.world.store_message(msg)
        d.emit_message("MESSAGE_CREATE", msg)
        result["message"] = msg
    elif ttype != PRIVATE_THREAD:
        d.post_system_message(int(parent["id"]), 18, content=thread["name"], thread=thread)
    return result


async def thread_from_message(ctx: Ctx) -> Any:
    d = ctx.double
    parent = channel_for(ctx)
    if parent["type"] not in (TEXT, NEWS):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(ctx, parent, P.CREATE_PUBLIC_THREADS, P.READ_MESSAGE_HISTORY)
    msg = d.world.find_message(ctx.id("message_id"), int(parent["id"]))
    if msg.get("thread") or int(msg["id"]) in d.world.channels:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = _start_thread(ctx, parent, _thread_type(parent, PUBLIC_THREAD), thread_id=int(msg["id"]))
    msg["thread"] = copy.deepcopy(thread)
    msg["flags"] |= HAS_THREAD
    d.emit_message("MESSAGE_UPDATE", msg)
    return d.world.thread_payload(int(thread["id"]), d.bot_user_id)


def _thread(ctx: Ctx) -> dict[str, Any]:
    ch = channel_for(ctx)
    if ch["type"] not in THREAD_TYPES:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return ch


def _is_member(d: Any, thread: dict[str, Any]) -> bool:
    return d.bot_user_id in d.world.thread_members.get(int(thread["id"]), {})


def _member_id(ctx: Ctx) -> int:
    ref = ctx.params["user_id"]
    return ctx.double.bot_user_id if ref == "@me" else int(ref)


async def add_thread_member(ctx: Ctx) -> Any:
    d = ctx.double
    thread = _thread(ctx)
    uid = _member_id(ctx)
    perms = require(ctx, thread)
    if thread["thread_metadata"]["archived"]:
        raise ApiError(400, 50083, "Thread is archived")
    if uid != d.bot_user_id:
        if not perms & P.SEND_MESSAGES_IN_THREADS:
            raise missing_permissions()
        if uid not in d.world.guild(int(thread["guild_id"])).members:
            raise not_found(10007, "Member")
    elif thread["type"] == PRIVATE_THREAD and not perms & P.MANAGE_THREADS and not _is_member(d, thread):
        raise missing_permissions()
    tm = d.world.join_thread(int(thread["id"]), uid)
    if tm is not None:
        d.emit_thread_members(thread, added=[tm])
    return None


async def remove_thread_member(ctx: Ctx) -> Any:
    d = ctx.double
    thread = _thread(ctx)
    uid = _member_id(ctx)
    perms = require(ctx, thread)
    owner = thread["owner_id"] == str(d.bot_user_id)
    if uid != d.bot_user_id and not (perms & P.MANAGE_THREADS or (owner and thread["type"] == PRIVATE_THREAD)):
        raise missing_permissions()
    if d.world.leave_thread(int(thread["id"]), uid):
        d.emit_thread_members(thread, removed=[uid])
    return None


async def get_thread_member(ctx: Ctx) -> Any:
    thread = _thread(ctx)
    tm = ctx.double.world.thread_members.get(int(thread["id"]), {}).get(_member_id(ctx))
    if tm is None:
        raise not_found(10007, "Member")
    return tm


async def list_thread_members(ctx: Ctx) -> Any:
    thread = _thread(ctx)
    return list(ctx.double.world.thread_members.get(int(thread["id"]), {}).values())


def _threads_where(ctx: Ctx, predicate: Any) -> dict[str, Any]:
    d = ctx.double
    threads = [d.world.thread_payload(int(c["id"])) for c in list(d.world.channels.values()) if predicate(c)]
    members = [tm for t in threads for uid, tm in d.world.thread_members.get(int(t["id"]), {}).items()
               if uid == d.bot_user_id]
    return {"threads": threads, "members": members, "has_more": False}


async def archived_threads(ctx: Ctx) -> Any:
    parent = channel_for(ctx)
    require(ctx, parent, P.READ_MESSAGE_HISTORY)
    kind = PRIVATE_THREAD if ctx.params["kind"] == "private" else None
    return _threads_where(ctx, lambda c: c.get("parent_id") == parent["id"] and c["type"] in THREAD_TYPES
                          and c["thread_metadata"]["archived"]
                          and ((c["type"] == PRIVATE_THREAD) == (kind == PRIVATE_THREAD)))


async def active_threads(ctx: Ctx) -> Any:
    gid = str(ctx.double.world.guild(ctx.id("guild_id")).id)
    result = _threads_where(ctx, lambda c: c.get("guild_id") == gid and c["type"] in THREAD_TYPES
                            and not c["thread_metadata"]["archived"])
    result.pop("has_more")
    return result


def register(r: Router) -> None:
    c = "/channels/{channel_id}"
    r.add("GET", c, get_channel)
    r.add("PATCH", c, edit_channel)
    r.add("DELETE", c, delete_channel)
    r.add("PUT", f"{c}/permissions/{{target_id}}", put_overwrite)
    r.add("DELETE", f"{c}/permissions/{{target_id}}", delete_overwrite)
    r.add("POST", f"{c}/threads", create_thread)
    r.add("POST", f"{c}/messages/{{message_id}}/threads", thread_from_message)
    member = f"{c}/thread-members/{{user_id:[0-9]+|@me}}"
    r.add("PUT", member, add_thread_member)
    r.add("DELETE", member, remove_thread_member)
    r.add("GET", member, get_thread_member)
    r.add("GET", f"{c}/thread-members", list_thread_members)
    r.add("GET", f"{c}/threads/archived/{{kind:public|private}}", archived_threads)
    r.add("GET", "/guilds/{guild_id}/threads/active", active_threads)
