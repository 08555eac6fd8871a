"""``/mod``: moderators' commands. Each one records a case (bot/db/cases.py) and posts a card in
the moderation log. Now: ``/mod ageband``, the only way a member's age group changes after
onboarding (nobody moves themselves into or out of the 13–17 rooms)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.services.onboarding import AgeBand, BandChange, OnboardingService, roles_for
from bot.services.setup import BotChannel, BotRole, GuildConfig
from bot.ui import onboarding as ui
from bot.ui.company import send_dm
from bot.ui.kit import Kit, requires
from bot.ui.relay import neutralise

log = logging.getLogger(__name__)
BANDS = [app_commands.Choice(name=_(ui.BAND_LABELS[band]), value=band.value) for band in (AgeBand.MINOR, AgeBand.ADULT)]
REASON_MAX = 500


@app_commands.guild_only()
class ModCog(commands.GroupCog, group_name=_("mod"), group_description=_("Moderators' tools; every use is a case")):
    def __init__(self, bot: commands.Bot, kit: Kit, onboarding: OnboardingService) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.onboarding = onboarding
        super().__init__()

    @app_commands.command(name=_("ageband"), description=_("Move a member to another age group (recorded as a case)"))
    @app_commands.rename(member=_("member"), band=_("age_group"), reason=_("reason"))
    @app_commands.describe(
        member=_("The member whose age group changes"),
        band=_("Their new age group"),
        reason=_("Why: the member is told this, but not who made the change"),
    )
    @app_commands.choices(band=BANDS)
    @requires(BotRole.MODERATOR)
    async def ageband(self, interaction: discord.Interaction, member: discord.Member,
                      band: app_commands.Choice[str], reason: app_commands.Range[str, 1, REASON_MAX]) -> None:
        assert interaction.guild is not None
        if member.id == interaction.user.id:
            raise KohtaamoError("You cannot change your own age group: ask another moderator.")
        await interaction.response.defer(ephemeral=True)
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        new = AgeBand(band.value)
        current = await self.onboarding.choices(interaction.guild.id, member.id)
        if current is None:
            raise KohtaamoError("This member has not finished the introduction yet; they choose their age group there.")
        if current.age_band is new:
            raise KohtaamoError("The member is in that age group already. Nothing was changed.")
        before, after = roles_for(current.caregiver, current.age_band), roles_for(current.caregiver, new)
        gain, lose = [r for r in after if r not in before], [r for r in before if r not in after]
        roles = ui.grantable(self.i18n, locale, interaction.guild, config, gain + lose)
        add, drop = roles[:len(gain)], roles[len(gain):]
        kept = [r for r in member.roles if not r.is_default() and r not in drop and r not in add]
        try:  # one edit: the member never holds both age groups' roles, nor neither (nor, at 13–17, a caregiver's)
            await member.edit(roles=[*kept, *add], reason="Kohtaamo: /mod ageband")
        except discord.HTTPException as error:
            log.warning("age group roles failed in guild %s: %s %s", config.guild_id, error.status, error.code)
            raise KohtaamoError("The bot could not change the member's roles, so nothing was changed.") from None
        change = await self.onboarding.change_band(interaction.guild.id, member.id, new, interaction.user.id, reason)
        logged = await self._card(config, change, member, interaction.user, reason)
        told = await self._tell(config, change, member, reason)
        lines = [self.i18n.t(locale, "Done (case {case}): {member} is now in the age group {band}.",
                             case=change.case_number, member=member.mention,
                             band=self.i18n.t(locale, ui.BAND_LABELS[new]))]
        lines.append(self.i18n.t(locale, "The member was told by direct message.") if told else self.i18n.t(
            locale, "The member could not be reached by direct message: please tell them yourself."))
        if not logged:
            lines.append(self.i18n.t(locale, "The moderation log is not available, so no card was posted. Check /setup."))
        await self.kit.reply(interaction, "\n".join(lines))

    def _band(self, locale: str, band: AgeBand | None) -> str:
        return self.i18n.t(locale, ui.BAND_LABELS[band] if band else "not a young person")

    async def _card(self, config: GuildConfig, change: BandChange, member: discord.Member,
                    moderator: discord.abc.User, reason: str) -> bool:
        loc = config.locale
        embed = discord.Embed(title=self.i18n.t(loc, "Case {case}: age group changed", case=change.case_number),
                              colour=discord.Colour.orange())
        embed.add_field(name=self.i18n.t(loc, "Member"), value=member.mention)
        embed.add_field(name=self.i18n.t(loc, "Moderator"), value=moderator.mention)
        embed.add_field(name=self.i18n.t(loc, "Change"), inline=False, value=f"{self._band(loc, change.before)} → "
                                                                             f"{self._band(loc, change.after)}")
        embed.add_field(name=self.i18n.t(loc, "Reason"), value=neutralise(reason), inline=False)
        channel = self.bot.get_channel(config.channels.get(BotChannel.MODLOG, 0))
        if not isinstance(channel, discord.TextChannel):
            return False
        try:
            await channel.send(embed=embed)
        except discord.HTTPException:
            log.warning("could not write to the moderation log of guild %s", config.guild_id)
            return False
        return True

    async def _tell(self, config: GuildConfig, change: BandChange, member: discord.Member, reason: str) -> bool:
        """The member learns why, in their language, without the moderator's name."""
        loc = await self.kit.setup.member_locale(config.guild_id, member.id) or config.locale
        text = self.i18n.t(
            loc, "A moderator of {server} changed your age group to {band}. Reason: {reason}\n"
            "This is how the rooms of 13–17-year-olds stay safe. If you think it is a mistake, talk to the server's "
            "moderators.", server=discord.utils.escape_markdown(member.guild.name),
            band=self._band(loc, change.after), reason=neutralise(reason),
        )
        return await send_dm(self.bot, member.id, text) is not None
