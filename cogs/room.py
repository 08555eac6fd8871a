"""/room create, edit, archive and list (moderators): peer rooms bound to an audience.

A room is made whole or not at all: its category (on first use), the channel with every
permission overwrite in the one create call, the rules pinned in the room's language, the closed
notice when it is made outside its hours, and then the database. If a step fails, what was made
is deleted again and the database is left as it was."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.i18n import LANGUAGE_NAMES, N_
from bot.services.hours import OpeningHours
from bot.services.onboarding import RulesService
from bot.services.room import (
    Audience,
    CategoryKind,
    Room,
    RoomChange,
    RoomService,
    Status,
    clean_name,
    read_hours,
)
from bot.services.setup import BotRole, GuildConfig
from bot.ui import room as ui
from bot.ui.kit import Kit, requires
from cogs.room_hours import RoomHoursCog

log = logging.getLogger(__name__)

AUDIENCES = [app_commands.Choice(name=_(name), value=a.value) for a, name in ui.AUDIENCE_NAMES.items()]
LANGUAGES = [app_commands.Choice(name=name, value=code) for code, name in LANGUAGE_NAMES.items()]
CATEGORY_NAMES = {CategoryKind.ROOMS: N_("Rooms"), CategoryKind.ARCHIVE: N_("Archived rooms")}
NOT_A_ROOM = N_("{channel} is not a room made with /room create, or it is archived.")
NOT_MADE = N_("Nothing was made. Please fix these first:")
NOT_CHANGED = N_("Nothing was changed. Please fix these first:")


@app_commands.guild_only()
class RoomCog(commands.GroupCog, group_name=_("room"), group_description=_("Peer rooms for caregivers and young people")):
    def __init__(self, bot: commands.Bot, kit: Kit, rooms: RoomService, rules: RulesService, hours: RoomHoursCog) -> None:
        """``hours`` opens and closes rooms and keeps the minors' AutoMod rules in step."""
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.rooms = rooms
        self.rules = rules
        self.hours = hours
        super().__init__()

    # ----- create -------------------------------------------------------------------------

    @app_commands.command(name=_("create"), description=_("Moderators: make a room for one audience"))
    @app_commands.rename(name=_("name"), audience=_("audience"), topic=_("topic"), hours=_("opening_hours"),
                         category=_("category"), language=_("language"))
    @app_commands.describe(
        name=_("Name of the room's channel"),
        audience=_("Who may see and write in the room"),
        topic=_("What the room is for, shown at the top of the channel"),
        hours=_("Opening hours, e.g. ma–pe 16–21 or daily 18-22 (default: always open)"),
        category=_("Category for the room (default: the bot's Rooms category)"),
        language=_("Language of the room's rules and notices (default: the server's)"),
    )
    @app_commands.choices(audience=AUDIENCES, language=LANGUAGES)
    @requires(BotRole.MODERATOR)
    async def create(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100],
        audience: app_commands.Choice[str], topic: app_commands.Range[str, 1, 1024] | None = None,
        hours: app_commands.Range[str, 1, 200] | None = None, category: discord.CategoryChannel | None = None,
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        chosen = Audience(audience.value)
        title, about, opening = clean_name(name), self.rooms.check_topic(topic), read_hours(hours)
        tongue = self.rooms.check_language(language.value if language else config.locale)
        issues = ui.problems(self.i18n, locale, guild, config, chosen)
        if issues:
            await self.kit.reply(interaction, self._list(locale, NOT_MADE, issues))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.rooms.lock(guild.id):
            await self.rooms.ensure_name_free(guild.id, title)
            room = await self._build(guild, config, title, chosen, about, opening, tongue, category)
        warning = await self.hours.minors_protected(guild, locale, involved=room.for_minors)
        text = self.i18n.t(locale, "The room {channel} is ready for {audience}; its rules are pinned.",
                           channel=f"<#{room.channel_id}>", audience=self.i18n.t(locale, ui.AUDIENCE_NAMES[chosen]))
        await self.kit.reply(interaction, self._with(locale, text, room, guild, config, warning))

    async def _build(
        self, guild: discord.Guild, config: GuildConfig, name: str, audience: Audience, topic: str | None,
        hours: OpeningHours | None, language: str, category: discord.CategoryChannel | None,
    ) -> Room:
        made: list[discord.abc.GuildChannel] = []
        reason = self._reason(config, "/room create")
        try:
            parent = category or await self._category(guild, config, CategoryKind.ROOMS, made)
            ours = {CategoryKind.ROOMS: parent.id} if made else {}
            closed = hours is not None and not hours.is_open(self.rooms.now(), config.timezone)
            channel = await guild.create_text_channel(
                name, category=parent, topic=topic or discord.utils.MISSING, reason=reason,
                overwrites=ui.overwrites(guild, config, audience, closed=closed),
            )
            made.append(channel)
            rules = await self.rules.current(guild.id, language)
            pinned = await channel.send(embed=discord.Embed(
                title=self.i18n.t(language, "Community rules"), description=rules.text, colour=discord.Colour.teal(),
            ))
            await pinned.pin(reason=reason)
            draft = Room(0, guild.id, channel.id, channel.name, audience, topic, hours, language, Status.LIVE,
                         closed=closed, notice_message_id=None)
            return await self.rooms.add(replace(draft, notice_message_id=await self.hours.notice(
                channel, draft, config, closed)), categories=ours)
        except Exception as error:
            await self._remove(made, reason)
            refusal = self._refusal(error, name)
            if refusal is None:
                raise
            raise refusal from error

    async def _category(
        self, guild: discord.Guild, config: GuildConfig, kind: CategoryKind, made: list[discord.abc.GuildChannel]
    ) -> discord.CategoryChannel:
        """The bot's category of ``kind``, made again when it was deleted by hand (added to ``made``)."""
        found = guild.get_channel(await self.rooms.category(guild.id, kind) or 0)
        if isinstance(found, discord.CategoryChannel):
            return found
        category = await guild.create_category(self.i18n.t(config.locale, CATEGORY_NAMES[kind]),
                                               reason=self._reason(config, "/room"))
        made.append(category)
        return category

    async def _remove(self, made: list[discord.abc.GuildChannel], reason: str) -> None:
        for channel in reversed(made):
            try:
                await channel.delete(reason=reason)
            except discord.HTTPException:
                log.error("could not remove channel %s after a failed /room step; delete it by hand", channel.id)

    def _refusal(self, error: Exception, name: str) -> KohtaamoError | None:
        """A Discord refusal as the moderator's localized answer; None for anything else."""
        if not isinstance(error, discord.HTTPException):
            return None
        refused = ui.rejected_name(error)
        if refused is not None:
            return KohtaamoError("Discord did not accept the name “{name}”: {reason}. Nothing was made or changed.",
                                 name=name, reason=refused)
        if isinstance(error, discord.Forbidden):
            return KohtaamoError("Discord refused the bot a permission it needs for rooms. Check the bot's role "
                                 "in Server Settings → Roles. Nothing was made or changed.")
        return KohtaamoError("Discord did not finish the change, so nothing was kept. Please try again in a moment.")

    # ----- edit ---------------------------------------------------------------------------

    @app_commands.command(name=_("edit"), description=_("Moderators: change a room's name, topic, hours or audience"))
    @app_commands.rename(room=_("room"), name=_("name"), topic=_("topic"), hours=_("opening_hours"), audience=_("audience"))
    @app_commands.describe(
        room=_("The room's channel"),
        name=_("New name of the room's channel"),
        topic=_("New topic, shown at the top of the channel"),
        hours=_("New opening hours, e.g. ma–pe 16–21; none: always open"),
        audience=_("Who may see and write in the room"),
    )
    @app_commands.choices(audience=AUDIENCES)
    @requires(BotRole.MODERATOR)
    async def edit(
        self, interaction: discord.Interaction, room: discord.TextChannel,
        name: app_commands.Range[str, 1, 100] | None = None, topic: app_commands.Range[str, 1, 1024] | None = None,
        hours: app_commands.Range[str, 1, 200] | None = None, audience: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        found = await self._live(room)
        change = RoomChange(name, topic, hours, Audience(audience.value) if audience else None)
        wanted = self.rooms.changed(found, change)
        issues = ui.problems(self.i18n, locale, guild, config, wanted.audience)
        if issues:
            await self.kit.reply(interaction, self._list(locale, NOT_CHANGED, issues))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.rooms.lock(guild.id):
            await self.rooms.ensure_name_free(guild.id, wanted.name, room_id=found.id)
            saved = await self._change(guild, config, room, found, wanted)
        warning = await self.hours.minors_protected(guild, locale, involved=found.for_minors or saved.for_minors)
        text = self.i18n.t(locale, "The room {channel} is updated.", channel=room.mention)
        await self.kit.reply(interaction, self._with(locale, text, saved, guild, config, warning))

    async def _change(
        self, guild: discord.Guild, config: GuildConfig, channel: discord.TextChannel, found: Room, wanted: Room
    ) -> Room:
        closed = wanted.should_be_closed(self.rooms.now(), config.timezone)
        try:
            edited = await channel.edit(
                name=wanted.name, topic=wanted.topic or "", reason=self._reason(config, "/room edit"),
                overwrites=ui.overwrites(guild, config, wanted.audience, closed=closed),
            )
        except discord.HTTPException as error:
            raise self._refusal(error, wanted.name) or error from error
        notice_id = None
        try:
            notice_id = await self.hours.notice(channel, wanted, config, closed)
        except discord.HTTPException:
            log.warning("room %s: its closed notice could not be replaced", found.id)
        name = (edited or channel).name  # as Discord wrote it
        return await self.rooms.save(replace(wanted, name=name, closed=closed, notice_message_id=notice_id))

    # ----- archive ------------------------------------------------------------------------

    @app_commands.command(name=_("archive"), description=_("Moderators: close a room for good, keeping its history"))
    @app_commands.rename(room=_("room"))
    @app_commands.describe(room=_("The room's channel"))
    @requires(BotRole.MODERATOR)
    async def archive(self, interaction: discord.Interaction, room: discord.TextChannel) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        found = await self._live(room)
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.rooms.lock(guild.id):
            made: list[discord.abc.GuildChannel] = []
            reason = self._reason(config, "/room archive")
            try:
                parent = await self._category(guild, config, CategoryKind.ARCHIVE, made)
                await room.edit(category=parent, sync_permissions=False, reason=reason,
                                overwrites=ui.overwrites(guild, config, found.audience, archived=True))
            except discord.HTTPException as error:
                await self._remove(made, reason)
                raise self._refusal(error, found.name) or error from error
            if found.notice_message_id is not None:
                with contextlib.suppress(discord.HTTPException):
                    await room.get_partial_message(found.notice_message_id).delete()
            await self.rooms.archive(found, category_id=parent.id if made else None)
        warning = await self.hours.minors_protected(guild, locale, involved=found.for_minors)
        text = self.i18n.t(locale, "The room {channel} is archived: members can read its history but no longer "
                                   "write there.", channel=room.mention)
        await self.kit.reply(interaction, text + (f"\n\n⚠️ {warning}" if warning else ""))

    # ----- list ---------------------------------------------------------------------------

    @app_commands.command(name=_("list"), description=_("Moderators: the rooms, who they are for and their hours"))
    @requires(BotRole.MODERATOR)
    async def list_rooms(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        rooms = await self.rooms.in_guild(interaction.guild.id)
        mixed = ui.minors_in_adult_rooms(self.i18n, locale, interaction.guild, config)
        await self.kit.reply(interaction, embed=ui.listing(self.i18n, locale, rooms, config.timezone, self.rooms.now(),
                                                           mixed))

    # ----- helpers ------------------------------------------------------------------------

    async def _live(self, channel: discord.TextChannel) -> Room:
        found = await self.rooms.by_channel(channel.id)
        if found is None or found.status is not Status.LIVE:
            raise KohtaamoError(NOT_A_ROOM, channel=channel.mention)
        return found

    def _reason(self, config: GuildConfig, command: str) -> str:
        """For the server's audit log."""
        return self.i18n.t(config.locale, "Kohtaamo rooms ({command})", command=command)

    def _list(self, locale: str, heading: str, lines: list[str]) -> str:
        return self.i18n.t(locale, heading) + "\n" + "\n".join(f"• {line}" for line in lines)

    def _with(
        self, locale: str, text: str, room: Room, guild: discord.Guild, config: GuildConfig, warning: str | None
    ) -> str:
        """The answer: what was done, the room's hours, and warnings: about AutoMod, and about minors
        who could see an adults' room."""
        if room.hours is None:
            text += "\n" + self.i18n.t(locale, "Open at all times.")
        else:
            state = (self.i18n.t(locale, "closed now") if room.closed else self.i18n.t(locale, "open now"))
            text += "\n" + self.i18n.t(locale, "Opening hours: {hours} ({state}).",
                                       hours=room.hours.describe(locale), state=state)
        mixed = None if room.for_minors else ui.minors_in_adult_rooms(self.i18n, locale, guild, config)
        return text + "".join(f"\n\n⚠️ {w}" for w in (warning, mixed) if w)
