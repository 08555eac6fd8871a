"""/privacy, /mydata export and /mydata delete, and the erase of a member who left the server.

``erase`` is the one way a member's data in a guild is erased: their company conversation is
ended through the company cog first (so the volunteer is told), then every registered feature
erases its part and cancels its jobs. /mydata delete and the leaver's job both call it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.clock import Clock
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.scheduling import DueJob
from bot.services.privacy import Privacy
from bot.ui import privacy as ui
from bot.ui.kit import Kit

log = logging.getLogger(__name__)
CONFIRM_FOR = timedelta(minutes=15)  # a delete confirmation older than this asks again
NOTHING = N_("Kohtaamo keeps nothing about you on this server.")


def _ms(clock: Clock) -> int:
    return int(clock.now().timestamp() * 1000)


class PrivacyCog(commands.Cog):
    def __init__(
        self, bot: commands.Bot, kit: Kit, privacy: Privacy, end_company: Callable[[int, int], Awaitable[None]],
        clock: Clock,
    ) -> None:
        """``end_company(guild_id, user_id)`` is the company cog's: it ends the member's open
        request or conversation, telling the volunteer."""
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.privacy = privacy
        self.end_company = end_company
        self.clock = clock
        self._answered: dict[tuple[int, int], int] = {}  # (member, confirmation) -> when asked, ms
        self._last_asked = 0

    async def erase(self, guild_id: int, user_id: int) -> dict[str, int]:
        """End the member's company conversation, then erase them in the guild, everywhere."""
        await self.end_company(guild_id, user_id)
        return await self.privacy.erase(user_id, guild_id)

    # ----- the commands -------------------------------------------------------------------

    @app_commands.command(name=_("privacy"), description=_("What the bot keeps about you, why, and for how long"))
    @app_commands.guild_only()
    async def notice(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        locale, config = await self.kit.locale(interaction), await self.kit.config(interaction)
        embed = ui.notice(self.i18n, locale, interaction.guild.name, config, self.privacy.entries)
        await self.kit.reply(interaction, embed=embed)

    mydata = app_commands.Group(name=_("mydata"), description=_("Get a copy of your data, or delete it"),
                                guild_only=True)

    @mydata.command(name=_("export"), description=_("Get everything the bot keeps about you here, as a file"))
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        locale, config = await self.kit.locale(interaction), await self.kit.config(interaction)
        exported = await self.privacy.export(interaction.user.id, interaction.guild.id)
        file = ui.export_file(self.i18n, locale, interaction.guild.name, config, self.privacy.entries, exported,
                              self.clock.now())
        if file is None:
            await self.kit.reply(interaction, self.i18n.t(locale, NOTHING))
            return
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Here is everything Kohtaamo keeps about you on this server. The file is for you only: keep it safe."
        ), file=file)

    @mydata.command(name=_("delete"), description=_("Delete your data on this server (you confirm first)"))
    async def delete(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        locale = await self.kit.locale(interaction)
        if not await self.privacy.holds(interaction.user.id, interaction.guild.id):
            raise KohtaamoError(NOTHING)
        text = ui.confirm_text(self.i18n, locale, interaction.guild.name, self.privacy.kept_after_erase())
        self._last_asked = max(_ms(self.clock), self._last_asked + 1)  # each question its own ref
        await self.kit.reply(interaction, text, view=ui.confirm_buttons(self.i18n, locale, self._last_asked))

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int) -> None:
        """Delete my data / Cancel on the member's confirmation: each answered once, and only
        while fresh."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        now, key = _ms(self.clock), (interaction.user.id, ref)
        window = int(CONFIRM_FOR.total_seconds() * 1000)
        if key in self._answered:
            raise KohtaamoError("You have answered this already.")
        if not 0 <= now - ref <= window:
            raise KohtaamoError("This question has expired, and nothing was deleted. Use /mydata delete again if you "
                                "still want to.")
        self._answered = {k: asked for k, asked in self._answered.items() if now - asked <= window}
        self._answered[key] = ref  # before any await: a double click stops above
        locale = await self.kit.locale(interaction)
        if action == "cancel":
            await interaction.response.edit_message(content=self.i18n.t(locale, "Nothing was deleted."), view=None)
            return
        await interaction.response.edit_message(content=self.i18n.t(locale, "Deleting your data…"), view=None)
        await self.erase(interaction.guild_id, interaction.user.id)
        await interaction.edit_original_response(content=ui.done_text(self.i18n, locale, self.privacy.kept_after_erase()))

    # ----- a member who leaves ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if not payload.user.bot:
            await self.privacy.member_left(payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if await self.privacy.member_returned(member.guild.id, member.id):
            log.info("a member came back to guild %s before their erase", member.guild.id)

    async def on_leaver(self, job: DueJob) -> None:
        """The grace period of a member who left is over: erase them in that guild."""
        departure = await self.privacy.due_departure(job)
        if departure is None:
            return
        guild = self.bot.get_guild(departure.guild_id)
        if guild is not None and guild.get_member(departure.user_id) is not None:  # back while we were away
            await self.privacy.member_returned(departure.guild_id, departure.user_id)
            return
        await self.erase(departure.guild_id, departure.user_id)
