"""The company relay: the member's DMs to the bot appear in the volunteer's private thread
under the pseudonym; the volunteer's thread messages reach the member's DM under the
volunteer's chosen name. Text only, mentions neutralised, no reply references.

Each side of a conversation is relayed in order (``Lanes``), and nothing the member writes is
dropped: before the thread opens it is kept (sealed) and posted there first."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services.company import CompanyService, Request, Status
from bot.services.volunteer import VolunteerService
from bot.ui import company as ui
from bot.ui.kit import Kit
from bot.ui.relay import Lanes, chunks, neutralise

log = logging.getLogger(__name__)


class CompanyRelayCog(commands.Cog):
    def __init__(self, bot: commands.Bot, kit: Kit, company: CompanyService, volunteers: VolunteerService) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.company = company
        self.volunteers = volunteers
        self.lanes = Lanes()
        self._resumed = False

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            self.lanes.run(("member", message.author.id), lambda: self._from_member(message))
        elif isinstance(message.channel, discord.Thread):
            self.lanes.run(("thread", message.channel.id), lambda: self._from_volunteer(message))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a restart: deliver what was kept for conversations that opened meanwhile."""
        if self._resumed:
            return
        self._resumed = True
        for request in await self.company.with_held():
            await self.conversation_opened(request)

    async def conversation_opened(self, request: Request) -> None:
        """The thread is there: post what the member wrote before it, in the member's lane so
        that it comes before anything they write next."""
        member_id = await self.company.requester_of(request.id)
        self.lanes.run(("member", member_id), lambda: self._deliver_held(request))

    async def _from_member(self, message: discord.Message) -> None:
        request = await self.company.active_for_member(message.author.id)
        if request is None:
            return
        say = request.locale
        config = await self.kit.setup.get(request.guild_id)
        text = neutralise(message.content)
        if message.attachments or message.stickers:
            note = self.i18n.t(config.locale, "(an attachment was left out: only text is passed on)")
            text = f"{text}\n{note}" if text else note
            await message.channel.send(self.i18n.t(say, "Only text is passed on, so your attachment was not sent."))
        if request.status is not Status.CLAIMED or request.thread_id is None:
            await self._keep(message, request, text)
            return
        if not await self._deliver_held(request) or not await self._to_thread(request, text):
            await message.channel.send(self.i18n.t(say, "Your message could not be passed on. Please try again later."))

    async def _keep(self, message: discord.Message, request: Request, text: str) -> None:
        """Before the thread opens: keep the message for it; the first kept one is acknowledged."""
        kept = await self.company.hold(request.id, text)
        if kept == 0:
            await message.channel.send(self.i18n.t(
                request.locale, "I have kept as many messages as I can until a volunteer arrives, so this one was not "
                "kept. When someone takes your request, you can write to them here.",
            ))
        elif kept == 1 and request.status is Status.OPEN:
            await message.channel.send(self.i18n.t(
                request.locale, "No volunteer has taken your request yet. I keep what you write here and pass it on "
                "when someone does; you will see it here when they are with you.",
            ))

    async def _deliver_held(self, request: Request) -> bool:
        """Post the kept messages, oldest first, each dropped once it is in the thread; False if
        the thread could not take them (they stay kept)."""
        held = await self.company.held(request.id)
        if not held:
            return True
        config = await self.kit.setup.get(request.guild_id)
        if not await self._to_thread(request, self.i18n.t(config.locale, "While waiting, the guest wrote:"), named=False):
            return False
        for held_id, text in held:
            if not await self._to_thread(request, text):
                return False
            await self.company.delivered(held_id)
        return True

    async def _to_thread(self, request: Request, text: str, *, named: bool = True) -> bool:
        thread = self.bot.get_channel(request.thread_id or 0)
        if not isinstance(thread, discord.Thread):
            return False
        config = await self.kit.setup.get(request.guild_id)
        prefix = f"**{ui.pseudonym(self.i18n, config.locale, request)}:** " if named else ""
        try:
            for part in chunks(prefix, text):
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
