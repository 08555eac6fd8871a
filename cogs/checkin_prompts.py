"""Check-ins at their time: the scheduler calls ``on_personal`` for each due personal check-in
and ``on_room`` for each room prompt; room counts are edited in here, coalesced. No commands
(``cogs/checkin.py`` has them).

A fan-out (a thousand members choosing 09:00) goes through ``Pacer``: Discord allows a bot 50
requests per second in all, and discord.py learns of that limit only from 429s, so the sends pace
themselves instead of running into it. Each DM is one request: the DM channel was opened at opt-in
and its id kept, so no ``POST /users/@me/channels`` (one bucket for the whole bot, 10 per 10 s)
is needed per DM, even after a restart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from types import TracebackType

import discord
from discord.ext import commands

from bot.scheduling import DueJob
from bot.services.checkin_personal import PersonalCheckins
from bot.services.checkin_room import RoomCheckins, Tally
from bot.ui import checkin as ui
from bot.ui import checkin_room as room_ui
from bot.ui.kit import Kit

log = logging.getLogger(__name__)
DM_CLOSED = 50007
GLOBAL_PER_SECOND = 50
COALESCE_SECONDS = 1.0  # votes within this are one edit of the prompt's counts


class Pacer:
    """At most ``count`` requests that can reach Discord within any ``window`` seconds: a send
    starts only while fewer than ``count`` are in flight or finished less than ``window`` ago.
    Whatever fixed window Discord counts in, the requests arriving in it were all in flight or had
    finished within ``window`` of the last one's start, so no window sees more than ``count``.
    Waiters queue in arrival order and only the first one watches the clock (no thundering herd
    when a thousand DMs wait at once)."""

    def __init__(self, count: int = GLOBAL_PER_SECOND, window: float = 1.0) -> None:
        self.count = count
        self.window = window
        self._in_flight = 0
        self._finished: deque[float] = deque()
        self._turn = asyncio.Lock()  # FIFO
        self._freed = asyncio.Event()

    async def __aenter__(self) -> None:
        async with self._turn:
            while True:
                now = time.monotonic()
                while self._finished and self._finished[0] <= now - self.window:
                    self._finished.popleft()
                if self._in_flight + len(self._finished) < self.count:
                    self._in_flight += 1
                    return
                self._freed.clear()
                wait = self._finished[0] + self.window - now if self._finished else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._freed.wait(), wait)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._in_flight -= 1
        self._finished.append(time.monotonic())
        self._freed.set()


class CheckinPromptsCog(commands.Cog):
    def __init__(self, bot: commands.Bot, kit: Kit, personal: PersonalCheckins, rooms: RoomCheckins) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.personal = personal
        self.rooms = rooms
        self.pacer = Pacer()
        self.coalesce = COALESCE_SECONDS
        self._edits: dict[int, asyncio.Task[None]] = {}

    async def on_personal(self, job: DueJob) -> None:
        """One member's check-in DM; the nonce makes a resend after a crash a no-op at Discord."""
        due = await self.personal.due(job)
        if due is None:
            return
        personal, locale = due.personal, due.personal.locale
        channel = self.bot.get_partial_messageable(personal.dm_channel_id, type=discord.ChannelType.private)
        try:
            async with self.pacer:
                await channel.send(ui.dm_text(self.i18n, locale, due), view=ui.dm_view(self.i18n, locale, due),
                                   nonce=f"kd{job.id}")
        except (discord.Forbidden, discord.NotFound) as error:
            if isinstance(error, discord.Forbidden) and error.code != DM_CLOSED:
                raise
            log.info("check-in DM %s could not be delivered (%s); the member's check-ins are paused", job.id, error.code)
            await self.personal.dms_closed(personal.id)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member who leaves the server they opted in on gets no more check-ins (their own
        history stays theirs: /checkin history and the privacy export still show it)."""
        personal = await self.personal.get(payload.user.id)
        if personal is not None and personal.guild_id == payload.guild_id:
            await self.personal.stop(payload.user.id)

    async def on_room(self, job: DueJob) -> None:
        """Post a room's prompt with its mood buttons (a plain send: nobody's interaction) and open
        a thread for replies. A deleted channel removes the schedule."""
        due = await self.rooms.due(job)
        if due is None:
            return
        channel = self.bot.get_channel(due.room.channel_id)
        if not isinstance(channel, discord.TextChannel):
            log.warning("room check-in %s: channel %s is gone; schedule removed", due.room.id, due.room.channel_id)
            await self.rooms.channel_gone(due.room)
            return
        try:
            message = await channel.send(room_ui.message_text(self.i18n, due, Tally(0, None)),
                                         view=room_ui.prompt_view(self.i18n, due), nonce=f"kr{job.id}")
        except discord.NotFound:
            await self.rooms.channel_gone(due.room)
            return
        except discord.Forbidden:
            log.warning("room check-in %s: not allowed to post in channel %s", due.room.id, channel.id)
            return
        await self.rooms.posted(due.occurrence_id, channel.id, message.id)
        try:
            await message.create_thread(name=room_ui.prompt_text(self.i18n, due)[:100], auto_archive_duration=1440)
        except discord.HTTPException:
            log.warning("room check-in %s: no thread for the replies", due.room.id)

    def counts_changed(self, occurrence_id: int) -> None:
        """A vote came in: the prompt's counts are edited once for a burst of votes."""
        if occurrence_id not in self._edits:
            self._edits[occurrence_id] = asyncio.create_task(self._edit_counts(occurrence_id))

    async def _edit_counts(self, occurrence_id: int) -> None:
        await asyncio.sleep(self.coalesce)
        del self._edits[occurrence_id]  # votes from here on start the next edit
        prompt = await self.rooms.prompt_of(occurrence_id)
        if prompt is None or prompt.channel_id is None or prompt.message_id is None:
            return
        message = self.bot.get_partial_messageable(prompt.channel_id).get_partial_message(prompt.message_id)
        try:
            await message.edit(content=room_ui.message_text(self.i18n, prompt, await self.rooms.tally(occurrence_id)))
        except discord.HTTPException:
            log.warning("could not edit the counts of room check-in prompt %s", occurrence_id)
