"""REST: guilds, guild channels, roles and members (with Discord's role-hierarchy rules)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from . import permissions as P
from .gateway import GUILD_MEMBERS
from .server import Ctx, Router
from .util import ApiError, invalid_form, missing_permissions, nest_error, parse_iso
from .world import CATEGORY, FORUM, MEDIA, NEWS, TEXT, VOICE, GuildState

CREATABLE_TYPES = (TEXT, VOICE, CATEGORY, NEWS, 13, FORUM, MEDIA)
ROLE_FIELDS = ("name", "color", "colors", "hoist", "icon", "unicode_emoji", "mentionable")


def guild_for(ctx: Ctx) -> GuildState:
    guild = ctx.double.world.guild(ctx.id("guild_id"))
    if ctx.double.bot_user_id not in guild.members:
        raise ApiError(403, 50001, "Missing Access")
    return guild


def bot_base(ctx: Ctx, guild: GuildState) -> int:
    return ctx.double.world.base_permissions(guild.id, ctx.double.bot_user_id)


def require_guild(ctx: Ctx, guild: GuildState, *flags: int) -> int:
    perms = bot_base(ctx, guild)
    if not P.has(perms, *flags):
        raise missing_permissions()
    return perms


def _bot_is_owner(ctx: Ctx, guild: GuildState) -> bool:
    return guild.owner_id == ctx.double.bot_user_id


def check_role_below_bot(ctx: Ctx, guild: GuildState, role: dict[str, Any]) -> None:
    if _bot_is_owner(ctx, guild):
        return
    if role["position"] >= ctx.double.world.top_role_position(guild.id, ctx.double.bot_user_id):
        raise missing_permissions()


def check_member_below_bot(ctx: Ctx, guild: GuildState, user_id: int) -> None:
    if _bot_is_owner(ctx, guild):
        return
    world = ctx.double.world
    if user_id == guild.owner_id:
        raise missing_permissions()
    if world.top_role_position(guild.id, user_id) >= world.top_role_position(guild.id, ctx.double.bot_user_id):
        raise missing_permissions()


def check_grantable(ctx: Ctx, guild: GuildState, permissions: int) -> None:
    perms = bot_base(ctx, guild)
    if perms != P.ALL and permissions & ~perms:
        raise missing_permissions()


# --------------------------------------------------------------------- guild
async def get_guild(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    data = ctx.double.world.guild_payload(guild.id)
    if ctx.query.get("with_counts") in ("1", "true", "True"):
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return data


async def list_channels(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    return [copy.deepcopy(c) for c in ctx.double.world.channels.values()
            if c.get("guild_id") == str(guild.id) and "thread_metadata" not in c]


async def create_channel(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    body = ctx.body
    perms = require_guild(ctx, guild, P.MANAGE_CHANNELS)
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise invalid_form(nest_error(["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
    ctype = int(body.get("type") or 0)
    if ctype not in CREATABLE_TYPES:
        raise invalid_form(nest_error(["type"], "BASE_TYPE_CHOICES", f"Value {ctype} is not a valid channel type"))
    overwrites = body.get("permission_overwrites") or []
    if overwrites:
        if not perms & P.MANAGE_ROLES:
            raise missing_permissions()
        for ow in overwrites:
            check_grantable(ctx, guild, int(ow.get("allow", 0)) | int(ow.get("deny", 0)))
    extra = {k: body[k] for k in ("topic", "nsfw", "rate_limit_per_user", "bitrate", "user_limit",
                                   "default_auto_archive_duration", "available_tags") if k in body}
    parent = int(body["parent_id"]) if body.get("parent_id") else None
    ch = ctx.double.world.create_channel(guild.id, name, ctype, overwrites, parent, **extra)
    if "position" in body and body["position"] is not None:
        ch["position"] = int(body["position"])
    ctx.double.emit_channel("CHANNEL_CREATE", ch)
    return copy.deepcopy(ch)


async def move_channels(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_CHANNELS)
    for entry in ctx.json or []:
        ch = ctx.double.world.channel(int(entry["id"]))
        if "position" in entry and entry["position"] is not None:
            ch["position"] = int(entry["position"])
        if "parent_id" in entry:
            ch["parent_id"] = None if entry["parent_id"] is None else str(entry["parent_id"])
        ctx.double.emit_channel("CHANNEL_UPDATE", ch)
    return None


# --------------------------------------------------------------------- roles
async def list_roles(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    return [copy.deepcopy(r) for r in sorted(guild.roles.values(), key=lambda r: r["position"])]


async def get_role(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    return copy.deepcopy(ctx.double.world.role(guild.id, ctx.id("role_id")))


async def create_role(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_ROLES)
    body = ctx.body
    permissions = int(body.get("permissions") or 0)
    check_grantable(ctx, guild, permissions)
    if len(guild.roles) >= 250:
        raise ApiError(400, 30005, "Maximum number of guild roles reached (250)")
    extra = {k: body[k] for k in ROLE_FIELDS if k in body and k != "name"}
    before = ctx.double.world.role_positions(guild.id)
    role = ctx.double.world.create_role(guild.id, body.get("name") or "new role", permissions, position=1, **extra)
    ctx.double.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": copy.deepcopy(role)})
    ctx.double.emit_role_moves(guild.id, before)
    return copy.deepcopy(role)


async def edit_role(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_ROLES)
    role = ctx.double.world.role(guild.id, ctx.id("role_id"))
    check_role_below_bot(ctx, guild, role)
    body = ctx.body
    if "permissions" in body and body["permissions"] is not None:
        check_grantable(ctx, guild, int(body["permissions"]))
        role["permissions"] = str(int(body["permissions"]))
    for key in ROLE_FIELDS:
        if key in body:
            role[key] = body[key]
    ctx.double.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": copy.deepcopy(role)})
    return copy.deepcopy(role)


async def move_roles(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_ROLES)
    for entry in ctx.json or []:
        role = ctx.double.world.role(guild.id, int(entry["id"]))
        check_role_below_bot(ctx, guild, role)
        role["position"] = int(entry["position"])
        check_role_below_bot(ctx, guild, role)
        ctx.double.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": copy.deepcopy(role)})
    return await list_roles(ctx)


async def delete_role(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_ROLES)
    role = ctx.double.world.role(guild.id, ctx.id("role_id"))
    if role["managed"] or role["id"] == str(guild.id):
        raise ApiError(400, 50028, "Invalid Role")
    check_role_below_bot(ctx, guild, role)
    del guild.roles[int(role["id"])]
    for member in guild.members.values():
        if role["id"] in member["roles"]:
            member["roles"].remove(role["id"])
    ctx.double.gateway.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": role["id"]})
    return None


# ------------------------------------------------------------------- members
async def get_member(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    return ctx.double.world.member_payload(guild.id, ctx.id("user_id"))


def _require_members_intent(ctx: Ctx) -> None:
    d = ctx.double
    if d.require_intents and not d.enabled_privileged_intents & GUILD_MEMBERS:
        raise ApiError(403, 50001, "Missing Access")


async def list_members(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    _require_members_intent(ctx)
    limit = max(1, min(1000, int(ctx.query.get("limit", 1))))
    after = int(ctx.query.get("after", 0))
    ids = sorted(uid for uid in guild.members if uid > after)[:limit]
    return [ctx.double.world.member_payload(guild.id, uid) for uid in ids]


async def search_members(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    query = ctx.query.get("query", "").lower()
    limit = max(1, min(1000, int(ctx.query.get("limit", 1))))
    world = ctx.double.world
    found = []
    for uid, record in guild.members.items():
        user = world.users[uid]
        names = [user["username"], user.get("global_name") or "", record.get("nick") or ""]
        if any(n.lower().startswith(query) for n in names):
            found.append(world.member_payload(guild.id, uid))
    return found[:limit]


def _set_roles(ctx: Ctx, guild: GuildState, user_id: int, wanted: list[int]) -> None:
    world = ctx.double.world
    record = world.member_record(guild.id, user_id)
    current = {int(r) for r in record["roles"]}
    for rid in current.symmetric_difference(wanted):
        role = world.role(guild.id, rid)
        if role["managed"]:
            raise missing_permissions()
        check_role_below_bot(ctx, guild, role)
    record["roles"] = [str(r) for r in dict.fromkeys(wanted)]


async def edit_member(ctx: Ctx) -> Any:
    d = ctx.double
    guild = guild_for(ctx)
    is_me = ctx.params["user_id"] == "@me"
    uid = d.bot_user_id if is_me else int(ctx.params["user_id"])
    record = d.world.member_record(guild.id, uid)
    body = ctx.body
    if "nick" in body:
        if uid == d.bot_user_id:
            require_guild(ctx, guild, P.CHANGE_NICKNAME)
        else:
            require_guild(ctx, guild, P.MANAGE_NICKNAMES)
            check_member_below_bot(ctx, guild, uid)
        nick = body["nick"] or None
        if nick is not None and len(nick) > 32:
            raise invalid_form(nest_error(["nick"], "BASE_TYPE_MAX_LENGTH", "Must be 32 or fewer in length."))
        record["nick"] = nick
    if "roles" in body and not is_me:
        require_guild(ctx, guild, P.MANAGE_ROLES)
        _set_roles(ctx, guild, uid, [int(r) for r in body["roles"] or []])
    if "communication_disabled_until" in body and not is_me:
        _timeout(ctx, guild, uid, body["communication_disabled_until"])
    for key in ("mute", "deaf", "flags"):
        if key in body and not is_me:
            record[key] = body[key]
    d.emit_member_update(guild.id, uid)
    return d.world.member_payload(guild.id, uid)


def _timeout(ctx: Ctx, guild: GuildState, user_id: int, until: str | None) -> None:
    d = ctx.double
    require_guild(ctx, guild, P.MODERATE_MEMBERS)
    check_member_below_bot(ctx, guild, user_id)
    if d.world.base_permissions(guild.id, user_id) & P.ADMINISTRATOR:
        raise missing_permissions()
    if until is not None:
        when = parse_iso(until)
        if when > d.now() + timedelta(days=28):
            raise invalid_form(nest_error(["communication_disabled_until"], "BASE_TYPE_BAD_TIME",
                                          "Timeout cannot exceed 28 days"))
        if when <= d.now():
            until = None
    d.world.member_record(guild.id, user_id)["communication_disabled_until"] = until


async def add_member_role(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_ROLES)
    uid, rid = ctx.id("user_id"), ctx.id("role_id")
    record = ctx.double.world.member_record(guild.id, uid)
    if str(rid) not in record["roles"]:
        _set_roles(ctx, guild, uid, [int(r) for r in record["roles"]] + [rid])
        ctx.double.emit_member_update(guild.id, uid)
    return None


async def remove_member_role(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.MANAGE_ROLES)
    uid, rid = ctx.id("user_id"), ctx.id("role_id")
    record = ctx.double.world.member_record(guild.id, uid)
    ctx.double.world.role(guild.id, rid)
    if str(rid) in record["roles"]:
        _set_roles(ctx, guild, uid, [int(r) for r in record["roles"] if int(r) != rid])
        ctx.double.emit_member_update(guild.id, uid)
    return None


async def kick_member(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    require_guild(ctx, guild, P.KICK_MEMBERS)
    uid = ctx.id("user_id")
    ctx.double.world.member_record(guild.id, uid)
    check_member_below_bot(ctx, guild, uid)
    ctx.double.remove_member(guild.id, uid)
    return None


def register(r: Router) -> None:
    g = "/guilds/{guild_id}"
    r.add("GET", g, get_guild)
    r.add("GET", f"{g}/channels", list_channels)
    r.add("POST", f"{g}/channels", create_channel)
    r.add("PATCH", f"{g}/channels", move_channels)
    r.add("GET", f"{g}/roles", list_roles)
    r.add("POST", f"{g}/roles", create_role)
    r.add("PATCH", f"{g}/roles", move_roles)
    r.add("GET", f"{g}/roles/{{role_id}}", get_role)
    r.add("PATCH", f"{g}/roles/{{role_id}}", edit_role)
    r.add("DELETE", f"{g}/roles/{{role_id}}", delete_role)
    r.add("GET", f"{g}/members", list_members)
    r.add("GET", f"{g}/members/search", search_members)
    r.add("GET", f"{g}/members/{{user_id}}", get_member)
    r.add("PATCH", f"{g}/members/{{user_id:[0-9]+|@me}}", edit_member)
    r.add("DELETE", f"{g}/members/{{user_id}}", kick_member)
    r.add("PUT", f"{g}/members/{{user_id}}/roles/{{role_id}}", add_member_role)
    r.add("DELETE", f"{g}/members/{{user_id}}/roles/{{role_id}}", remove_member_role)
