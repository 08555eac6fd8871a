"""Message context menus: "Report to moderators" for every member, and "Remove message" for
moderators; the report card's Claim and Resolve. Forms are answered from ``on_interaction`` by
their custom id, so a form opened before a restart is still taken after it."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.reports import Outcome, Reason, Report, ReportService
from bot.services.setup import BotRole, GuildConfig
from bot.ui import report as ui
from bot.ui.company import send_dm, submitted
from bot.ui.kit import Kit, NotPermitted, requires
from bot.ui.mod import edit_card, fetch_message, post_log
from bot.ui.mod_channel import REMOVE_FORM, ChannelDesk

log = logging.getLogger(__name__)
GONE = N_("That message has been deleted, so it cannot be reported. If something worrying happened, write to a moderator.")


class ReportCog(commands.Cog):
    def __init__(self, bot: commands.Bot, kit: Kit, reports: ReportService, channels: ChannelDesk) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.reports = reports
        self.channels = channels
        self.menus = [
            app_commands.ContextMenu(name=_("Report to moderators"), callback=self.report_message),
            app_commands.ContextMenu(name=_("Remove message"), callback=self.remove_message),
        ]

    async def cog_load(self) -> None:
        for menu in self.menus:
            self.bot.tree.add_command(menu)

    async def cog_unload(self) -> None:
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    @app_commands.guild_only()
    async def report_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        if message.author.id == interaction.user.id:
            raise KohtaamoError("You cannot report your own message.")
        if message.author.bot or message.webhook_id:
            raise KohtaamoError("Only members' messages can be reported here. You can write to a moderator instead.")
        locale = await self.kit.locale(interaction)
        await interaction.response.send_modal(ui.ReportForm(self.i18n, locale, message.channel.id, message.id))

    @app_commands.guild_only()
    @requires(BotRole.MODERATOR)
    async def remove_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        await self.channels.ask_remove(interaction, message)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        answers = submitted(interaction.data)
        try:
            removal = REMOVE_FORM.fullmatch(custom_id)
            if removal is not None:
                await self.channels.remove(interaction, int(removal["channel"]), int(removal["message"]),
                                           str(answers.get("reason") or ""))
                return
            match = ui.FORM.fullmatch(custom_id)
            if match is None:
                return
            if match["form"] == "report":
                await self.submit(interaction, int(match["a"]), int(match["b"]), Reason(answers.get("reason") or "other"),
                                  answers.get("note") or None)
            else:
                await self.resolve(interaction, int(match["a"]), Outcome(answers.get("outcome") or "acted"))
        except Exception as error:
            await self.kit.explain(interaction, error)

    async def submit(self, interaction: discord.Interaction, channel_id: int, message_id: int, reason: Reason,
                     note: str | None) -> None:
        message = await fetch_message(interaction.guild, channel_id, message_id, GONE)
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        filed = await self.reports.file(interaction.guild.id, channel_id, message.id, message.author.id,
                                        message.content, interaction.user.id, reason, note)
        config = await self.kit.config(interaction)
        if filed.fresh:
            card = await post_log(self.bot, config, **self._card(config, filed.report))
            if card is not None:
                await self.reports.card_posted(filed.report, card.channel.id, card.id)
        else:
            await self._update(config, filed.report)
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Thank you. The moderators will look at it. The writer is not told who reported."))

    def _card(self, config: GuildConfig, report: Report) -> dict[str, Any]:
        return {"embed": ui.card(self.i18n, config.locale, report), "view": ui.view(self.i18n, config.locale, report)}

    async def _update(self, config: GuildConfig, report: Report) -> None:
        await edit_card(self.bot, report.card_channel_id, report.card_message_id, **self._card(config, report))

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int, arg: int = 0) -> None:
        if interaction.guild_id is None or not await self.kit.permitted(interaction, BotRole.MODERATOR):
            raise NotPermitted(BotRole.MODERATOR)
        locale = await self.kit.locale(interaction)
        if action == "resolve":
            report = await self.reports.report(ref)
            if report.status == "resolved":
                raise KohtaamoError("This report is resolved already.")
            await interaction.response.send_modal(ui.ResolveForm(self.i18n, locale, ref))
            return
        report = await self.reports.claim(ref, interaction.user.id)
        await self._update(await self.kit.config(interaction), report)
        await self.kit.reply(interaction, self.i18n.t(locale, "The report is yours: the card shows you are on it."))

    async def resolve(self, interaction: discord.Interaction, report_id: int, outcome: Outcome) -> None:
        if interaction.guild is None or not await self.kit.permitted(interaction, BotRole.MODERATOR):
            raise NotPermitted(BotRole.MODERATOR)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.reports.resolve(report_id, interaction.user.id, outcome)
        config = await self.kit.config(interaction)
        await self._update(config, report)
        told = 0
        for reporter in report.reporters:
            locale = await self.kit.setup.member_locale(config.guild_id, reporter.reporter_id) or config.locale
            if await send_dm(self.bot, reporter.reporter_id, ui.handled_text(self.i18n, locale,
                                                                             interaction.guild.name)):
                told += 1
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.t(locale, "Resolved. Reporters told by direct message: {told}/{n}.",
                                                      told=told, n=len(report.reporters)))
