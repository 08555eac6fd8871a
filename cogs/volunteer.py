"""/volunteer: moderators keep the list; volunteers go on and off duty."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.clock import Clock
from bot.i18n import LANGUAGE_NAMES
from bot.services.company import CompanyService, Request
from bot.services.setup import BotRole
from bot.services.volunteer import Audience, Volunteer, VolunteerService
from bot.ui import company as ui
from bot.ui.kit import Kit, requires
from bot.ui.relay import neutralise


@app_commands.guild_only()
class VolunteerCog(commands.GroupCog, group_name=_("volunteer"), group_description=_("Volunteers and who is on duty")):
    def __init__(
        self,
        kit: Kit,
        volunteers: VolunteerService,
        company: CompanyService,
        clock: Clock,
        close_conversation: Callable[[Request], Awaitable[None]],
    ) -> None:
        """``close_conversation`` tells both sides when a removed volunteer's conversations end."""
        self.close_conversation = close_conversation
        self.kit = kit
        self.i18n = kit.i18n
        self.volunteers = volunteers
        self.company = company
        self.clock = clock
        super().__init__()

    @app_commands.command(name=_("add"), description=_("Moderators: add or update a volunteer"))
    @app_commands.rename(
        member=_("member"), finnish=_("finnish"), swedish=_("swedish"), english=_("english"),
        caregivers=_("caregivers"), youth_13_17=_("youth_13_17"), youth_18_29=_("youth_18_29"),
        minors=_("cleared_for_minors"), name=_("name"),
    )
    @app_commands.describe(
        member=_("The volunteer"), finnish=_("Takes requests in Finnish"), swedish=_("Takes requests in Swedish"),
        english=_("Takes requests in English"), caregivers=_("Serves family caregivers"),
        youth_13_17=_("Serves young people aged 13–17 (needs clearance for minors)"),
        youth_18_29=_("Serves young people aged 18–29"), minors=_("Cleared to talk with under-18s"),
        name=_("The name members see (default: their server name)"),
    )
    @requires(BotRole.MODERATOR)
    async def add(
        self, interaction: discord.Interaction, member: discord.Member, finnish: bool = True, swedish: bool = False,
        english: bool = False, caregivers: bool = True, youth_13_17: bool = False, youth_18_29: bool = False,
        minors: bool = False, name: app_commands.Range[str, 1, 32] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        languages = {code for code, on in (("fi", finnish), ("sv", swedish), ("en", english)) if on}
        audiences = {a for a, on in ((Audience.CAREGIVER, caregivers), (Audience.YOUTH_MINOR, youth_13_17),
                                     (Audience.YOUTH_ADULT, youth_18_29)) if on}
        volunteer = await self.volunteers.add(
            interaction.guild_id, member.id, display_name=name or member.display_name, languages=languages,
            audiences=audiences, minors_cleared=minors,
        )
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.t(locale, "{member} is a volunteer: {summary}", member=member.mention,
                                                      summary=self._summary(locale, volunteer)))

    @app_commands.command(name=_("remove"), description=_("Moderators: remove a volunteer"))
    @app_commands.rename(member=_("member"))
    @app_commands.describe(member=_("The volunteer"))
    @requires(BotRole.MODERATOR)
    async def remove(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        ended = await self._retire(interaction.guild_id, member.id)
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.tn(
            locale, "{member} is no longer a volunteer. {n} open conversation was ended.",
            "{member} is no longer a volunteer. {n} open conversations were ended.", len(ended), member=member.mention,
        ))
        for request in ended:
            await self.close_conversation(request)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A volunteer who leaves the server leaves the list: their members are told at once."""
        if await self.volunteers.get(payload.guild_id, payload.user.id) is None:
            return
        for request in await self._retire(payload.guild_id, payload.user.id):
            await self.close_conversation(request)

    async def _retire(self, guild_id: int, user_id: int) -> list[Request]:
        """Off the list; their open conversations end. The caller tells the members (after
        answering, when there is an interaction to answer within 3 s)."""
        await self.volunteers.remove(guild_id, user_id)
        return await self.company.volunteer_removed(guild_id, user_id)

    @app_commands.command(name=_("on"), description=_("Go on duty to get pinged about new requests"))
    @app_commands.rename(hours=_("hours"), name=_("name"))
    @app_commands.describe(hours=_("End by itself after this many hours"), name=_("The name members see"))
    async def on(
        self, interaction: discord.Interaction, hours: app_commands.Range[float, 0.25, 24.0] | None = None,
        name: app_commands.Range[str, 1, 32] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        volunteer = await self.volunteers.on_duty(interaction.guild_id, interaction.user.id, hours, name)
        locale = await self.kit.locale(interaction)
        if volunteer.on_duty_until is None:
            text = self.i18n.t(locale, "You are on duty until you use /volunteer off.")
        else:
            config = await self.kit.setup.get(interaction.guild_id)
            text = self.i18n.t(locale, "You are on duty until {time}.",
                               time=self.i18n.when(locale, volunteer.on_duty_until, config.timezone))
        await self.kit.reply(interaction, text)

    @app_commands.command(name=_("off"), description=_("Go off duty"))
    async def off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.volunteers.off_duty(interaction.guild_id, interaction.user.id)
        locale = await self.kit.locale(interaction)
        await self.kit.reply(interaction, self.i18n.t(locale, "You are off duty. Thank you!"))

    @app_commands.command(name=_("list"), description=_("Moderators: volunteers, who is on duty and their load"))
    @requires(BotRole.MODERATOR)
    async def list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        locale = await self.kit.locale(interaction)
        now = self.clock.now()
        rows = [
            ("🟢 " if v.on_duty_at(now) else "⚪ ") + f"<@{v.user_id}> — {self._summary(locale, v)}"
            for v in await self.volunteers.list(interaction.guild_id)
        ]
        text = "\n".join(rows) if rows else self.i18n.t(locale, "There are no volunteers yet. Add one with /volunteer add.")
        await self.kit.reply(interaction, embed=discord.Embed(
            title=self.i18n.t(locale, "Volunteers"), description=text[:4000], colour=discord.Colour.teal()
        ))

    def _summary(self, locale: str, v: Volunteer) -> str:
        parts = [
            neutralise(v.display_name),
            ", ".join(LANGUAGE_NAMES[code] for code in sorted(v.languages)),
            ", ".join(self.i18n.t(locale, ui.AUDIENCE_NAMES[a]) for a in sorted(v.audiences)),
            self.i18n.t(locale, "cleared for minors") if v.minors_cleared else self.i18n.t(locale, "not cleared for minors"),
            self.i18n.tn(locale, "{n} conversation", "{n} conversations", v.active_conversations),
        ]
        return " · ".join(parts)
