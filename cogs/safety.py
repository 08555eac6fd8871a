"""The safety response: every member's message in a room (or a room's thread), and every edit of
one, is scanned for crisis language. On a match the writer gets one gentle DM in a few hours and
the moderators an alert (their role pinged) that later matches count up. Nothing is posted in the
room and the message stays. The scan comes first: a message that does not match costs no database
read."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import discord
from discord.ext import commands

from bot.services.recent import Recent
from bot.services.safety_response import Alert, SafetyResponse
from bot.services.setup import BotRole, GuildConfig
from bot.ui import safety as ui
from bot.ui.company import send_dm
from bot.ui.kit import Kit, NotPermitted
from bot.ui.mod import edit_card, post_log

log = logging.getLogger(__name__)
EDIT_DELAY = 1.0  # seconds: the matches in this time after one make a single edit of the alert
ROOM_TTL = timedelta(seconds=60)  # how long a channel's "is it a room" answer is reused
IsRoom = Callable[[int], Awaitable[bool]]  # is this channel id a live room?


class SafetyCog(commands.Cog):
    def __init__(self, bot: commands.Bot, kit: Kit, safety: SafetyResponse, is_room: IsRoom) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.safety = safety
        self.is_room = is_room
        self._pending: dict[int, asyncio.Task[None]] = {}  # alert id -> its coming edit
        self._rooms = Recent(is_room, ROOM_TTL, time.monotonic)  # rooms change seldom; a new room is a new channel

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or not message.content:
            return
        channel = message.channel
        room_id = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        scanner = await self.safety.scanner(message.guild.id)
        if scanner.scan(message.content) is None or room_id is None or not await self._rooms.get(room_id):
            return
        try:
            await self.respond(message)
        except Exception:
            log.exception("safety response to a message in guild %s failed", message.guild.id)

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        """A message edited into crisis language is read too (the alert counts it like a new one)."""
        if before.content != after.content:
            await self.on_message(after)

    async def respond(self, message: discord.Message) -> None:
        assert message.guild is not None
        match = await self.safety.read(message.guild.id, message.author.id, message.channel.id, message.id,
                                       message.content)
        if match is None:
            return
        alert = match.alert
        if alert is None:  # the writer had their DM already: the alert counts the message
            if match.alert_id not in self._pending:
                self._pending[match.alert_id] = asyncio.create_task(self._update_soon(match.alert_id))
            return
        config = await self.kit.setup.get(message.guild.id)
        if config.has_role({r.id for r in getattr(message.author, "roles", ())}, BotRole.YOUTH_MINOR):
            alert = await self.safety.minor(alert)
        locale = await self.kit.setup.member_locale(config.guild_id, alert.user_id) or config.locale
        sent = await send_dm(self.bot, alert.user_id, ui.dm_text(self.i18n, locale),
                             ui.dm_view(self.i18n, locale, config.guild_id, alert.id))
        alert = await self.safety.reached(alert, sent is not None)
        card = await post_log(self.bot, config, role_ping=True, **self._card(config, alert))
        if card is not None:
            await self.safety.card_posted(alert, card.channel.id, card.id)

    async def _update_soon(self, alert_id: int) -> None:
        """One edit of the alert for the matches of the next moment, showing the count as it is then."""
        try:
            await asyncio.sleep(EDIT_DELAY)
            del self._pending[alert_id]
            alert = await self.safety.flush(alert_id)
            await self._update(await self.kit.setup.get(alert.guild_id), alert)
        except Exception:
            log.exception("safety alert %s could not be updated", alert_id)

    async def cog_unload(self) -> None:
        for task in self._pending.values():
            task.cancel()

    def _card(self, config: GuildConfig, alert: Alert) -> dict[str, Any]:
        jump = ui.jump_url(alert.guild_id, alert.channel_id, alert.message_id)
        return {"embed": ui.alert_card(self.i18n, config.locale, alert, jump),
                "view": ui.alert_view(self.i18n, config.locale, alert)}

    async def _update(self, config: GuildConfig, alert: Alert) -> None:
        await edit_card(self.bot, alert.card_channel_id, alert.card_message_id, **self._card(config, alert))

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int, arg: int = 0) -> None:
        locale = await self.kit.locale(interaction)
        if action == "ok":
            alert = await self.safety.writer_ok(ref, interaction.user.id)
            await self.kit.reply(interaction, self.i18n.t(
                locale, "Thank you for telling us. If things feel heavy later, the contacts above are there for "
                "you, and you can ask for company at any time."))
        else:
            if interaction.guild_id is None or not await self.kit.permitted(interaction, BotRole.MODERATOR):
                raise NotPermitted(BotRole.MODERATOR)
            if action == "claim":
                alert = await self.safety.claim(ref, interaction.user.id)
                text = self.i18n.t(locale, "Thank you: the alert shows you are checking on them.")
            else:
                alert = await self.safety.resolve(ref, interaction.user.id)
                text = self.i18n.t(locale, "Marked resolved.")
            await self.kit.reply(interaction, text)
        await self._update(await self.kit.setup.get(alert.guild_id), alert)
