"""Driving the bot as Discord would: interactions and user messages over the gateway."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .builders import (
    Resolver,
    component_data,
    context_data,
    find_component,
    modal_components,
    slash_data,
)
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
    base_payload,
    default_channel,
)
from .util import ApiError
from .world import DM, MESSAGEABLE_TYPES, THREAD_TYPES

if TYPE_CHECKING:
    from .double import DiscordDouble

AttachmentSpec = tuple[str, bytes] | tuple[str, bytes, str]


class DriverMixin:
    """Methods of ``DiscordDouble`` that make Discord users act."""

    # ------------------------------------------------------------------ helpers
    def _me(self) -> DiscordDouble:
        return self  # type: ignore[return-value]

    def _check_member(self, guild_id: int | None, user_id: int) -> None:
        d = self._me()
        if user_id not in d.world.users:
            raise LookupError(f"user {user_id} does not exist; add_member() first")
        if guild_id is not None and user_id not in d.world.guild(guild_id).members:
            raise LookupError(f"user {user_id} is not a member of guild {guild_id}")

    async def _dispatch_interaction(
        self, payload: dict[str, Any], parent: InteractionHandle | None = None
    ) -> InteractionHandle:
        d = self._me()
        if d.gateway.current is None:
            raise RuntimeError("no bot has identified with the double; start the bot and await d.wait_ready()")
        handle = InteractionHandle(d, payload)
        handle.parent = parent
        d.interactions[handle.id] = handle
        d.handles_by_token[handle.token] = handle
        sent = d.gateway.dispatch("INTERACTION_CREATE", payload)
        if sent is not None:
            await sent
        handle.sent_at = time.monotonic()
        return handle

    def _context(
        self, guild_id: int | None, user_id: int, channel_id: int | None
    ) -> tuple[int | None, int, Resolver]:
        d = self._me()
        if channel_id is None:
            channel_id = default_channel(d, guild_id, user_id)
        ch = d.world.channel(channel_id)
        if guild_id is None and ch.get("guild_id"):
            guild_id = int(ch["guild_id"])
        self._check_member(guild_id, user_id)
        return guild_id, channel_id, Resolver(d, guild_id, channel_id, user_id)

    # ------------------------------------------------------------- interactions
    async def slash(
        self,
        guild_id: int | None,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | Sequence[dict[str, Any]] | None = None,
        *,
        sub: str | None = None,
        sub_group: str | None = None,
        locale: str = "fi",
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """Run ``/name`` (``"group sub"`` works too). Dict options are typed from the registered command."""
        d = self._me()
        guild_id, channel_id, resolver = self._context(guild_id, user_id, channel_id)
        data = slash_data(d, guild_id, name, options, sub=sub, sub_group=sub_group, resolver=resolver)
        payload = base_payload(d, APPLICATION_COMMAND, data, guild_id=guild_id, channel_id=channel_id,
                               user_id=user_id, locale=locale)
        return await self._dispatch_interaction(payload)

    async def autocomplete(
        self,
        guild_id: int | None,
        user_id: int,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        sub: str | None = None,
        sub_group: str | None = None,
        locale: str = "fi",
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """An autocomplete request while the user types ``options[focused]``."""
        d = self._me()
        guild_id, channel_id, resolver = self._context(guild_id, user_id, channel_id)
        data = slash_data(d, guild_id, name, options, sub=sub, sub_group=sub_group, resolver=resolver,
                          focused=focused)
        payload = base_payload(d, AUTOCOMPLETE, data, guild_id=guild_id, channel_id=channel_id,
                               user_id=user_id, locale=locale)
        return await self._dispatch_interaction(payload)

    async def user_context(
        self, guild_id: int | None, user_id: int, name: str, target_user_id: int, *,
        channel_id: int | None = None, locale: str = "fi",
    ) -> InteractionHandle:
        d = self._me()
        guild_id, channel_id, resolver = self._context(guild_id, user_id, channel_id)
        data = context_data(d, guild_id, name, 2, target_user_id, resolver)
        payload = base_payload(d, APPLICATION_COMMAND, data, guild_id=guild_id, channel_id=channel_id,
                               user_id=user_id, locale=locale)
        return await self._dispatch_interaction(payload)

    async def message_context(
        self, guild_id: int | None, user_id: int, name: str, target_message_id: int,
        channel_id: int | None = None, *, locale: str = "fi",
    ) -> InteractionHandle:
        d = self._me()
        if channel_id is None:
            channel_id = int(d.world.find_message(target_message_id)["channel_id"])
        guild_id, channel_id, resolver = self._context(guild_id, user_id, channel_id)
        data = context_data(d, guild_id, name, 3, target_message_id, resolver)
        payload = base_payload(d, APPLICATION_COMMAND, data, guild_id=guild_id, channel_id=channel_id,
                               user_id=user_id, locale=locale)
        return await self._dispatch_interaction(payload)

    async def click(
        self,
        channel_id: int,
        message_id: int,
        custom_id: str,
        user_id: int,
        guild_id: int | None = None,
        values: Sequence[Any] | None = None,
        component_type: int = 2,
        *,
        locale: str = "fi",
    ) -> InteractionHandle:
        """Press a button (or choose ``values`` in a select) on a message the double knows."""
        d = self._me()
        message = d.world.find_message(message_id, channel_id)
        component = find_component(message, custom_id)
        guild_id, channel_id, resolver = self._context(guild_id, user_id, channel_id)
        data = component_data(component, custom_id, component_type, values, resolver)
        payload = base_payload(d, MESSAGE_COMPONENT, data, guild_id=guild_id, channel_id=channel_id,
                               user_id=user_id, locale=locale)
        payload["message"] = copy.deepcopy(message)
        return await self._dispatch_interaction(payload)

    def _find_modal(self, user_id: int, custom_id: str) -> InteractionHandle | None:
        d = self._me()
        opened = [h for h in d.interactions.values() if (h.modal or {}).get("custom_id") == custom_id]
        mine = [h for h in opened if _invoker(h) == user_id]
        return (mine or opened or [None])[-1]

    async def submit_modal(
        self,
        user_id: int,
        custom_id: str,
        components: Mapping[str, Any] | Sequence[dict[str, Any]],
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "fi",
    ) -> InteractionHandle:
        """Submit a modal. ``components`` is the raw submit shape or {input custom_id: value}."""
        d = self._me()
        parent = self._find_modal(user_id, custom_id)
        if parent is not None:
            guild_id = guild_id if guild_id is not None else parent.guild_id
            channel_id = channel_id if channel_id is not None else parent.channel_id
        guild_id, channel_id, resolver = self._context(guild_id, user_id, channel_id)
        if isinstance(components, Mapping):
            submitted = modal_components(parent.modal if parent else None, components, resolver)
        else:
            submitted = copy.deepcopy(list(components))
        data: dict[str, Any] = {"custom_id": custom_id, "components": submitted}
        if resolver.data:
            data["resolved"] = resolver.data
        payload = base_payload(d, MODAL_SUBMIT, data, guild_id=guild_id, channel_id=channel_id,
                               user_id=user_id, locale=locale)
        if parent is not None and parent.payload.get("message"):
            try:
                payload["message"] = copy.deepcopy(d.world.find_message(int(parent.payload["message"]["id"])))
            except ApiError:
                payload["message"] = copy.deepcopy(parent.payload["message"])
        return await self._dispatch_interaction(payload, parent)

    # ------------------------------------------------------------------ messages
    def _user_attachments(self, channel_id: int, attachments: Sequence[AttachmentSpec]) -> list[dict[str, Any]]:
        d = self._me()
        out = []
        for spec in attachments:
            filename, data = spec[0], spec[1]
            ctype = spec[2] if len(spec) > 2 else "application/octet-stream"  # type: ignore[misc]
            out.append(d.factory.attachment(channel_id, filename, data, ctype))
        return out

    async def user_message(
        self,
        channel_id: int,
        user_id: int,
        content: str,
        attachments: Sequence[AttachmentSpec] = (),
        *,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A member posts in a guild channel or thread (MESSAGE_CREATE). Returns the stored message.

        The guild's AutoMod rules apply first: a blocked message raises ``routes_automod.Blocked``."""
        d = self._me()
        ch = d.world.channel(channel_id)
        if ch["type"] not in MESSAGEABLE_TYPES:
            raise ValueError(f"channel {channel_id} (type {ch['type']}) does not take messages")
        if ch["type"] == DM:
            return await self.user_dm(user_id, content, attachments)
        guild_id = int(ch["guild_id"])
        self._check_member(guild_id, user_id)
        perms = d.world.channel_permissions(channel_id, user_id)
        send = P.SEND_MESSAGES_IN_THREADS if ch["type"] in THREAD_TYPES else P.SEND_MESSAGES
        if not P.has(perms, P.VIEW_CHANNEL, send):
            raise PermissionError(f"user {user_id} cannot send messages in channel {channel_id}")
        meta = ch.get("thread_metadata")
        if meta and meta["archived"]:
            if meta["locked"]:
                raise PermissionError(f"thread {channel_id} is locked")
            meta["archived"] = False
            d.emit_channel("THREAD_UPDATE", ch)
        await d.automod.enforce(channel_id, user_id, content)
        return await self._post_as_user(channel_id, user_id, content, attachments, reply_to)

    async def user_dm(
        self, user_id: int, content: str, attachments: Sequence[AttachmentSpec] = ()
    ) -> dict[str, Any]:
        """The user writes to the bot in their DM channel (created when needed; no guild_id)."""
        d = self._me()
        self._check_member(None, user_id)
        dm = d.world.open_dm(user_id)
        return await self._post_as_user(int(dm["id"]), user_id, content, attachments, None)

    async def _post_as_user(
        self, channel_id: int, user_id: int, content: str, attachments: Sequence[AttachmentSpec],
        reply_to: int | None,
    ) -> dict[str, Any]:
        d = self._me()
        body: dict[str, Any] = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to, "channel_id": channel_id}
        msg = d.factory.build(channel_id, d.world.user(user_id), body, {})
        msg["attachments"] = self._user_attachments(channel_id, attachments)
        d.world.store_message(msg)
        sent = d.emit_message("MESSAGE_CREATE", msg)
        if sent is not None:
            await sent
        return copy.deepcopy(msg)


def _invoker(h: InteractionHandle) -> int:
    user = (h.payload.get("member") or {}).get("user") or h.payload.get("user") or {}
    return int(user.get("id", 0))

