"""Interaction payloads as Discord builds them, and the handle a test uses to see the answer."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import secrets
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .messages import EPHEMERAL
from .util import ApiError
from .world import DM, THREAD_TYPES

if TYPE_CHECKING:
    from .double import DiscordDouble

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class InteractionHandle:
    """One interaction the double dispatched, and everything the bot did with its token."""

    def __init__(self, double: DiscordDouble, payload: dict[str, Any]) -> None:
        self._double = double
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.sent_at = time.monotonic()
        self.callback: dict[str, Any] | None = None
        self.callback_files: list[tuple[str, bytes, str]] = []
        self.callback_at: float | None = None
        self.late_at: float | None = None  # when a too-late callback arrived
        self.original_message_id: int | None = None
        self.followups: list[dict[str, Any]] = []
        self.followup_messages: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.deleted_original = False
        self.parent: InteractionHandle | None = None  # the interaction whose modal this submits
        self._followup_cursor = 0
        self._edit_cursor = 0
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.type} answered={self.callback is not None}>"

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    @property
    def deadline(self) -> float:
        return self._double.interaction_deadline

    @property
    def guild_id(self) -> int | None:
        gid = self.payload.get("guild_id")
        return int(gid) if gid else None

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def acknowledged(self) -> bool:
        return self.callback is not None

    @property
    def late(self) -> bool:
        return self.late_at is not None

    @property
    def response_type(self) -> int | None:
        return None if self.callback is None else int(self.callback.get("type", 0))

    @property
    def modal(self) -> dict[str, Any] | None:
        if self.callback is not None and self.callback.get("type") == MODAL:
            return self.callback.get("data")
        return None

    @property
    def ephemeral(self) -> bool:
        if self.callback is None or self.callback.get("type") not in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            return False
        return bool(int((self.callback.get("data") or {}).get("flags") or 0) & EPHEMERAL)

    @property
    def message(self) -> dict[str, Any] | None:
        """The response message (``@original``) as currently stored, or None."""
        if self.original_message_id is None:
            return None
        try:
            return copy.deepcopy(self._double.world.find_message(self.original_message_id))
        except ApiError:
            return None

    async def _wait(self, predicate: Any, within: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    def response(self, timeout: float = 5.0) -> Coroutine[Any, Any, dict[str, Any]]:
        """Await the callback body ({type, data}); AssertionError when missing or later than the deadline."""
        return self._response(timeout)

    async def _response(self, within: float) -> dict[str, Any]:
        limit = f"interaction not answered within {self.deadline:g} s"
        wait = min(within, max(0.0, self.sent_at + self.deadline - time.monotonic()) + 0.1)
        await self._wait(lambda: self.callback is not None or self.late_at is not None, wait)
        if self.late_at is not None:
            raise AssertionError(f"{limit} (the answer came after {self.late_at - self.sent_at:.2f} s)")
        if self.callback is None:
            raise AssertionError(limit)
        return self.callback

    def wait_followup(self, timeout: float = 5.0) -> Coroutine[Any, Any, dict[str, Any]]:
        """Await the next follow-up body not yet returned by this method."""
        return self._next_followup(timeout)

    async def _next_followup(self, within: float) -> dict[str, Any]:
        index = self._followup_cursor
        if not await self._wait(lambda: len(self.followups) > index, within):
            raise AssertionError(f"no follow-up #{index + 1} within {within} s")
        self._followup_cursor += 1
        return self.followups[index]

    def wait_edit(self, timeout: float = 5.0) -> Coroutine[Any, Any, dict[str, Any]]:
        """Await the next PATCH body (of @original or a follow-up) not yet returned by this method."""
        return self._next_edit(timeout)

    async def _next_edit(self, within: float) -> dict[str, Any]:
        index = self._edit_cursor
        if not await self._wait(lambda: len(self.edits) > index, within):
            raise AssertionError(f"no edit #{index + 1} within {within} s")
        self._edit_cursor += 1
        return self.edits[index]


# --------------------------------------------------------------------------- payloads
def interaction_channel(double: DiscordDouble, channel_id: int, user_id: int) -> dict[str, Any]:
    """The partial channel object of an interaction: the channel plus the user's permissions."""
    world = double.world
    ch = copy.deepcopy(world.channel(channel_id))
    ch["permissions"] = str(world.channel_permissions(channel_id, user_id))
    return ch


