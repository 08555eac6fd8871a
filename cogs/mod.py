"""``/mod``: moderators' commands. Each one records a case (bot/db/cases.py) and posts a card in
the moderation log: ``/mod ageband``, the only way a member's age group changes after onboarding
(nobody moves themselves into or out of the 13–17 rooms); warn, timeout, untimeout, note, cases,
case, reason, slowmode, lock, unlock (bot/ui/mod_desk.py, bot/ui/mod_channel.py do the work) and
``/mod safety-terms`` for the server's own crisis phrases."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.services.moderation import REASON_MAX as CASE_REASON_MAX
from bot.services.moderation import Action
from bot.services.onboarding import AgeBand, BandChange, OnboardingService, roles_for
from bot.services.safety_response import SafetyResponse
from bot.services.setup import BotChannel, BotRole, GuildConfig
from bot.ui import onboarding as ui
from bot.ui.company import send_dm
from bot.ui.kit import Kit, requires
from bot.ui.mod_channel import ChannelDesk
from bot.ui.mod_desk import Desk
from bot.ui.relay import neutralise

log = logging.getLogger(__name__)
BANDS = [app_commands.Choice(name=_(ui.BAND_LABELS[band]), value=band.value) for band in (AgeBand.MINOR, AgeBand.ADULT)]
REASON_MAX = 500


@app_commands.guild_only()
class ModCog(commands.GroupCog, group_name=_("mod"), group_description=_("Moderators' tools; every use is a case")):
    safety_terms = app_commands.Group(name=_("safety-terms"),
                                      description=_("The server's own crisis phrases for the safety scan"))

    def __init__(self, bot: commands.Bot, kit: Kit, onboarding: OnboardingService, desk: Desk,
                 safety: SafetyResponse) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.onboarding = onboarding
        self.desk = desk
        self.channels = ChannelDesk(desk)
        self.safety = safety
        super().__init__()

    @app_commands.command(name=_("warn"), description=_("Warn a member (they are told the reason)"))
    @app_commands.rename(member=_("member"), reason=_("reason"))
    @app_commands.describe(member=_("The member to warn"),
                           reason=_("Why: the member is told this, but not who you are"))
    @requires(BotRole.MODERATOR)
    async def warn(self, interaction: discord.Interaction, member: discord.User,
                   reason: app_commands.Range[str, 1, CASE_REASON_MAX]) -> None:
        await self.desk.act(interaction, Action.WARN, member, reason)

    @app_commands.command(name=_("timeout"), description=_("Time a member out: they cannot write for a while"))
    @app_commands.rename(member=_("member"), duration=_("duration"), reason=_("reason"))
    @app_commands.describe(member=_("The member to time out"),
                           duration=_("How long, at most 28 days: 30m, 2h, 1d, 10 min, 2 t, 1 vrk"),
                           reason=_("Why: the member is told this, but not who you are"))
    @requires(BotRole.MODERATOR)
    async def timeout(self, interaction: discord.Interaction, member: discord.User,
                      duration: app_commands.Range[str, 1, 40], reason: app_commands.Range[str, 1, CASE_REASON_MAX]) -> None:
        await self.desk.act(interaction, Action.TIMEOUT, member, reason, duration)

    @app_commands.command(name=_("untimeout"), description=_("Lift a member's timeout"))
    @app_commands.rename(member=_("member"), reason=_("reason"))
    @app_commands.describe(member=_("The member whose timeout ends now"), reason=_("Why (optional)"))
    @requires(BotRole.MODERATOR)
    async def untimeout(self, interaction: discord.Interaction, member: discord.User,
                        reason: app_commands.Range[str, 1, CASE_REASON_MAX] | None = None) -> None:
        await self.desk.act(interaction, Action.UNTIMEOUT, member, reason or "")

    @app_commands.command(name=_("note"), description=_("A private note about a member (they are not told)"))
    @app_commands.rename(member=_("member"), text=_("text"))
    @app_commands.describe(member=_("The member the note is about"), text=_("The note; only moderators see it"))
    @requires(BotRole.MODERATOR)
    async def note(self, interaction: discord.Interaction, member: discord.User,
                   text: app_commands.Range[str, 1, CASE_REASON_MAX]) -> None:
        await self.desk.act(interaction, Action.NOTE, member, text)

    @app_commands.command(name=_("cases"), description=_("A member's cases, newest first"))
    @app_commands.rename(member=_("member"))
    @app_commands.describe(member=_("The member whose history you see"))
    @requires(BotRole.MODERATOR)
    async def cases(self, interaction: discord.Interaction, member: discord.User) -> None:
        await self.desk.history(interaction, member.id, 0)

    @app_commands.command(name=_("case"), description=_("One case by its number"))
    @app_commands.rename(number=_("number"))
    @app_commands.describe(number=_("The case number"))
    @requires(BotRole.MODERATOR)
    async def case(self, interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await self.desk.show(interaction, number)

    @app_commands.command(name=_("reason"), description=_("Correct a case's reason (the change is logged)"))
    @app_commands.rename(number=_("number"), text=_("text"))
    @app_commands.describe(number=_("The case number"), text=_("The corrected reason"))
    @requires(BotRole.MODERATOR)
    async def reason(self, interaction: discord.Interaction, number: app_commands.Range[int, 1],
                     text: app_commands.Range[str, 1, CASE_REASON_MAX]) -> None:
        await self.desk.correct(interaction, number, text)

    @app_commands.command(name=_("slowmode"), description=_("Let members write only every so often in a channel"))
    @app_commands.rename(channel=_("channel"), duration=_("duration"))
    @app_commands.describe(channel=_("The channel"), duration=_("Time between messages, at most 6 h: 30s, 5m, 1h, or off"))
    @requires(BotRole.MODERATOR)
    async def slowmode(self, interaction: discord.Interaction, channel: discord.TextChannel,
                       duration: app_commands.Range[str, 1, 40]) -> None:
        await self.channels.slowmode(interaction, channel, duration)

    @app_commands.command(name=_("lock"), description=_("Lock a channel: members can read but not write"))
    @app_commands.rename(channel=_("channel"), reason=_("reason"))
    @app_commands.describe(channel=_("The channel (this one if empty)"), reason=_("Why (shown in the channel)"))
    @requires(BotRole.MODERATOR)
    async def lock(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
                   reason: app_commands.Range[str, 1, CASE_REASON_MAX] | None = None) -> None:
        await self.channels.lock(interaction, channel, reason, locked=True)

    @app_commands.command(name=_("unlock"), description=_("Open a locked channel again"))
    @app_commands.rename(channel=_("channel"), reason=_("reason"))
    @app_commands.describe(channel=_("The channel (this one if empty)"), reason=_("Why (shown in the channel)"))
    @requires(BotRole.MODERATOR)
    async def unlock(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
                     reason: app_commands.Range[str, 1, CASE_REASON_MAX] | None = None) -> None:
        await self.channels.lock(interaction, channel, reason, locked=False)

    @safety_terms.command(name=_("add"), description=_("Add a crisis phrase (! first for a figurative use)"))
    @app_commands.rename(term=_("term"))
    @app_commands.describe(term=_("Words as people write them; * for any ending, e.g. en jaksa*"))
    @requires(BotRole.MODERATOR)
    async def terms_add(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, 100]) -> None:
        assert interaction.guild_id is not None
        added = await self.safety.add_term(interaction.guild_id, term, interaction.user.id)
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.t(locale, "Added: “{term}”. The scan uses it from now on.",
                                                      term=discord.utils.escape_markdown(added)))

    @safety_terms.command(name=_("remove"), description=_("Remove one of the server's own phrases"))
    @app_commands.rename(term=_("term"))
    @app_commands.describe(term=_("The phrase as listed"))
    @requires(BotRole.MODERATOR)
    async def terms_remove(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, 100]) -> None:
        assert interaction.guild_id is not None
        removed = await self.safety.remove_term(interaction.guild_id, term)
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.t(locale, "Removed: “{term}”.",
                                                      term=discord.utils.escape_markdown(removed)))

    @safety_terms.command(name=_("list"), description=_("The server's own phrases"))
    @requires(BotRole.MODERATOR)
    async def terms_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        terms = await self.safety.terms(interaction.guild_id)
        locale = await self.kit.locale(interaction)
        text = "\n".join(f"• {discord.utils.escape_markdown(t)}" for t in terms) if terms else self.i18n.t(
            locale, "No own phrases yet: the scan uses the shipped lists in Finnish, Swedish and English.")
        await self.kit.reply(interaction, text[:2000])

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
