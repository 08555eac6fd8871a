"""``/report``: the impact report for staff (an embed, a chart and a CSV, ephemeral), and the
listeners that feed its daily counts: members' messages, joins. Duty hours come from the
volunteer service's duty watchers (bot/app.py). A message costs no database write here: the
counts are kept in memory and written every ``FLUSH_EVERY`` (bot/services/impact_counts.py)."""

from __future__ import annotations

import asyncio
import io
import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands, tasks

from bot.services.impact import ImpactService
from bot.services.impact_counts import FLUSH_EVERY, ImpactCounts
from bot.services.setup import BotRole
from bot.ui import impact as ui
from bot.ui.kit import Kit, requires

log = logging.getLogger(__name__)
CHART = "impact.png"


class ImpactCog(commands.Cog):
    def __init__(self, kit: Kit, impact: ImpactService, counts: ImpactCounts) -> None:
        self.kit = kit
        self.i18n = kit.i18n
        self.impact = impact
        self.counts = counts

    async def cog_load(self) -> None:
        self.flusher.start()

    async def cog_unload(self) -> None:
        self.flusher.cancel()
        await self.counts.flush()

    @tasks.loop(seconds=FLUSH_EVERY.total_seconds())
    async def flusher(self) -> None:
        try:
            await self.counts.flush()
        except Exception:
            log.exception("could not write the impact counts; kept for the next try")

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        author = message.author
        if message.guild is None or author.bot or not isinstance(author, discord.Member):
            return
        channel = message.channel
        room = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        await self.counts.message(message.guild.id, author.id, {r.id for r in author.roles}, room)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot:
            await self.counts.joined(member.guild.id)

    @app_commands.command(name=_("report"), description=_("Impact figures for funders: numbers, a chart and a CSV"))
    @app_commands.describe(
        start=_("First day, e.g. 1.11.2026 or 1.11. (without it: this month so far)"),
        until=_("Last day, e.g. 30.11.2026 (without it: up to today)"),
        month=_("A whole month instead, e.g. 11.2026 (this month: up to today)"),
    )
    @app_commands.rename(start=_("from"), until=_("until"), month=_("month"))
    @app_commands.guild_only()
    @requires(BotRole.STAFF)
    async def report(self, interaction: discord.Interaction, start: str | None = None, until: str | None = None,
                     month: str | None = None) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        period = await self.impact.period(interaction.guild_id, start, until, month)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.impact.report(interaction.guild_id, period)
        words = ui.texts(self.i18n, locale, report)
        png = await asyncio.to_thread(ui.render_chart, ui.chart_bars(self.i18n, locale, report), words.title,
                                      words.footnote)
        await self.kit.reply(interaction, embed=ui.embed(words, CHART), files=[
            discord.File(png, filename=CHART), discord.File(io.BytesIO(ui.csv_bytes(words)), filename="impact.csv"),
        ])
