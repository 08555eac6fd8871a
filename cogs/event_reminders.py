"""What happens to events without a command: reminders 24 h and 1 h before, the next card of a
weekly series, Discord's "Interested" counted as Maybe, and the events offered to a member whom
no company volunteer could take."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.i18n import N_, pick_locale
from bot.scheduling import DueJob
from bot.services.event import BAND_AUDIENCES, EventService, Reminder, member_audiences
from bot.services.volunteer import Audience as Band
from bot.ui import event as ui
from bot.ui.event_publish import EventPublisher, nonce
from bot.ui.kit import Kit, reach

log = logging.getLogger(__name__)
PARALLEL_DMS = 10  # reminders in flight at once; discord.py paces each route's rate limit
MENTIONS_PER_MESSAGE = 40


class EventRemindersCog(commands.Cog):
    """No commands: the scheduler calls ``on_reminder`` and ``on_next``."""

    def __init__(self, bot: commands.Bot, kit: Kit, events: EventService, publisher: EventPublisher,
                 max_attempts: int) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.events = events
        self.publisher = publisher
        self.max_attempts = max_attempts

    # ----- reminders ----------------------------------------------------------------------

    async def on_reminder(self, job: DueJob) -> None:
        """Each Going member once: by DM, else in the event's thread; the organiser hears of
        anyone neither reached. A Discord fault leaves the rest for the job's retry."""
        reminder = await self.events.due_reminder(job)
        if reminder is None or not reminder.members:
            return
        guild = self.bot.get_guild(reminder.event.guild_id)
        last_try = job.attempt >= self.max_attempts
        gate = asyncio.Semaphore(PARALLEL_DMS)
        closed: list[tuple[int, str]] = []

        async def one(user_id: int, locale: str) -> None:
            async with gate:
                if guild is not None and guild.get_member(user_id) is None:
                    await self.events.reminded(reminder, user_id, "left")
                    return
                if not await self.events.claim_reminder(reminder, user_id):
                    return
                try:
                    sent = await reach(self.bot, user_id, self._text(reminder, locale),
                                       nonce=nonce("remind", job.id, user_id))
                except discord.HTTPException:
                    if not last_try:
                        raise
                    sent = None
                if sent is None:
                    closed.append((user_id, locale))
                else:
                    await self.events.reminded(reminder, user_id, "dm")

        results = await asyncio.gather(*(one(u, loc) for u, loc in reminder.members), return_exceptions=True)
        unreached = await self._in_thread(reminder, [u for u, _ in closed], job) if closed else []
        if unreached:
            await self._tell_organiser(reminder, unreached)
        faults = [r for r in results if isinstance(r, BaseException)]
        if faults:
            raise faults[0]

    def _text(self, reminder: Reminder, locale: str) -> str:
        event = reminder.event
        text = N_("Reminder: “{title}” starts {when}. Place: {place}.") if reminder.kind == "1h" else N_(
            "Reminder: “{title}” is tomorrow, {when}. Place: {place}. If you cannot come, press "
            "“Can't come” on the event card so someone else can have your place."
        )
        return self.i18n.t(locale, text, title=event.title, when=ui.when(event), place=ui.place(event) or "—") + (
            f"\n{self.publisher.jump_url(event) or ''}"
        )

    async def _in_thread(self, reminder: Reminder, members: list[int], job: DueJob) -> list[int]:
        """Mention the members whose DMs are closed in the event's thread; those it fails for."""
        event = reminder.event
        locale = await self.publisher.card_locale(event)
        try:
            thread = await self._thread(reminder)
            for start in range(0, len(members), MENTIONS_PER_MESSAGE):
                batch = members[start:start + MENTIONS_PER_MESSAGE]
                await thread.send(
                    " ".join(f"<@{u}>" for u in batch) + "\n" + self._text(reminder, locale),
                    allowed_mentions=discord.AllowedMentions(users=[discord.Object(u) for u in batch]),
                    nonce=nonce("remind-thread", job.id, start),
                )
        except (discord.HTTPException, LookupError):
            log.warning("could not remind %d member(s) of event %s in its thread", len(members), event.id)
            for user_id in members:
                await self.events.reminded(reminder, user_id, "failed")
            return members
        for user_id in members:
            await self.events.reminded(reminder, user_id, "thread")
        return []

    async def _thread(self, reminder: Reminder) -> discord.Thread:
        event = reminder.event
        if event.thread_id is not None:
            existing = self.bot.get_channel(event.thread_id)
            if isinstance(existing, discord.Thread):
                return existing
        channel = self.bot.get_channel(event.channel_id)
        if not isinstance(channel, discord.TextChannel) or event.message_id is None:
            raise LookupError("the event's channel or card is gone")
        thread = await channel.get_partial_message(event.message_id).create_thread(
            name=event.title[:100], auto_archive_duration=1440
        )
        await self.events.attach(event.id, thread_id=thread.id)
        return thread

    async def _tell_organiser(self, reminder: Reminder, members: list[int]) -> None:
        event = reminder.event
        text = self.i18n.t(
            event.locale, "I could not send the reminder of “{title}” to these members: {members}. "
            "Their direct messages are closed and the event's thread was not available.",
            title=event.title, members=", ".join(f"<@{u}>" for u in members),
        )
        try:
            await reach(self.bot, event.organiser_id, text, nonce=nonce("remind-organiser", event.id, reminder.kind))
        except discord.HTTPException:
            log.warning("could not tell the organiser of event %s about missed reminders", event.id)

    # ----- weekly series ------------------------------------------------------------------

    async def on_next(self, job: DueJob) -> None:
        event = await self.events.next_occurrence(job)
        if event is None:
            return
        channel = self.bot.get_channel(event.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("the channel of event series %s is gone; occurrence %s has no card", job.ref_id, event.id)
            return
        await self.publisher.post(event, channel)

    # ----- Discord's "Interested" ---------------------------------------------------------

    @commands.Cog.listener()
    async def on_scheduled_event_user_add(self, scheduled: discord.ScheduledEvent, user: discord.User) -> None:
        member = scheduled.guild.get_member(user.id) if scheduled.guild else None
        if member is None or member.bot:
            return
        config = await self.kit.setup.get(member.guild.id)
        audiences = None if member.guild_permissions.manage_guild else member_audiences(
            config, {r.id for r in member.roles}
        )
        locale = pick_locale(await self.kit.setup.member_locale(member.guild.id, member.id), default=config.locale)
        event = await self.events.interested(scheduled.id, member.id, locale, audiences)
        if event is not None:
            self.publisher.cards.touch(event.id)

    @commands.Cog.listener()
    async def on_scheduled_event_user_remove(self, scheduled: discord.ScheduledEvent, user: discord.User) -> None:
        event = await self.events.not_interested(scheduled.id, user.id)
        if event is not None:
            self.publisher.cards.touch(event.id)

    # ----- company: when nobody is free ---------------------------------------------------

    async def upcoming_for(self, guild_id: int, band: Band, locale: str) -> str | None:
        """A few lines for the honest company notice: events coming up that the member may join."""
        events = await self.events.upcoming(guild_id, BAND_AUDIENCES[band], limit=3)
        if not events:
            return None
        lines = [self.i18n.t(locale, "Meanwhile, you are welcome at these events:")]
        for event in events:
            link = self.publisher.jump_url(event)
            lines.append(f"• {discord.utils.escape_markdown(event.title)} – {ui.when(event)}" + (f" {link}" if link else ""))
        return "\n".join(lines)
