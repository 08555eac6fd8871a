"""``/checkin``: room check-ins for staff (schedule, list, remove), personal check-ins by DM (me,
pause, stop, history), and their buttons.

Everything about one member's check-ins is answered ephemerally (or in their own DM): nobody
else learns that they use check-ins or what they answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.checkin import Recurrence, pause_until
from bot.services.checkin_personal import PersonalCheckins
from bot.services.checkin_room import RoomCheckins
from bot.services.setup import BotRole
from bot.ui import checkin as ui
from bot.ui import checkin_room as room_ui
from bot.ui.checkin_chart import render_history
from bot.ui.kit import Kit, requires

log = logging.getLogger(__name__)
DM_CLOSED = 50007


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class CheckinCog(commands.GroupCog, group_name=_("checkin"), group_description=_("Check-ins: how are you today?")):
    def __init__(
        self, bot: commands.Bot, kit: Kit, personal: PersonalCheckins, rooms: RoomCheckins,
        counts_changed: Callable[[int], None],
    ) -> None:
        """``counts_changed``: the prompts cog's, to edit a room prompt's counts (coalesced)."""
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.personal = personal
        self.rooms = rooms
        self.counts_changed = counts_changed
        super().__init__()

    # ----- room check-ins (staff) ---------------------------------------------------------

    @app_commands.command(name=_("schedule"), description=_("Schedule a check-in prompt for a room"))
    @app_commands.describe(
        channel=_("The room where the prompt is posted"), time=_("Time of day, e.g. 18.00 or 9"),
        weekdays=_("Days, e.g. ma,ke,pe or mån–fre or Mon-Fri or daily"),
        prompt=_("Your own question (optional; otherwise gentle questions in turn)"),
    )
    @app_commands.rename(channel=_("channel"), time=_("time"), weekdays=_("weekdays"), prompt=_("prompt"))
    @requires(BotRole.STAFF)
    async def schedule(
        self, interaction: discord.Interaction, channel: discord.TextChannel, time: str, weekdays: str,
        prompt: str | None = None,
    ) -> None:
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        recurrence = Recurrence.parse(time, weekdays, config.timezone)
        assert interaction.guild is not None
        perms = channel.permissions_for(interaction.guild.me)
        if not (perms.view_channel and perms.send_messages):
            raise KohtaamoError("I cannot post in {channel}. Give me the right to see the channel and send messages there.",
                                channel=channel.mention)
        room, first = await self.rooms.schedule(interaction.guild.id, channel.id, recurrence, config.locale, prompt)
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Room check-in {number} scheduled: {channel} {schedule}. The first prompt is posted {when}.",
            number=room.id, channel=channel.mention, schedule=recurrence.describe(locale),
            when=self.i18n.when(locale, first, config.timezone),
        ))

    @app_commands.command(name=_("list"), description=_("The room check-ins of this server"))
    @requires(BotRole.STAFF)
    async def list_rooms(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        rows = [(room, interaction.guild.get_channel(room.channel_id) is not None, self.i18n.when(locale, due, config.timezone))
                for room, due in await self.rooms.scheduled(interaction.guild.id)]
        await self.kit.reply(interaction, room_ui.listing(self.i18n, locale, rows))

    @app_commands.command(name=_("remove"), description=_("Remove a room check-in"))
    @app_commands.describe(number=_("The check-in's number in /checkin list"))
    @app_commands.rename(number=_("number"))
    @requires(BotRole.STAFF)
    async def remove(self, interaction: discord.Interaction, number: int) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        room = await self.rooms.remove(interaction.guild_id, number)
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Room check-in {number} removed; no more prompts are posted for it.", number=room.id,
        ))

    # ----- personal check-ins -------------------------------------------------------------

    @app_commands.command(name=_("me"), description=_("Get a check-in by direct message on the days you choose"))
    @app_commands.describe(
        time=_("Time of day, e.g. 18.00 or 9"),
        weekdays=_("Days, e.g. ma,ke,pe or mån–fre or Mon-Fri or daily"),
        monthly_question=_("Also answer one question about loneliness once a month"),
    )
    @app_commands.rename(time=_("time"), weekdays=_("weekdays"), monthly_question=_("monthly_question"))
    async def me(self, interaction: discord.Interaction, time: str, weekdays: str, monthly_question: bool = False) -> None:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        recurrence = Recurrence.parse(time, weekdays, config.timezone)
        await self.kit.reply(
            interaction, ui.consent_text(self.i18n, locale, recurrence.describe(locale), monthly_question),
            view=ui.consent_view(self.i18n, locale, recurrence.mask, recurrence.minute, monthly_question),
        )

    @app_commands.command(name=_("pause"), description=_("Pause your personal check-ins for a while"))
    @app_commands.describe(until=_("A date like 12.12. or 12.12.2026, or a number of days like 7"))
    @app_commands.rename(until=_("until"))
    async def pause(self, interaction: discord.Interaction, until: str) -> None:
        locale = await self.kit.locale(interaction)
        personal = await self.personal.get(interaction.user.id)
        if personal is None:
            raise KohtaamoError("You have no personal check-ins. Start them with /checkin me.")
        resume = pause_until(until, self.personal.clock.now(), personal.recurrence.zone)
        await self._paused(interaction, locale, await self.personal.pause(interaction.user.id, resume), personal.recurrence.zone)

    @app_commands.command(name=_("stop"), description=_("Stop your personal check-ins"))
    async def stop(self, interaction: discord.Interaction) -> None:
        locale = await self.kit.locale(interaction)
        if not await self.personal.stop(interaction.user.id):
            raise KohtaamoError("You have no personal check-ins. Start them with /checkin me.")
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Your personal check-ins are stopped. Do you also want to delete your mood history?",
        ), view=ui.stop_view(self.i18n, locale))

    @app_commands.command(name=_("history"), description=_("Your own moods as a chart (only you see it)"))
    @app_commands.describe(period=_("How far back"))
    @app_commands.rename(period=_("period"))
    @app_commands.choices(period=[
        app_commands.Choice(name=_(N_("last 30 days")), value=30),
        app_commands.Choice(name=_(N_("last 90 days")), value=90),
    ])
    async def history(self, interaction: discord.Interaction, period: int = 30) -> None:
        locale = await self.kit.locale(interaction)
        moods = await self.personal.history(interaction.user.id, period)
        if not moods:
            await self.kit.reply(interaction, self.i18n.t(
                locale, "You have no moods from the last {days} days yet.", days=period,
            ))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        personal = await self.personal.get(interaction.user.id)
        zone = personal.recurrence.zone if personal else self.kit.setup.default_timezone
        png = await asyncio.to_thread(
            render_history, moods, period, self.personal.clock.now(), zone,
            [ui.mood_label(self.i18n, locale, m) for m in range(1, 6)],
            self.i18n.t(locale, "Your moods, last {days} days", days=period),
        )
        await self.kit.reply(interaction, self.i18n.tn(
            locale, "{n} answer in the chart. Only you can see it.", "{n} answers in the chart. Only you can see it.",
            len(moods),
        ), file=discord.File(png, filename="moods.png"))

    async def closed_dm_notice(self, interaction: discord.Interaction) -> str | None:
        """For ``Kit.notices``: once, in the member's next private answer, why check-ins stopped."""
        if not await self.personal.notice_due(interaction.user.id):
            return None
        return self.i18n.t(
            await self._locale(interaction),
            "Your check-ins are paused: I could not send you a direct message. To get them again, allow direct "
            "messages from server members (Server menu \u2192 Privacy Settings) and run /checkin me again.",
        )

    # ----- buttons ------------------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction, action: str, a: int, b: int) -> None:
        handlers = {
            "ok": self._accept, "no": self._decline, "me": self._mood, "pause": self._pause_week,
            "erase": self._erase, "keep": self._keep, "lonely": self._lonely, "vote": self._vote,
        }
        handler = handlers.get(action)
        if handler is None:
            raise KohtaamoError("This button is no longer in use.")
        await handler(interaction, a, b)

    async def _locale(self, interaction: discord.Interaction) -> str:
        """In the member's DM, the language they chose the check-ins in."""
        personal = await self.personal.get(interaction.user.id) if interaction.guild_id is None else None
        return personal.locale if personal else await self.kit.locale(interaction)

    async def _accept(self, interaction: discord.Interaction, flags: int, minute: int) -> None:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        recurrence = Recurrence.from_mask(flags & 0x7F, minute, config.timezone)
        if not recurrence.days or minute >= 24 * 60:
            raise KohtaamoError("This button is no longer in use.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        schedule = recurrence.describe(locale)
        try:
            dm = await interaction.user.create_dm()  # opened once and kept: each check-in is then one request
            await dm.send(self.i18n.t(
                locale,
                "Hi! Your personal check-ins arrive here: {schedule}. You can pause them with /checkin pause and stop "
                "them with /checkin stop.", schedule=schedule,
            ))
        except discord.Forbidden as error:
            if error.code != DM_CLOSED:
                raise
            await self.kit.reply(interaction, self.i18n.t(
                locale,
                "I could not send you a direct message, and check-ins arrive there. Please allow direct messages from "
                "server members (Server menu \u2192 Privacy Settings) and run /checkin me again. Nothing was saved.",
            ))
            return
        _personal, first = await self.personal.opt_in(
            interaction.user.id, interaction.guild_id, dm.id, recurrence, locale, loneliness=bool(flags & ui.LONELY_FLAG)
        )
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Your personal check-ins are on: {schedule}. The first one comes {when}.",
            schedule=schedule, when=self.i18n.when(locale, first, config.timezone),
        ))

    async def _decline(self, interaction: discord.Interaction, _a: int, _b: int) -> None:
        locale = await self.kit.locale(interaction)
        await interaction.response.edit_message(
            content=self.i18n.t(locale, "No check-ins were set up. Nothing was saved."), view=None
        )

    async def _mood(self, interaction: discord.Interaction, occurrence_id: int, mood: int) -> None:
        locale = await self._locale(interaction)
        saved = await self.personal.record_mood(interaction.user.id, occurrence_id, mood)
        text = self.i18n.t(locale, "Thank you. Saved: {mood}. You can change it by pressing another number.",
                           mood=ui.mood_label(self.i18n, locale, saved.mood))
        personal = await self.personal.get(interaction.user.id)
        if saved.offer_support and personal is not None:
            await self.kit.reply(interaction, text + "\n\n" + ui.support_text(self.i18n, locale),
                                 view=ui.company_view(self.i18n, locale, personal.guild_id))
            return
        await self.kit.reply(interaction, text)

    async def _vote(self, interaction: discord.Interaction, occurrence_id: int, mood: int) -> None:
        locale = await self.kit.locale(interaction)
        await self.rooms.vote(occurrence_id, interaction.user.id, mood)
        self.counts_changed(occurrence_id)
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Thank you. Your answer ({mood}) is anonymous; you can change it by pressing another number.",
            mood=ui.mood_label(self.i18n, locale, mood),
        ))

    async def _lonely(self, interaction: discord.Interaction, occurrence_id: int, answer: int) -> None:
        locale = await self._locale(interaction)
        await self.personal.record_loneliness(interaction.user.id, occurrence_id, answer)
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Thank you for answering. Saved: {answer}.", answer=self.i18n.t(locale, ui.LONELINESS_NAMES[answer]),
        ))

    async def _pause_week(self, interaction: discord.Interaction, _a: int, _b: int) -> None:
        locale = await self._locale(interaction)
        personal = await self.personal.get(interaction.user.id)
        if personal is None:
            raise KohtaamoError("These check-ins have been stopped. You can start them again with /checkin me.")
        await self._paused(interaction, locale, await self.personal.pause_week(interaction.user.id), personal.recurrence.zone)

    async def _paused(self, interaction: discord.Interaction, locale: str, resume: datetime, zone: str) -> None:
        await self.kit.reply(interaction, self.i18n.t(
            locale, "Your check-ins are paused. The next one comes {when}.", when=self.i18n.when(locale, resume, zone),
        ))

    async def _erase(self, interaction: discord.Interaction, _a: int, _b: int) -> None:
        locale = await self.kit.locale(interaction)
        if await self.personal.get(interaction.user.id) is not None:  # they started again meanwhile
            raise KohtaamoError("Stop your check-ins first with /checkin stop.")
        await self.personal.erase_history(interaction.user.id)
        await interaction.response.edit_message(
            content=self.i18n.t(locale, "Your check-ins are stopped and your mood history is deleted."), view=None
        )

    async def _keep(self, interaction: discord.Interaction, _a: int, _b: int) -> None:
        locale = await self.kit.locale(interaction)
        await interaction.response.edit_message(content=self.i18n.t(
            locale, "Your check-ins are stopped. Your history is kept; /checkin history shows it.",
        ), view=None)
