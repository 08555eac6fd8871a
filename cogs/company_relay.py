"""The company relay: the member's DMs to the bot appear in the volunteer's private thread
under the pseudonym; the volunteer's thread messages reach the member's DM under the
volunteer's chosen name. Text only, mentions neutralised, no reply references."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services.company import CompanyService, Request, Status
from bot.services.volunteer import VolunteerService
from bot.ui import company as ui
from bot.ui.kit import Kit
from bot.ui.relay import chunks, neutralise

log = logging.getLogger(__name__)


class CompanyRelayCog(commands.Cog):
    def __init__(self, bot: commands.Bot, kit: Kit, company: CompanyService, volunteers: VolunteerService) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.company = company
        self.volunteers = volunteers

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            await self._from_member(message)
        elif isinstance(message.channel, discord.Thread):
            await self._from_volunteer(message)

    async def _from_member(self, message: discord.Message) -> None:
        request = await self.company.active_for_member(message.author.id)
        if request is None:
            return
        say = request.locale
        if request.status is not Status.CLAIMED or request.thread_id is None:
            await message.channel.send(self.i18n.t(
                say, "No volunteer has taken your request yet. I will tell you here as soon as someone does.",
            ))
            return
        config = await self.kit.setup.get(request.guild_id)
        text = neutralise(message.content)
        if message.attachments or message.stickers:
            note = self.i18n.t(config.locale, "(an attachment was left out: only text is passed on)")
            text = f"{text}\n{note}" if text else note
            await message.channel.send(self.i18n.t(say, "Only text is passed on, so your attachment was not sent."))
        if not await self._to_thread(request, ui.pseudonym(self.i18n, config.locale, request), text):
            await message.channel.send(self.i18n.t(say, "Your message could not be passed on. Please try again later."))

    async def _to_thread(self, request: Request, name: str, text: str) -> bool:
        thread = self.bot.get_channel(request.thread_id or 0)
        if not isinstance(thread, discord.Thread):
            return False
        try:
            for part in chunks(f"**{name}:** ", text):
                await thread.send(part)
        except discord.HTTPException:
            log.warning("relay into the thread of request %s failed", request.id)
            return False
        return True

    async def _from_volunteer(self, message: discord.Message) -> None:
        request = await self.company.by_thread(message.channel.id)
        if request is None or request.status is not Status.CLAIMED or message.author.id != request.claimed_by:
            return
        config = await self.kit.setup.get(request.guild_id)
        if message.attachments or message.stickers:
            await message.channel.send(self.i18n.t(
                config.locale, "Only text is passed on; the attachment was not sent to the guest.",
            ))
        text = neutralise(message.content)
        if not text:
            return
        volunteer = await self.volunteers.get(request.guild_id, message.author.id)
        name = neutralise(volunteer.display_name) if volunteer else self.i18n.t(request.locale, "Volunteer")
        member_id = await self.company.requester_of(request.id)
        for part in chunks(f"**{name}:** ", text):
            if await ui.send_dm(self.bot, member_id, part) is None:
                await message.channel.send(self.i18n.t(
                    config.locale, "The guest could not be reached by direct message; they may have closed their messages.",
                ))
                return
