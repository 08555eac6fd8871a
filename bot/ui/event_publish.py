"""An event's presence on Discord, kept in step with the database: the card in its channel,
the matching Discord Scheduled Event, and direct messages to the members who answered."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable
from typing import Any

import discord

from bot.i18n import I18n
from bot.services.event import Event, EventService
from bot.services.setup import SetupService
from bot.ui import event as ui
from bot.ui.kit import reach

log = logging.getLogger(__name__)


def nonce(*parts: object) -> str:
    """A deterministic nonce (Discord keeps at most 25 characters) for a send that must not repeat."""
    return hashlib.blake2s(":".join(map(str, parts)).encode(), digest_size=12).hexdigest()


class EventPublisher:
    def __init__(self, client: discord.Client, i18n: I18n, events: EventService, setup: SetupService) -> None:
        self.client = client
        self.i18n = i18n
        self.events = events
        self.setup = setup
        self.cards = ui.Coalescer(self.refresh)

    async def card_locale(self, event: Event) -> str:
        return (await self.setup.get(event.guild_id)).locale

    async def post(self, event: Event, channel: discord.abc.Messageable) -> Event:
        """The card, then the scheduled event; returns the event with both attached."""
        locale = await self.card_locale(event)
        message = await channel.send(
            embed=ui.card(self.i18n, locale, event, {}), view=ui.card_view(self.i18n, locale, event),
            nonce=f"kv{event.id}",
        )
        event = await self.events.attach(event.id, message_id=message.id)
        return await self.sync_scheduled(event)

    async def refresh(self, event_id: int) -> None:
        """Edit the card to what the database says now (counts, details, cancelled)."""
        event = await self.events.get(event_id)
        if event is None or event.message_id is None:
            return
        channel = self.client.get_channel(event.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return  # the channel is gone; the event lives on in /event list and the scheduled event
        locale = await self.card_locale(event)
        counts = await self.events.counts(event.id)
        try:
            await channel.get_partial_message(event.message_id).edit(
                embed=ui.card(self.i18n, locale, event, counts), view=ui.card_view(self.i18n, locale, event)
            )
        except discord.NotFound:
            log.info("the card of event %s was deleted", event.id)

    def jump_url(self, event: Event) -> str | None:
        if event.message_id is None:
            return None
        return f"https://discord.com/channels/{event.guild_id}/{event.channel_id}/{event.message_id}"

    # --- the Discord Scheduled Event -----------------------------------------------------------

    async def sync_scheduled(self, event: Event) -> Event:
        """Create the scheduled event, or bring it in line (details, or cancelled). Discord
        refusing (no Manage Events) costs the card nothing: it is logged, the event goes on."""
        guild = self.client.get_guild(event.guild_id)
        if guild is None:
            return event
        try:
            if event.discord_event_id is None:
                if event.cancelled:
                    return event
                created = await guild.create_scheduled_event(**self._scheduled_fields(guild, event))
                return await self.events.attach(event.id, discord_event_id=created.id)
            scheduled = guild.get_scheduled_event(event.discord_event_id) or await guild.fetch_scheduled_event(
                event.discord_event_id
            )
            if event.cancelled:
                await scheduled.cancel()
            else:
                await scheduled.edit(**self._scheduled_fields(guild, event))
        except discord.HTTPException as error:
            log.warning("scheduled event for event %s: Discord said %s %s", event.id, error.status, error.code)
        return event

    def _scheduled_fields(self, guild: discord.Guild, event: Event) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": event.title, "description": event.description[:1000], "start_time": event.starts_at,
            "end_time": event.ends_at, "privacy_level": discord.PrivacyLevel.guild_only,
        }
        voice = guild.get_channel(event.voice_channel_id) if event.voice_channel_id else None
        if isinstance(voice, discord.VoiceChannel | discord.StageChannel):
            fields["entity_type"] = discord.EntityType.voice if isinstance(voice, discord.VoiceChannel) else (
                discord.EntityType.stage_instance
            )
            fields["channel"] = voice
        else:
            fields["entity_type"] = discord.EntityType.external
            fields["location"] = (event.place or "—")[:100]
        return fields

    # --- telling members -------------------------------------------------------------------

    async def tell(
        self, members: list[tuple[int, str]], text: str, params: dict[str, Any], *,
        view_for: Callable[[str], discord.ui.View] | None = None, once: str | None = None,
    ) -> int:
        """DM each (member, locale) ``text`` in their language; how many could not be reached.
        ``once`` names the occasion: a repeat of it (a retried job) is dropped by its nonce."""
        missed = 0
        for user_id, locale in members:
            view = view_for(locale) if view_for else None
            with contextlib.suppress(discord.HTTPException):
                sent = await reach(self.client, user_id, self.i18n.t(locale, text, **params), view,
                                   nonce=None if once is None else nonce(once, user_id))
                if sent is not None:
                    continue
            missed += 1
        return missed