def resolved_member(double: DiscordDouble, guild_id: int, user_id: int, channel_id: int) -> dict[str, Any]:
    member = double.world.member_payload(guild_id, user_id, with_user=False)
    member["permissions"] = str(double.world.channel_permissions(channel_id, user_id))
    return member


def resolved_channel(double: DiscordDouble, channel_id: int, user_id: int) -> dict[str, Any]:
    ch = double.world.channel(channel_id)
    out = {k: ch[k] for k in ("id", "name", "type", "parent_id", "flags") if k in ch}
    out["permissions"] = str(double.world.channel_permissions(channel_id, user_id))
    if ch["type"] in THREAD_TYPES:
        out["thread_metadata"] = copy.deepcopy(ch["thread_metadata"])
        for key in ("owner_id", "member_count", "message_count", "rate_limit_per_user", "total_message_sent"):
            out[key] = ch[key]
    return out


def add_resolved(
    double: DiscordDouble, resolved: dict[str, Any], kind: str, object_id: int, *,
    guild_id: int | None, channel_id: int, user_id: int,
) -> None:
    """Fill ``resolved`` for one id; kind is user, role, channel, mentionable or message."""
    world = double.world
    key = str(object_id)
    if kind == "mentionable":
        kind = "user" if object_id in world.users else "role"
    if kind == "user":
        resolved.setdefault("users", {})[key] = world.user(object_id)
        if guild_id is not None and object_id in world.guild(guild_id).members:
            resolved.setdefault("members", {})[key] = resolved_member(double, guild_id, object_id, channel_id)
    elif kind == "role":
        if guild_id is None:
            raise ValueError("role options only exist in guilds")
        resolved.setdefault("roles", {})[key] = copy.deepcopy(world.role(guild_id, object_id))
    elif kind == "channel":
        resolved.setdefault("channels", {})[key] = resolved_channel(double, object_id, user_id)
    elif kind == "message":
        resolved.setdefault("messages", {})[key] = copy.deepcopy(world.find_message(object_id))
    else:
        raise ValueError(f"cannot resolve a {kind}")


def default_channel(double: DiscordDouble, guild_id: int | None, user_id: int) -> int:
    world = double.world
    if guild_id is None:
        return int(world.open_dm(user_id)["id"])
    for ch in world.channels.values():
        if ch.get("guild_id") == str(guild_id) and ch["type"] == 0:
            return int(ch["id"])
    raise ValueError(f"guild {guild_id} has no text channel; pass channel_id or add one with add_channel()")


def base_payload(
    double: DiscordDouble, itype: int, data: dict[str, Any] | None, *,
    guild_id: int | None, channel_id: int | None, user_id: int, locale: str,
) -> dict[str, Any]:
    world = double.world
    if channel_id is None:
        channel_id = default_channel(double, guild_id, user_id)
    ch = world.channel(channel_id)
    if guild_id is None and ch.get("guild_id"):
        guild_id = int(ch["guild_id"])
    payload: dict[str, Any] = {
        "id": str(double.ids.next()),
        "application_id": str(double.application_id),
        "type": itype,
        "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48),
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "channel_id": str(channel_id),
        "channel": interaction_channel(double, channel_id, user_id),
    }
    if data is not None:
        payload["data"] = data
    if guild_id is not None:
        guild = world.guild(guild_id)
        member = world.member_payload(guild_id, user_id)
        member["permissions"] = str(world.channel_permissions(channel_id, user_id))
        payload.update(
            guild_id=str(guild_id),
            guild={"id": str(guild_id), "locale": guild.preferred_locale, "features": list(guild.features)},
            guild_locale=guild.preferred_locale,
            member=member,
            app_permissions=str(world.channel_permissions(channel_id, double.bot_user_id)),
            authorizing_integration_owners={"0": str(guild_id)},
            context=0,
        )
    else:
        if ch["type"] != DM:
            raise ValueError("a DM interaction needs a DM channel")
        payload.update(
            user=world.user(user_id),
            app_permissions=str(P.DM_PERMISSIONS),
            authorizing_integration_owners={"0": "0"},
            context=1,
        )
    return payload
