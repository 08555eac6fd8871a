"""/announce create, list and cancel (staff): a form, an ephemeral preview with Send / Schedule /
Cancel, the post with a mapped role's ping only, published in announcement (news) channels."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.scheduling import DueJob
from bot.services.announce import Announcement, AnnounceService
from bot.services.setup import BotChannel, BotRole
from bot.ui import announce as ui
from bot.ui.company import submitted
from bot.ui.kit import Kit, form, reach, requires

log = logging.getLogger(__name__)


@app_commands.guild_only()
class AnnounceCog(commands.GroupCog, group_name=_("announce"), group_description=_("Staff: announcements to the server")):
    def __init__(self, bot: commands.Bot, kit: Kit, announcements: AnnounceService, max_attempts: int) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.announcements = announcements
        self.max_attempts = max_attempts
        super().__init__()

    @app_commands.command(name=_("create"), description=_("Staff: write an announcement; you see a preview first"))
    @app_commands.rename(channel=_("channel"), ping=_("ping"), send_at=_("send_at"))
    @app_commands.describe(
        channel=_("Where it is posted (default: the announcements channel from /setup)"),
        ping=_("A Kohtaamo role to notify (never everyone)"),
        send_at=_("Send later, e.g. 12.12.2026 18:00 or to 9; empty: you send it from the preview"),
    )
    @requires(BotRole.STAFF)
    async def create(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
        ping: discord.Role | None = None, send_at: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        if ping is not None and (ping.is_default() or ping.id not in config.roles.values()):
            raise KohtaamoError("Only the roles mapped in /setup can be pinged, never everyone.")
        target = channel.id if channel else config.channels.get(BotChannel.ANNOUNCEMENTS, interaction.channel_id or 0)
        when = self.announcements.when(send_at, config.timezone)
        stamp = int(when.timestamp()) if when else None
        await interaction.response.send_modal(
            ui.AnnounceForm(self.i18n, locale, ui.form_id(target, ping.id if ping else None, stamp))
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        match = form(interaction, ui.FORM)
        if match is None:
            return
        try:
            await self.preview(interaction, int(match["channel"]), int(match["role"]) or None, int(match["at"]) or None)
        except Exception as error:
            await self.kit.explain(interaction, error)

    async def preview(self, interaction: discord.Interaction, channel_id: int, role_id: int | None,
                      at: int | None) -> None:
        if not await self.kit.permitted(interaction, BotRole.STAFF):
            raise KohtaamoError("Only staff can send announcements.")
        locale = await self.kit.locale(interaction)
        answers = submitted(interaction.data)
        draft = await self.announcements.draft(
            interaction.guild_id or 0, channel_id, interaction.user.id, str(answers.get("title") or ""),
            str(answers.get("text") or ""), role_id=role_id,
            send_at=datetime.fromtimestamp(at, UTC) if at else None, locale=locale,
        )
        note = self.i18n.t(locale, "A preview: only you see this. It goes to {channel}.", channel=f"<#{channel_id}>")
        if draft.send_at:
            note += " " + self.i18n.t(locale, "Press Schedule to send it {when}.",
                                      when=discord.utils.format_dt(draft.send_at, "F"))
        body = ui.post(draft)
        await self.kit.reply(interaction, note + ("\n" + body["content"] if body.get("content") else ""),
                             embed=body["embed"], view=ui.preview_buttons(self.i18n, locale, draft),
                             allowed_mentions=discord.AllowedMentions.none())

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int) -> None:
        locale = await self.kit.locale(interaction)
        found = await self.announcements.get(ref)
        if found is None or found.guild_id != interaction.guild_id:
            raise KohtaamoError("There is no such announcement.")
        if found.author_id != interaction.user.id:
            raise KohtaamoError("Only the author can send or cancel this announcement.")
        if action == "discard":
            await self.announcements.discard(ref)
            await interaction.response.edit_message(content=self.i18n.t(locale, "Cancelled; nothing was sent."),
                                                    embed=None, view=None)
        elif action == "schedule":
            scheduled = await self.announcements.schedule(ref)
            assert scheduled.send_at is not None
            await interaction.response.edit_message(content=self.i18n.t(
                locale, "Scheduled: it will be sent {when}. /announce cancel stops it.",
                when=discord.utils.format_dt(scheduled.send_at, "F")), view=None)
        elif action == "send":
            await interaction.response.defer()
            claimed = await self.announcements.claim_send(ref)
            try:
                await self.publish(claimed, f"ka{claimed.id}")
            except (discord.HTTPException, LookupError):
                await self.announcements.unsent(ref)
                await self.kit.reply(interaction, self.i18n.t(
                    locale, "I could not post it in {channel}. Check the channel and my permissions, then press Send again.",
                    channel=f"<#{claimed.channel_id}>"))
                return
            await interaction.edit_original_response(content=self.i18n.t(locale, "Sent."), view=None)
        else:
            raise KohtaamoError("This button is no longer in use.")

    async def publish(self, announcement: Announcement, nonce: str) -> discord.Message:
        """Post, and publish to following servers in an announcement channel."""
        channel = self.bot.get_channel(announcement.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise LookupError("the announcement's channel is gone")
        message = await channel.send(**ui.post(announcement), nonce=nonce)
        await self.announcements.sent(announcement.id, message.id)
        if channel.is_news():
            try:
                await message.publish()
            except discord.HTTPException:
                log.warning("announcement %s was posted but not published", announcement.id)
        return message

    async def on_due(self, job: DueJob) -> None:
        """A scheduled announcement: posted, or retried by the scheduler; after the last try the
        author hears that it was not sent."""
        due = await self.announcements.due(job)
        if due is None:
            return
        try:
            await self.publish(due, f"ka{due.id}")
        except (discord.HTTPException, LookupError):
            if job.attempt < self.max_attempts:
                raise
            await self.announcements.failed(due.id)
            if due.author_id is not None:
                text = self.i18n.t(due.locale, "I could not send your announcement “{title}” to {channel}, even after "
                                   "trying again. Please check the channel and my permissions, and send it anew.",
                                   title=due.title, channel=f"<#{due.channel_id}>")
                try:
                    await reach(self.bot, due.author_id, text, nonce=f"kf{due.id}")
                except discord.HTTPException:
                    log.warning("could not tell the author of announcement %s that it failed", due.id)

    @app_commands.command(name=_("list"), description=_("Staff: announcements waiting to be sent"))
    @requires(BotRole.STAFF)
    async def list_scheduled(self, interaction: discord.Interaction) -> None:
        locale = await self.kit.locale(interaction)
        waiting = await self.announcements.scheduled(interaction.guild_id or 0)
        if not waiting:
            await self.kit.reply(interaction, self.i18n.t(locale, "No announcements are waiting to be sent."))
            return
        lines = [self.i18n.t(locale, "Waiting to be sent:")]
        for a in waiting:
            assert a.send_at is not None
            lines.append(f"• {a.id}: **{discord.utils.escape_markdown(a.title)}** → <#{a.channel_id}>, "
                         f"{discord.utils.format_dt(a.send_at, 'F')}")
        await self.kit.reply(interaction, "\n".join(lines))

    @app_commands.command(name=_("cancel"), description=_("Staff: stop a scheduled announcement"))
    @app_commands.rename(announcement=_("announcement"))
    @app_commands.describe(announcement=_("Which announcement"))
    @requires(BotRole.STAFF)
    async def cancel(self, interaction: discord.Interaction, announcement: int) -> None:
        locale = await self.kit.locale(interaction)
        stopped = await self.announcements.cancel(announcement, interaction.guild_id or 0)
        await self.kit.reply(interaction, self.i18n.t(locale, "“{title}” will not be sent.", title=stopped.title))

    @cancel.autocomplete("announcement")
    async def pick(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        waiting = await self.announcements.scheduled(interaction.guild_id or 0)
        return [app_commands.Choice(name=a.title[:100], value=a.id) for a in waiting
                if current.lower() in a.title.lower()][:25]
