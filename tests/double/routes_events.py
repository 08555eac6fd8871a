"""REST: guild scheduled events."""

from __future__ import annotations

import copy
from typing import Any

from . import permissions as P
from .routes_guilds import bot_base, guild_for
from .server import Ctx, Router
from .util import ApiError, invalid_form, missing_permissions, nest_error, parse_iso
from .world import VOICE, GuildState

STAGE, EXTERNAL = 1, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
TRANSITIONS = {SCHEDULED: {ACTIVE, CANCELED}, ACTIVE: {COMPLETED}}
FIELDS = ("name", "description", "scheduled_start_time", "scheduled_end_time", "privacy_level", "entity_type",
          "channel_id", "entity_metadata", "recurrence_rule", "image")


def _bad(path: str, code: str, message: str) -> ApiError:
    return invalid_form(nest_error([path], code, message))


def _validate(ctx: Ctx, guild: GuildState, event: dict[str, Any], *, creating: bool) -> None:
    name = event.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise _bad("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if len(event.get("description") or "") > 1000:
        raise _bad("description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
    if event.get("privacy_level") != 2:
        raise _bad("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    etype = event.get("entity_type")
    if etype not in (STAGE, 2, EXTERNAL):
        raise _bad("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start_raw = event.get("scheduled_start_time")
    if not start_raw:
        raise _bad("scheduled_start_time", "BASE_TYPE_REQUIRED", "This field is required")
    start = parse_iso(start_raw)
    if start.tzinfo is None:
        raise _bad("scheduled_start_time", "DATE_TIME_TYPE_INVALID", "Timestamp needs a time zone")
    if creating and start <= ctx.double.now():
        raise _bad("scheduled_start_time", "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.")
    end_raw = event.get("scheduled_end_time")
    if end_raw and parse_iso(end_raw) <= start:
        raise _bad("scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                   "Cannot schedule event to end before starting.")
    if etype == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location")
        if not location or len(location) > 100:
            raise _bad("entity_metadata", "BASE_TYPE_REQUIRED", "An external event needs a location (1-100).")
        if not end_raw:
            raise _bad("scheduled_end_time", "BASE_TYPE_REQUIRED", "An external event needs an end time.")
        if event.get("channel_id") is not None:
            raise _bad("channel_id", "BASE_TYPE_NULL", "An external event has no channel.")
    else:
        if not event.get("channel_id"):
            raise _bad("channel_id", "BASE_TYPE_REQUIRED", "This field is required")
        ch = ctx.double.world.channel(int(event["channel_id"]))
        if ch.get("guild_id") != str(guild.id) or ch["type"] != (13 if etype == STAGE else VOICE):
            raise _bad("channel_id", "CHANNEL_TYPE_INVALID", "The channel type does not match the entity type.")


def _event(ctx: Ctx, guild: GuildState) -> dict[str, Any]:
    event = ctx.double.world.scheduled_events.get(ctx.id("event_id"))
    if event is None or event["guild_id"] != str(guild.id):
        raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
    return event


def _require_events(ctx: Ctx, guild: GuildState, *, own: bool) -> None:
    perms = bot_base(ctx, guild)
    needed = P.CREATE_EVENTS | P.MANAGE_EVENTS if own else P.MANAGE_EVENTS
    if not perms & needed:
        raise missing_permissions()


async def create_event(ctx: Ctx) -> Any:
    d = ctx.double
    guild = guild_for(ctx)
    _require_events(ctx, guild, own=True)
    body = ctx.body
    draft = {k: body.get(k) for k in FIELDS}
    _validate(ctx, guild, draft, creating=True)
    event = {
        "id": str(d.ids.next()),
        "guild_id": str(guild.id),
        "channel_id": None if draft["channel_id"] is None else str(draft["channel_id"]),
        "creator_id": str(d.bot_user_id),
        "creator": d.world.user(d.bot_user_id),
        "name": draft["name"],
        "description": draft["description"],
        "scheduled_start_time": draft["scheduled_start_time"],
        "scheduled_end_time": draft["scheduled_end_time"],
        "privacy_level": 2,
        "status": SCHEDULED,
        "entity_type": draft["entity_type"],
        "entity_id": None,
        "entity_metadata": draft["entity_metadata"],
        "user_count": 0,
        "image": None,
        "recurrence_rule": draft["recurrence_rule"],
    }
    d.world.scheduled_events[int(event["id"])] = event
    d.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", copy.deepcopy(event))
    return copy.deepcopy(event)


async def edit_event(ctx: Ctx) -> Any:
    d = ctx.double
    guild = guild_for(ctx)
    event = _event(ctx, guild)
    _require_events(ctx, guild, own=event["creator_id"] == str(d.bot_user_id))
    body = ctx.body
    if event["status"] in (COMPLETED, CANCELED):
        raise ApiError(400, 180000, "Cannot update a finished event")
    merged = dict(event, **{k: body[k] for k in FIELDS if k in body})
    if body.get("entity_type") == EXTERNAL and "channel_id" not in body:
        merged["channel_id"] = None
    _validate(ctx, guild, merged, creating="scheduled_start_time" in body and event["status"] == SCHEDULED)
    if "status" in body and body["status"] != event["status"]:
        if int(body["status"]) not in TRANSITIONS.get(event["status"], set()):
            raise _bad("status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", "Invalid status transition")
        merged["status"] = int(body["status"])
    if merged["channel_id"] is not None:
        merged["channel_id"] = str(merged["channel_id"])
    event.update(merged)
    d.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", copy.deepcopy(event))
    return copy.deepcopy(event)


async def delete_event(ctx: Ctx) -> Any:
    d = ctx.double
    guild = guild_for(ctx)
    event = _event(ctx, guild)
    _require_events(ctx, guild, own=event["creator_id"] == str(d.bot_user_id))
    del d.world.scheduled_events[int(event["id"])]
    d.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", copy.deepcopy(event))
    return None


async def get_event(ctx: Ctx) -> Any:
    return copy.deepcopy(_event(ctx, guild_for(ctx)))


async def list_events(ctx: Ctx) -> Any:
    guild = guild_for(ctx)
    return [copy.deepcopy(e) for e in ctx.double.world.scheduled_events.values() if e["guild_id"] == str(guild.id)]


async def event_users(ctx: Ctx) -> Any:
    _event(ctx, guild_for(ctx))
    return []


def register(r: Router) -> None:
    base = "/guilds/{guild_id}/scheduled-events"
    r.add("GET", base, list_events)
    r.add("POST", base, create_event)
    r.add("GET", f"{base}/{{event_id}}", get_event)
    r.add("PATCH", f"{base}/{{event_id}}", edit_event)
    r.add("DELETE", f"{base}/{{event_id}}", delete_event)
    r.add("GET", f"{base}/{{event_id}}/users", event_users)
