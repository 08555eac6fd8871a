"""REST: the bot user, the application, gateway discovery and application commands."""

from __future__ import annotations

from typing import Any

from .server import Ctx, Router
from .util import ApiError, not_found


def _app(ctx: Ctx) -> None:
    if ctx.id("application_id") != ctx.double.application_id:
        raise ApiError(403, 50001, "Missing Access")


def _guild_scope(ctx: Ctx) -> int:
    _app(ctx)
    gid = ctx.id("guild_id")
    guild = ctx.double.world.guilds.get(gid)
    if guild is None or ctx.double.bot_user_id not in guild.members:
        raise ApiError(403, 50001, "Missing Access")
    return gid


async def get_me(ctx: Ctx) -> Any:
    user = ctx.double.world.user(ctx.double.bot_user_id)
    user.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
    return user


async def patch_me(ctx: Ctx) -> Any:
    user = ctx.double.world.users[ctx.double.bot_user_id]
    if "username" in ctx.body:
        user["username"] = ctx.body["username"]
    return await get_me(ctx)


async def get_user(ctx: Ctx) -> Any:
    return ctx.double.world.user(ctx.id("user_id"))


async def my_guilds(ctx: Ctx) -> Any:
    d = ctx.double
    out = []
    for g in d.world.guilds.values():
        if d.bot_user_id in g.members:
            perms = d.world.base_permissions(g.id, d.bot_user_id)
            out.append({"id": str(g.id), "name": g.name, "icon": None, "banner": None, "owner": False,
                        "permissions": str(perms), "features": list(g.features)})
    return out


async def leave_guild(ctx: Ctx) -> Any:
    ctx.double.remove_member(ctx.id("guild_id"), ctx.double.bot_user_id)
    return None


async def create_dm(ctx: Ctx) -> Any:
    recipient = int(ctx.body.get("recipient_id", 0))
    if recipient == ctx.double.bot_user_id:
        raise ApiError(400, 50007, "Cannot send messages to this user")
    return dict(ctx.double.world.open_dm(recipient))


async def application_info(ctx: Ctx) -> Any:
    d = ctx.double
    return {
        "id": str(d.application_id),
        "name": d.world.users[d.bot_user_id]["username"],
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": d.world.user(d.developer_user_id),
        "team": None,
        "flags": d.application_flags,
        "bot": d.world.user(d.bot_user_id),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
        "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
        "integration_types_config": {"0": {}},
        "approximate_guild_count": len(d.world.guilds),
    }


async def gateway(ctx: Ctx) -> Any:
    return {"url": ctx.double.gateway_url}


async def gateway_bot(ctx: Ctx) -> Any:
    return {
        "url": ctx.double.gateway_url,
        "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86400000, "max_concurrency": 1},
    }


# ------------------------------------------------------------------ commands
def _scope(ctx: Ctx) -> int | None:
    if "guild_id" in ctx.params:
        return _guild_scope(ctx)
    _app(ctx)
    return None


async def list_commands(ctx: Ctx) -> Any:
    return ctx.double.commands.list(_scope(ctx))


async def bulk_commands(ctx: Ctx) -> Any:
    return ctx.double.commands.bulk_overwrite(ctx.json, _scope(ctx))


async def create_command(ctx: Ctx) -> Any:
    return ctx.double.commands.upsert(ctx.body, _scope(ctx))


async def get_command(ctx: Ctx) -> Any:
    return dict(ctx.double.commands.get(ctx.id("command_id"), _scope(ctx)))


async def edit_command(ctx: Ctx) -> Any:
    return ctx.double.commands.edit(ctx.id("command_id"), ctx.body, _scope(ctx))


async def delete_command(ctx: Ctx) -> Any:
    ctx.double.commands.delete(ctx.id("command_id"), _scope(ctx))
    return None


async def command_permissions(ctx: Ctx) -> Any:
    _guild_scope(ctx)
    if "command_id" in ctx.params:
        raise not_found(10066, "application command permissions")
    return []


def register(r: Router) -> None:
    r.add("GET", "/users/@me", get_me)
    r.add("PATCH", "/users/@me", patch_me)
    r.add("GET", "/users/@me/guilds", my_guilds)
    r.add("DELETE", "/users/@me/guilds/{guild_id}", leave_guild)
    r.add("POST", "/users/@me/channels", create_dm)
    r.add("GET", "/users/{user_id}", get_user)
    r.add("GET", "/oauth2/applications/@me", application_info)
    r.add("GET", "/applications/@me", application_info)
    r.add("GET", "/gateway", gateway, auth=False)
    r.add("GET", "/gateway/bot", gateway_bot)
    for base in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
        r.add("GET", f"{base}/commands", list_commands)
        r.add("PUT", f"{base}/commands", bulk_commands)
        r.add("POST", f"{base}/commands", create_command)
        r.add("GET", f"{base}/commands/{{command_id}}", get_command)
        r.add("PATCH", f"{base}/commands/{{command_id}}", edit_command)
        r.add("DELETE", f"{base}/commands/{{command_id}}", delete_command)
    r.add("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions", command_permissions)
    r.add("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}/permissions",
          command_permissions)
