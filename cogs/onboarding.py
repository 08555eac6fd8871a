"""Onboarding: the "Start here" panel and welcome DM, the private steps (language → who I am →
age group → community rules → Accept), /profile, and staff's /onboarding panel and rules."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import KohtaamoError
from bot.i18n import N_, pick_locale
from bot.services.onboarding import (
    NOT_ONBOARDED,
    AgeBand,
    Choices,
    OnboardingService,
    RulesService,
    roles_for,
)
from bot.services.setup import BotChannel, BotRole, GuildConfig
from bot.ui import onboarding as ui
from bot.ui.company import send_dm, submitted
from bot.ui.kit import Kit, NotPermitted, requires
from bot.ui.relay import Lanes
from cogs.setup import LANGUAGES

log = logging.getLogger(__name__)
WELCOMES = "welcome DMs"  # one lane for every server: the bucket for opening DM channels is the bot's
LEFT = N_("You are not a member of {server} any more, so nothing was saved. If you join again, you can start over.")
GONE = N_("Kohtaamo is not on that server any more.")
UNSAVED = N_("The bot could not give you your roles, so nothing was saved. Please try again in a moment, or tell "
             "the server's staff.")


class OnboardingCog(commands.Cog):
    onboarding = app_commands.Group(name=_("onboarding"), description=_("The introduction for newcomers"),
                                    guild_only=True)

    def __init__(self, bot: commands.Bot, kit: Kit, service: OnboardingService, rules: RulesService) -> None:
        self.bot = bot
        self.kit = kit
        self.i18n = kit.i18n
        self.setup = kit.setup
        self.service = service
        self.rules = rules
        self.welcomes = Lanes()

    # ----- staff ------------------------------------------------------------------------------

    @onboarding.command(name=_("panel"), description=_("Post the “Start here” panel in the welcome channel again"))
    @requires(BotRole.STAFF)
    async def panel(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        locale = await self.kit.locale(interaction)
        note = await self.post_panel(interaction.guild, await self.kit.config(interaction), locale, fresh=True)
        await self.kit.reply(interaction, note)

    @onboarding.command(name=_("rules"), description=_("Edit the community rules members accept, in one language"))
    @app_commands.rename(language=_("language"))
    @app_commands.describe(language=_("Language of the rules you edit"))
    @app_commands.choices(language=LANGUAGES)
    @requires(BotRole.STAFF)
    async def edit_rules(self, interaction: discord.Interaction, language: app_commands.Choice[str]) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        current = await self.rules.current(interaction.guild_id, language.value)
        await interaction.response.send_modal(
            ui.RulesForm(self.i18n, locale, interaction.guild_id, language.value, current.text))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """The rules form, matched by its custom id (see ``ui.RULES_FORM``)."""
        if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
            return
        match = ui.RULES_FORM.fullmatch(str(interaction.data.get("custom_id", "")))
        if match is None:
            return
        try:
            if interaction.guild_id != int(match["guild"]) or not await self.kit.permitted(interaction, BotRole.STAFF):
                raise NotPermitted(BotRole.STAFF)
            saved = await self.rules.edit(interaction.guild_id, match["locale"],
                                          str(submitted(interaction.data).get("rules") or ""))
            locale = await self.kit.locale(interaction)
            await self.kit.reply(interaction, self.i18n.t(
                locale, "The community rules are saved as version {version}. Members who join from now on accept "
                "this version.", version=saved.version))
        except Exception as error:
            await self.kit.explain(interaction, error)

    async def post_panel(self, guild: discord.Guild, config: GuildConfig, locale: str, *, fresh: bool) -> str | None:
        """Post and pin the panel in the welcome channel, replacing an old one; with ``fresh=False``
        (after /setup) a panel already in that channel is kept and None returned."""
        channel = guild.get_channel(config.channels.get(BotChannel.WELCOME, 0))
        if not isinstance(channel, discord.TextChannel):
            raise KohtaamoError("Map a welcome channel with /setup first: the panel goes there.")
        old = await self.service.panel(guild.id)
        if old is not None:
            old_channel = guild.get_channel(old[0])
            stale = isinstance(old_channel, discord.TextChannel) and old_channel.get_partial_message(old[1])
            if not fresh and old[0] == channel.id and stale and await _exists(stale):
                return None
            if stale:
                try:
                    await stale.delete()
                except discord.HTTPException:
                    log.info("could not delete the old onboarding panel in guild %s", guild.id)
        message = await channel.send(embed=ui.panel(self.i18n, config.locale, guild.name),
                                     view=ui.start_view(self.i18n, config.locale, guild.id))
        await self.service.panel_posted(guild.id, channel.id, message.id)
        try:
            await message.pin(reason="Kohtaamo: Start here")
        except discord.HTTPException:
            return self.i18n.t(locale, "The “Start here” panel is in {channel}, but the bot could not pin it: it lacks "
                                       "the Pin Messages permission there.", channel=channel.mention)
        return self.i18n.t(locale, "The “Start here” panel is posted and pinned in {channel}.", channel=channel.mention)

    # ----- newcomers --------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        """Welcome DMs go out one after another, first come first served: opening a DM channel is
        one rate-limit bucket for the whole bot (10 per 10 s), and a class of 30 arriving at once
        fares better in a queue than as 30 requests racing for it."""
        if not member.bot:
            self.welcomes.run(WELCOMES, lambda: self._welcome(member))

    async def _welcome(self, member: discord.Member) -> None:
        config = await self.setup.get(member.guild.id)
        if not config.configured:
            return
        text = ui.greeting(self.i18n, config.locale, member.guild.name)
        if await send_dm(self.bot, member.id, text, ui.start_view(self.i18n, config.locale, member.guild.id)) is None:
            log.info("a newcomer of guild %s gets no welcome DM (closed DMs); the panel is there", member.guild.id)

    @app_commands.command(name=_("profile"), description=_("See and change your choices on this server"))
    @app_commands.guild_only()
    async def profile(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        choices = await self.service.choices(interaction.guild_id, interaction.user.id)
        if choices is None:
            config = await self.kit.config(interaction)
            await self.kit.reply(interaction, self.i18n.t(locale, NOT_ONBOARDED),
                                 view=ui.start_view(self.i18n, config.locale, interaction.guild_id))
            return
        embed, view = ui.profile(self.i18n, locale, interaction.guild_id, choices, ui.stamp(choices.accepted_at))
        await self.kit.reply(interaction, embed=embed, view=view)

    async def on_step(self, interaction: discord.Interaction, guild_id: int, step: str, state: str,
                      version: int) -> None:
        """Every onboarding and profile button (``ui.OnboardingButton``)."""
        try:
            draft = ui.Draft.parse(state)
        except ValueError:
            draft = None
        locale = draft.locale if draft else await self._locale(interaction, guild_id)
        try:
            await self._step(interaction, guild_id, step, draft, state, version, locale)
        except KohtaamoError as error:
            await self.kit.reply(interaction, self.i18n.t(locale, error.msgid, **error.params))

    async def _step(self, interaction: discord.Interaction, guild_id: int, step: str, draft: ui.Draft | None,
                    state: str, version: int, locale: str) -> None:
        if step == "start" or (draft is None and step in ("lang", "who", "age", "accept")):
            await self._start(interaction, guild_id, locale)
        elif step == "lang" and draft is not None:
            await self._show(interaction, *ui.who_step(self.i18n, draft, guild_id))
        elif step in ("who", "age") and draft is not None and draft.who is not None:
            if draft.band is AgeBand.UNDER_13:
                await self._show(interaction, ui.under_13(self.i18n, draft.locale), None)
            elif draft.who.young and draft.band is None:
                await self._show(interaction, *ui.age_step(self.i18n, draft, guild_id))
            else:
                rules = await self.rules.current(guild_id, draft.locale)
                text, embed, view = ui.rules_step(self.i18n, draft, guild_id, rules)
                await interaction.response.edit_message(content=text, embed=embed, view=view)
        elif step == "accept" and draft is not None and draft.who is not None:
            await self._accept(interaction, guild_id, draft, version)
        elif step == "plang" and draft is not None:
            await self.setup.set_member_locale(guild_id, interaction.user.id, draft.locale)
            await self._refresh_profile(interaction, guild_id, draft.locale)
        elif step == "pcare":
            await self._caregiver(interaction, guild_id, state == "y", locale)
        elif step == "pband":
            await self.kit.reply(interaction, ui.band_by_moderator(self.i18n, locale))
        else:
            await self._start(interaction, guild_id, locale)

    async def _start(self, interaction: discord.Interaction, guild_id: int, locale: str) -> None:
        await self._member(guild_id, interaction.user.id)
        choices = await self.service.choices(guild_id, interaction.user.id)
        if choices is not None:
            text = ui.already(self.i18n, locale, choices, ui.stamp(choices.accepted_at))
            await self.kit.reply(interaction, text)
            return
        text, view = ui.language_step(self.i18n, locale, guild_id)
        await self.kit.reply(interaction, text, view=view)

    async def _accept(self, interaction: discord.Interaction, guild_id: int, draft: ui.Draft, version: int) -> None:
        assert draft.who is not None
        await interaction.response.defer()
        guild, member = await self._member(guild_id, interaction.user.id)
        band = draft.band if draft.who.young else None
        config = await self.setup.get(guild_id)
        roles = ui.grantable(self.i18n, draft.locale, guild, config, roles_for(draft.who.caregiver, band))
        if not await self.service.accept(guild_id, member.id, draft.locale, draft.who, band, version):
            await self._already(interaction, guild_id, draft.locale)
            return
        try:
            await member.add_roles(*roles, reason="Kohtaamo: onboarding")
        except discord.HTTPException as error:
            await self.service.undo_accept(guild_id, member.id)
            if isinstance(error, discord.NotFound):
                raise KohtaamoError(LEFT, server=guild.name) from None
            log.warning("onboarding roles failed in guild %s: %s %s", guild_id, error.status, error.code)
            raise KohtaamoError(UNSAVED) from None
        await interaction.edit_original_response(content=ui.welcome(self.i18n, draft.locale, roles), embed=None,
                                                 view=None)

    async def _already(self, interaction: discord.Interaction, guild_id: int, locale: str) -> None:
        choices = await self._choices(guild_id, interaction.user.id)
        await interaction.edit_original_response(
            content=ui.already(self.i18n, locale, choices, ui.stamp(choices.accepted_at)), embed=None, view=None)

    async def _caregiver(self, interaction: discord.Interaction, guild_id: int, caregiver: bool, locale: str) -> None:
        guild, member = await self._member(guild_id, interaction.user.id)
        if BotRole.CAREGIVER not in roles_for(True, (await self._choices(guild_id, member.id)).age_band):
            await self.service.set_caregiver(guild_id, member.id, caregiver)  # 13–17: recorded, no role
            await self._refresh_profile(interaction, guild_id, locale)
            return
        [role] = ui.grantable(self.i18n, locale, guild, await self.setup.get(guild_id), [BotRole.CAREGIVER])
        await self.service.set_caregiver(guild_id, member.id, caregiver)
        await interaction.response.defer()
        try:
            if caregiver:
                await member.add_roles(role, reason="Kohtaamo: /profile")
            else:
                await member.remove_roles(role, reason="Kohtaamo: /profile")
        except discord.HTTPException:
            await self.service.set_caregiver(guild_id, member.id, not caregiver)
            raise KohtaamoError(UNSAVED) from None
        await self._refresh_profile(interaction, guild_id, locale)

    async def _refresh_profile(self, interaction: discord.Interaction, guild_id: int, locale: str) -> None:
        choices = await self._choices(guild_id, interaction.user.id)
        embed, view = ui.profile(self.i18n, locale, guild_id, choices, ui.stamp(choices.accepted_at))
        if interaction.response.is_done():
            await interaction.edit_original_response(content=None, embed=embed, view=view)
        else:
            await interaction.response.edit_message(content=None, embed=embed, view=view)

    async def _show(self, interaction: discord.Interaction, text: str, view: discord.ui.View | None) -> None:
        """The next step in place of the last one (the steps are one ephemeral message)."""
        await interaction.response.edit_message(content=text, embed=None, view=view)

    async def _choices(self, guild_id: int, user_id: int) -> Choices:
        choices = await self.service.choices(guild_id, user_id)
        if choices is None:
            raise KohtaamoError(NOT_ONBOARDED)
        return choices

    async def _member(self, guild_id: int, user_id: int) -> tuple[discord.Guild, discord.Member]:
        """The member on that server; the button may be pressed in a DM, long after they left."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise KohtaamoError(GONE)
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                raise KohtaamoError(LEFT, server=guild.name) from None
        return guild, member

    async def _locale(self, interaction: discord.Interaction, guild_id: int) -> str:
        """As ``Kit.locale``, but for the guild in the button: a DM has none of its own."""
        saved = await self.setup.member_locale(guild_id, interaction.user.id)
        config = await self.setup.get(guild_id)
        return pick_locale(saved, str(interaction.locale), default=config.locale)


async def _exists(message: discord.PartialMessage) -> bool:
    try:
        await message.fetch()
    except discord.NotFound:
        return False
    except discord.HTTPException:
        return True  # cannot tell: keep it rather than post a second panel
    return True
