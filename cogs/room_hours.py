"""Rooms over time: opening and closing by the hours, putting every room right after a restart,
noticing a room channel deleted by hand in Discord, and keeping a 13–17 room closed to adults when
its permissions are changed by hand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord.ext import commands

from bot.scheduling import DueJob
from bot.services.moderation import ModerationService
from bot.services.room import AUTOMOD_EXEMPT_ROLES, Room, RoomService, Status
from bot.services.setup import BotChannel, GuildConfig
from bot.ui import room as ui
from bot.ui.automod import sync_minor_rules
from bot.ui.kit import Kit

log = logging.getLogger(__name__)


class RoomHoursCog(commands.Cog):
    """No commands: the scheduler calls ``on_hours``; /room calls ``notice`` and ``minors_protected``."""

    def __init__(self, bot: commands.Bot, kit: Kit, rooms: RoomService, moderation: ModerationService) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.rooms = rooms
        self.moderation = moderation  # a room under /mod lock keeps shut whatever its hours say
        self.reconciled = asyncio.Event()  # set once every room was put right after a start

    async def on_hours(self, job: DueJob) -> None:
        """A room's opening or closing time came. The state is taken from the clock, so a job
        that runs late (or twice) puts the room in the state it should be in now."""
        await self.bot.wait_until_ready()
        room = await self.rooms.due(job)
        if room is not None:
            await self.settle(room)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a start (or a new session) every live room is put in the state it should be in now:
        open or closed by its hours, or gone if its channel was deleted meanwhile."""
        for room in await self.rooms.live():
            try:
                await self.settle(room)
            except discord.HTTPException:
                log.warning("room %s: could not be put right at start; trying again in a minute", room.id)
                await self.rooms.retry_soon(room)
        self.reconciled.set()

    async def settle(self, room: Room) -> None:
        guild = self.bot.get_guild(room.guild_id)
        if guild is None:
            return  # the bot is not (or not yet) on that server; the room waits as it is
        async with self.rooms.lock(room.guild_id):
            current = await self.rooms.get(room.id)
            if current is None or current.status is not Status.LIVE:
                return
            channel = guild.get_channel(current.channel_id)
            if not isinstance(channel, discord.TextChannel):
                await self._gone(guild, current)
                return
            config = await self.kit.setup.get(guild.id)
            closed = current.should_be_closed(self.rooms.now(), config.timezone)
            exposed = current.for_minors and ui.exposed(channel, config)
            # While a moderator's lock holds, the hours wait: /mod unlock puts the room right.
            locked = await self.moderation.locked(channel.id) is not None
            if exposed or (closed != current.closed and not locked):
                await channel.edit(overwrites=ui.overwrites(guild, config, current.audience, closed=closed or locked),
                                   reason=self._reason(config, closed, exposed))
            if exposed:
                await self._tell_moderators(guild, config, channel)
            if closed != current.closed and not locked:
                current = await self.rooms.set_state(current, closed, await self.notice(channel, current, config, closed))
            await self.rooms.schedule_next(current)

    async def roles_changed(self, guild: discord.Guild) -> int:
        """After /setup maps other roles: every room, live or archived, gets its audience's roles as
        they are mapped now (a 13–17 room stops being open to the role it had before). How many
        rooms were changed."""
        config = await self.kit.setup.get(guild.id)
        changed = 0
        async with self.rooms.lock(guild.id):
            for room in await self.rooms.in_guild(guild.id):
                channel = guild.get_channel(room.channel_id)
                if room.status is Status.GONE or not isinstance(channel, discord.TextChannel):
                    continue
                locked = await self.moderation.locked(channel.id) is not None
                try:
                    wanted = ui.overwrites(guild, config, room.audience, closed=room.closed or locked,
                                           archived=room.status is Status.ARCHIVED)
                except KeyError:  # a role the room needs is not mapped; /room edit says which
                    continue
                if _pairs(wanted) != _pairs(channel.overwrites):
                    await channel.edit(overwrites=wanted, reason=self.i18n.t(
                        config.locale, "Kohtaamo's roles were changed with /setup."))
                    changed += 1
        if changed:
            await self.minors_protected(guild, config.locale, involved=False)  # AutoMod's exempt roles too
        return changed

    async def unlocked(self, channel_id: int) -> None:
        """After /mod unlock: a room gets the state its hours give it now."""
        room = await self.rooms.by_channel(channel_id)
        if room is not None:
            await self.settle(room)

    @commands.Cog.listener()
    async def on_guild_channel_update(self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel) -> None:
        """A 13–17 room opened by hand to anyone outside its audience (an adult's role, a member,
        @everyone) gets its permissions back at once, and the moderators are told."""
        if not isinstance(after, discord.TextChannel):
            return
        room = await self.rooms.by_channel(after.id)
        if room is not None and room.status is Status.LIVE and room.for_minors and ui.exposed(
            after, await self.kit.setup.get(after.guild.id)
        ):
            log.warning("room %s: a 13–17 room was opened to others; putting its permissions back", room.id)
            await self.settle(room)

    async def _tell_moderators(self, guild: discord.Guild, config: GuildConfig, channel: discord.TextChannel) -> None:
        modlog = guild.get_channel(config.channels.get(BotChannel.MODLOG, 0))
        if isinstance(modlog, discord.TextChannel):
            with contextlib.suppress(discord.HTTPException):
                await modlog.send(self.i18n.t(
                    config.locale, "⚠️ {channel} is a room for 13–17-year-olds, and its permissions were changed so "
                    "that others could see it. Kohtaamo put them back: only the 13–17 role and the moderators see "
                    "it. Change rooms with /room edit.", channel=channel.mention,
                ))

    async def notice(self, channel: discord.TextChannel, room: Room, config: GuildConfig, closed: bool) -> int | None:
        """The notice that goes with the state: the old one goes; a closed room gets one that says
        when it opens again and where help is meanwhile (its id is returned). The overwrites and
        the stored state are the caller's."""
        if room.notice_message_id is not None:
            with contextlib.suppress(discord.NotFound):
                await channel.get_partial_message(room.notice_message_id).delete()
        opens_at = room.next_change(self.rooms.now(), config.timezone) if closed else None
        if opens_at is None:
            return None
        message = await channel.send(ui.notice(self.i18n, room.language, opens_at),
                                     nonce=ui.notice_nonce(channel.id, opens_at))
        return message.id

    def _reason(self, config: GuildConfig, closed: bool, exposed: bool) -> str:
        if exposed:
            return self.i18n.t(config.locale, "A room for 13–17-year-olds is only for them and the moderators.")
        if closed:
            return self.i18n.t(config.locale, "Opening hours: the room closes.")
        return self.i18n.t(config.locale, "Opening hours: the room opens.")

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        room = await self.rooms.by_channel(channel.id)
        if room is not None:
            async with self.rooms.lock(room.guild_id):
                await self._gone(channel.guild, room)

    async def _gone(self, guild: discord.Guild, room: Room) -> None:
        if await self.rooms.gone(room):
            log.info("room %s: its channel was deleted in Discord", room.id)
            if room.for_minors:
                await self.minors_protected(guild, (await self.kit.setup.get(guild.id)).locale, involved=True)

    async def minors_protected(self, guild: discord.Guild, locale: str, *, involved: bool) -> str | None:
        """Keep the bot's AutoMod rules on exactly the live 13–17 rooms. A warning in ``locale``
        when they could not be kept, for the answer to a moderator; given only when minors' rooms
        exist or ``involved`` (this change concerned one)."""
        config = await self.kit.setup.get(guild.id)
        minors = await self.rooms.minor_channel_ids(guild.id)
        warning = await sync_minor_rules(
            guild, minor_channel_ids=minors,
            exempt_role_ids=[config.roles[r] for r in AUTOMOD_EXEMPT_ROLES if r in config.roles],
            alert_channel_id=config.channels.get(BotChannel.MODLOG), i18n=self.i18n, locale=locale,
        )
        if warning is None or not (minors or involved):
            return None
        log.warning("guild %s: AutoMod for the 13–17 rooms is not in step", guild.id)
        return warning


def _pairs(overwrites: Mapping[Any, discord.PermissionOverwrite]) -> dict[int, Any]:
    return {target.id: overwrite.pair() for target, overwrite in overwrites.items()}
