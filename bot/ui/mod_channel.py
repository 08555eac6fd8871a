"""Moderators' actions on channels and messages: slowmode, lock and unlock (what the overwrites
allowed before is kept and put back), and removing a message (its author gets the reason and
their own text back by DM). Each is a case with a card, like the actions on members."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import discord

from bot.errors import KohtaamoError
from bot.i18n import N_, I18n
from bot.services.duration import SLOWMODE_MAX, SLOWMODE_TOO_LONG, require_duration
from bot.services.moderation import REASON_MAX, Action
from bot.services.setup import BotRole, GuildConfig
from bot.ui.kit import NotPermitted
from bot.ui.mod import fetch_message
from bot.ui.mod_desk import Desk

SHUT = ("send_messages", "send_messages_in_threads", "create_public_threads")
OFF = {"0", "off", "pois", "av", "ei", "nej", "no", "none"}
REMOVE_FORM = re.compile(r"k:v1:mod:remove-form:(?P<channel>\d+):(?P<message>\d+)")
GONE = N_("That message has been deleted already, so there is nothing to remove.")


class RemoveForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, channel_id: int, message_id: int) -> None:
        super().__init__(title=i18n.t(locale, "Remove message"), timeout=900,
                         custom_id=f"k:v1:mod:remove-form:{channel_id}:{message_id}")
        self.add_item(discord.ui.Label(
            text=i18n.t(locale, "Reason"),
            description=i18n.t(locale, "The author gets this and their own text by DM, without your name."),
            component=discord.ui.TextInput(custom_id="reason", style=discord.TextStyle.paragraph, min_length=3,
                                           max_length=REASON_MAX),
        ))


class ChannelDesk:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.kit = desk.kit
        self.i18n = desk.i18n

    def _bot_may(self, channel: discord.TextChannel, *names: str) -> None:
        perms = channel.permissions_for(channel.guild.me)
        if not all(getattr(perms, n) for n in names):
            raise KohtaamoError("The bot needs the Manage Channels and Manage Permissions permissions in {channel}. "
                                "Nothing was changed.", channel=channel.mention)

    async def slowmode(self, interaction: discord.Interaction, channel: discord.TextChannel, text: str) -> None:
        config = await self.kit.config(interaction)
        if text.strip().lower() in OFF:
            duration = timedelta()
        else:
            duration = require_duration(text, SLOWMODE_MAX, SLOWMODE_TOO_LONG)
        self._bot_may(channel, "manage_channels")
        await interaction.response.defer(ephemeral=True)
        try:
            await channel.edit(slowmode_delay=int(duration.total_seconds()), reason="Kohtaamo /mod slowmode")
        except discord.HTTPException:
            raise KohtaamoError("Discord did not accept the change. Nothing was changed.") from None
        case = await self.desk.moderation.record(config.guild_id, Action.SLOWMODE, interaction.user.id, "",
                                                 channel_id=channel.id, duration=duration)
        await self.desk.finish(interaction, config, case)

    def _shut_targets(self, channel: discord.TextChannel, config: GuildConfig) -> list[discord.Role | discord.Member]:
        """Everyone whose overwrites a lock changes: @everyone and every role or member overwrite
        except the team's roles and the bot."""
        team = {config.roles.get(BotRole.MODERATOR), config.roles.get(BotRole.STAFF)}
        targets: list[discord.Role | discord.Member] = [channel.guild.default_role]
        for target in list(channel.overwrites):
            if target.id in team or target.id == channel.guild.me.id or target.id == channel.guild.id:
                continue
            if isinstance(target, discord.Role | discord.Member):
                targets.append(target)
        return targets

    async def lock(self, interaction: discord.Interaction, channel: discord.TextChannel | None,
                   reason: str | None, *, locked: bool) -> None:
        config = await self.kit.config(interaction)
        channel = channel or (interaction.channel if isinstance(interaction.channel, discord.TextChannel) else None)
        if channel is None:
            raise KohtaamoError("Choose a text channel.")
        previous = await self.desk.moderation.locked(channel.id)
        if locked and previous is not None:
            raise KohtaamoError("This channel is locked already.")
        if not locked and previous is None:
            raise KohtaamoError("This channel is not locked by the bot. Nothing was changed.")
        self._bot_may(channel, "manage_channels", "manage_roles")
        await interaction.response.defer(ephemeral=True)
        overwrites = dict(channel.overwrites)
        if locked:
            previous = {}
            for target in self._shut_targets(channel, config):
                current = overwrites.get(target, discord.PermissionOverwrite())
                previous[target.id] = {name: getattr(current, name) for name in SHUT}
                current.update(**dict.fromkeys(SHUT, False))
                overwrites[target] = current
        else:
            assert previous is not None
            for key, overwrite in overwrites.items():
                if key.id in previous:
                    overwrite.update(**previous[key.id])
        try:
            await channel.edit(overwrites=overwrites, reason=f"Kohtaamo /mod {'lock' if locked else 'unlock'}")
        except discord.HTTPException:
            raise KohtaamoError("Discord did not accept the change. Nothing was changed.") from None
        if locked:
            await self.desk.moderation.lock(config.guild_id, channel.id, previous)
        else:
            await self.desk.moderation.unlocked(channel.id)
            await self.desk.unlocked(channel.id)
        action = Action.LOCK if locked else Action.UNLOCK
        case = await self.desk.moderation.record(config.guild_id, action, interaction.user.id, reason or "",
                                                 channel_id=channel.id)
        if locked:
            notice = self.i18n.t(config.locale, "The moderators have locked this channel for now: you can read it but "
                                                "not write.")
        else:
            notice = self.i18n.t(config.locale, "This channel is open again.")
        if reason:
            notice += "\n" + self.i18n.t(config.locale, "Reason: {reason}", reason=discord.utils.escape_markdown(reason))
        with contextlib.suppress(discord.HTTPException):  # the case and the card still say what happened
            await channel.send(notice)
        await self.desk.finish(interaction, config, case)

    # ------------------------------------------------------------ remove message
    async def ask_remove(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The context menu: check who wrote it, then the form asking the reason."""
        assert interaction.guild is not None
        config = await self.kit.config(interaction)
        if message.author.bot or message.webhook_id:
            raise KohtaamoError("This removes members' messages; the bot's own and webhooks' are not for it.")
        self._check_author(interaction, message, config)
        locale = await self.kit.locale(interaction)
        await interaction.response.send_modal(RemoveForm(self.i18n, locale, message.channel.id, message.id))

    def _check_author(self, interaction: discord.Interaction, message: discord.Message, config: GuildConfig) -> None:
        """The hierarchy, for an author still on the server; a departed author's message may go."""
        assert interaction.guild is not None
        if interaction.guild.get_member(message.author.id) is not None:
            self.desk.target(interaction.guild, message.author, config, interaction.user)

    async def remove(self, interaction: discord.Interaction, channel_id: int, message_id: int, reason: str) -> None:
        if interaction.guild is None or not await self.kit.permitted(interaction, BotRole.MODERATOR):
            raise NotPermitted(BotRole.MODERATOR)
        config = await self.kit.config(interaction)
        message = await fetch_message(interaction.guild, channel_id, message_id, GONE)
        self._check_author(interaction, message, config)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await message.delete()
        except discord.NotFound:
            raise KohtaamoError(GONE) from None
        except discord.HTTPException:
            raise KohtaamoError("The bot needs the Manage Messages permission there. Nothing was changed.") from None
        case = await self.desk.moderation.record(config.guild_id, Action.REMOVE, interaction.user.id,
                                                 " ".join(reason.split()), target_user_id=message.author.id,
                                                 channel_id=channel_id)
        case = await self.desk.tell(config, interaction.guild, case, text=message.content)
        await self.desk.finish(interaction, config, case, quoted=message.content)
