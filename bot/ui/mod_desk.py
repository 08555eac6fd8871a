"""Moderators' actions on members, carried out on Discord: the hierarchy check, the Discord
side (a native timeout), the case, telling the member, the card in the moderation log, and the
moderator's answer. The ``/mod`` commands and the moderation buttons call this."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import discord

from bot.clock import Clock
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.duration import TIMEOUT_MAX, TIMEOUT_TOO_LONG, require_duration
from bot.services.moderation import Action, Case, ModerationService, check_reach
from bot.services.setup import BotRole, GuildConfig
from bot.ui import mod as ui
from bot.ui.company import send_dm
from bot.ui.kit import Kit, NotPermitted
from bot.ui.relay import neutralise

log = logging.getLogger(__name__)
LEFT = N_("This member is no longer on the server.")


class Desk:
    def __init__(
        self, client: discord.Client, kit: Kit, moderation: ModerationService, clock: Clock,
        unlocked: Callable[[int], Awaitable[None]],
    ) -> None:
        """``unlocked`` puts a channel right after /mod unlock (a room gets its hours' state)."""
        self.client = client
        self.kit = kit
        self.i18n = kit.i18n
        self.moderation = moderation
        self.clock = clock
        self.unlocked = unlocked

    # ------------------------------------------------------------------ checks
    def target(self, guild: discord.Guild, user: discord.abc.User, config: GuildConfig,
               actor: discord.abc.User) -> discord.Member:
        """The member acted on, if the actor may act on them and the bot can."""
        member = guild.get_member(user.id)
        if member is None:
            raise KohtaamoError(LEFT)
        me, mine = guild.me, guild.get_member(actor.id)
        assert mine is not None
        check_reach(ui.standing(mine, config), ui.standing(member, config), ui.standing(me, config))
        return member

    async def member_locale(self, config: GuildConfig, user_id: int) -> str:
        return await self.kit.setup.member_locale(config.guild_id, user_id) or config.locale

    # ----------------------------------------------------------------- actions
    async def act(self, interaction: discord.Interaction, action: Action, user: discord.abc.User, reason: str,
                  duration_text: str | None = None) -> None:
        """``/mod warn``, ``timeout``, ``untimeout`` and ``note``."""
        assert interaction.guild is not None
        guild = interaction.guild
        config = await self.kit.config(interaction)
        member = self.target(guild, user, config, interaction.user)
        duration = None
        if action is Action.TIMEOUT:
            duration = require_duration(duration_text or "", TIMEOUT_MAX, TIMEOUT_TOO_LONG)
        await interaction.response.defer(ephemeral=True)
        if action in (Action.TIMEOUT, Action.UNTIMEOUT):
            await self._discord_timeout(member, action, duration, reason)
        case = await self.moderation.record(guild.id, action, interaction.user.id, reason, target_user_id=member.id,
                                            duration=duration)
        if action is not Action.NOTE:
            case = await self.tell(config, guild, case)
        await self.finish(interaction, config, case)

    async def _discord_timeout(self, member: discord.Member, action: Action, duration: timedelta | None,
                               reason: str) -> None:
        now = self.clock.now()
        if action is Action.UNTIMEOUT and not (member.timed_out_until and member.timed_out_until > now):
            raise KohtaamoError("This member is not in a timeout. Nothing was changed.")
        if not member.guild.me.guild_permissions.moderate_members:
            raise KohtaamoError("The bot needs the Moderate Members permission for timeouts. Nothing was changed.")
        until = None if duration is None else now + duration
        try:
            await member.edit(timed_out_until=until, reason=f"Kohtaamo /mod {action.value}")
        except discord.Forbidden:
            raise KohtaamoError("Discord did not let the bot do this (Moderate Members, or the member's roles). "
                                "Nothing was changed.") from None
        except discord.NotFound:
            raise KohtaamoError(LEFT) from None

    async def tell(self, config: GuildConfig, guild: discord.Guild, case: Case, *, text: str = "") -> Case:
        """The member's DM about ``case``, in their language, not naming the moderator."""
        assert case.target_user_id is not None
        locale = await self.member_locale(config, case.target_user_id)
        sent = await send_dm(self.client, case.target_user_id, ui.told_text(self.i18n, locale, guild.name, case,
                                                                             text=text))
        return await self.moderation.told(case, sent is not None)

    async def finish(self, interaction: discord.Interaction, config: GuildConfig, case: Case,
                     quoted: str | None = None) -> None:
        """The card in the moderation log and the moderator's answer."""
        locale = await self.kit.locale(interaction)
        active = None
        if case.kind == Action.WARN and case.target_user_id:
            active = await self.moderation.active_warnings(case.guild_id, case.target_user_id)
        card = ui.case_card(self.i18n, config.locale, case, active_warnings=active)
        if quoted is not None:
            card.add_field(name=self.i18n.t(config.locale, "Removed text"), value=ui.quote(quoted, 900), inline=False)
        posted = await ui.post_log(self.client, config, embed=card)
        lines = [self.i18n.t(locale, "Done: case {number} ({action}).", number=case.number,
                             action=ui.kind_name(self.i18n, locale, case.kind))]
        if active is not None:
            lines.append(self.i18n.t(locale, "Active warnings now: {n}.", n=active))
        if case.member_told is True:
            lines.append(self.i18n.t(locale, "The member was told by direct message."))
        elif case.member_told is False:
            lines.append(self.i18n.t(locale, "The member could not be reached by direct message: please tell them "
                                             "yourself."))
        if posted is None:
            lines.append(self.i18n.t(locale, "The moderation log is not available, so no card was posted. Check /setup."))
        await self.kit.reply(interaction, "\n".join(lines))

    # ---------------------------------------------------------------- reading
    async def history(self, interaction: discord.Interaction, user_id: int, page: int, *, edit: bool = False) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        found = await self.moderation.history(interaction.guild_id, user_id, page)
        expired = {c.id for c in found.cases if self.moderation.expired(c)}
        embed = ui.history(self.i18n, locale, user_id, found, expired)
        view = ui.pager(self.i18n, locale, user_id, found)
        if edit:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await self.kit.reply(interaction, embed=embed, view=view or discord.utils.MISSING)

    async def show(self, interaction: discord.Interaction, number: int) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        case = await self.moderation.case(interaction.guild_id, number)
        embed = ui.case_card(self.i18n, locale, case, expired=self.moderation.expired(case))
        for edit in await self.moderation.edits(case):
            embed.add_field(name=self.i18n.t(locale, "Earlier reason"), inline=False, value=(
                f"{discord.utils.format_dt(edit.edited_at, 'd')} · <@{edit.moderator_id}>: "
                f"{neutralise(edit.old_reason)[:300] or '—'}"))
        await self.kit.reply(interaction, embed=embed)

    async def correct(self, interaction: discord.Interaction, number: int, reason: str) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        before, after = await self.moderation.correct(interaction.guild_id, number, interaction.user.id, reason)
        card = ui.case_card(self.i18n, config.locale, after, title=self.i18n.t(
            config.locale, "Case {number}: reason corrected", number=after.number))
        card.add_field(name=self.i18n.t(config.locale, "Earlier reason"), value=neutralise(before.reason)[:1024]
                       or "—", inline=False)
        card.add_field(name=self.i18n.t(config.locale, "Corrected by"), value=interaction.user.mention)
        posted = await ui.post_log(self.client, config, embed=card)
        text = self.i18n.t(locale, "The reason of case {number} is corrected; the earlier one is kept in its history.",
                           number=number)
        if posted is None:
            text += "\n" + self.i18n.t(locale, "The moderation log is not available, so no card was posted. Check /setup.")
        await self.kit.reply(interaction, text)

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int, arg: int) -> None:
        if interaction.guild_id is None or not await self.kit.permitted(interaction, BotRole.MODERATOR):
            raise NotPermitted(BotRole.MODERATOR)
        if action == "page":
            await self.history(interaction, ref, arg, edit=True)
