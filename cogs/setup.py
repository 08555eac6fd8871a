"""/setup configure and /setup show (Manage Server)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.i18n import LANGUAGE_NAMES
from bot.services.setup import BotChannel, BotRole, SetupChange
from bot.ui import setup as ui
from bot.ui.kit import Kit

LANGUAGES = [app_commands.Choice(name=name, value=code) for code, name in LANGUAGE_NAMES.items()]
# Posts onboarding's "Start here" panel in the welcome channel unless one is there already (``fresh=False``);
# answers a line for the admin, or None when nothing was posted.
PostPanel = Callable[..., Awaitable[str | None]]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SetupCog(commands.GroupCog, group_name=_("setup"), group_description=_("Set up Kohtaamo on this server")):
    def __init__(self, kit: Kit, post_panel: PostPanel, roles_changed: Callable[[discord.Guild], Awaitable[int]]) -> None:
        """``roles_changed(guild)`` puts the rooms' permissions right for a new role mapping (how many changed)."""
        self.kit = kit
        self.post_panel = post_panel
        self.roles_changed = roles_changed
        super().__init__()

    @app_commands.command(name=_("configure"), description=_("Map roles and channels, set language and time zone"))
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.rename(
        youth_minor=_("youth_13_17"), youth_adult=_("youth_18_29"), modlog=_("moderation_log"),
        queue=_("volunteer_queue"), language=_("language"), timezone=_("timezone"),
        caregiver=_("caregiver"), volunteer=_("volunteer"), moderator=_("moderator"), staff=_("staff"),
        announcements=_("announcements"), welcome=_("welcome"), nudge=_("company_nudge_minutes"),
        daily_cap=_("company_daily_limit"), honest=_("company_honest_minutes"), expiry=_("warning_expiry_days"),
    )
    @app_commands.describe(
        caregiver=_("Role of family caregivers"),
        youth_minor=_("Role of young people aged 13–17"),
        youth_adult=_("Role of young people aged 18–29"),
        volunteer=_("Role of volunteers"),
        moderator=_("Role of moderators"),
        staff=_("Role of staff"),
        modlog=_("Channel for the moderation log"),
        queue=_("Channel for the volunteer queue"),
        announcements=_("Channel for announcements"),
        welcome=_("Channel for welcoming newcomers"),
        language=_("Default language of the server"),
        timezone=_("Time zone, e.g. Europe/Helsinki"),
        nudge=_("Minutes before an untaken company request pings moderators again (default 10)"),
        daily_cap=_("Company requests one member may make in 24 hours (default 3)"),
        honest=_("Minutes before a member nobody has taken is told so and offered other help (default 60)"),
        expiry=_("Days a moderator's warning counts as active (default 90)"),
    )
    @app_commands.choices(language=LANGUAGES)
    async def configure(
        self,
        interaction: discord.Interaction,
        caregiver: discord.Role | None = None,
        youth_minor: discord.Role | None = None,
        youth_adult: discord.Role | None = None,
        volunteer: discord.Role | None = None,
        moderator: discord.Role | None = None,
        staff: discord.Role | None = None,
        modlog: discord.TextChannel | None = None,
        queue: discord.TextChannel | None = None,
        announcements: discord.TextChannel | None = None,
        welcome: discord.TextChannel | None = None,
        language: app_commands.Choice[str] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        nudge: app_commands.Range[int, 1, 120] | None = None,
        daily_cap: app_commands.Range[int, 1, 20] | None = None,
        honest: app_commands.Range[int, 5, 240] | None = None,
        expiry: app_commands.Range[int, 1, 730] | None = None,
    ) -> None:
        assert interaction.guild is not None
        roles = {
            BotRole.CAREGIVER: caregiver, BotRole.YOUTH_MINOR: youth_minor, BotRole.YOUTH_ADULT: youth_adult,
            BotRole.VOLUNTEER: volunteer, BotRole.MODERATOR: moderator, BotRole.STAFF: staff,
        }
        channels = {
            BotChannel.MODLOG: modlog, BotChannel.VOLUNTEER_QUEUE: queue,
            BotChannel.ANNOUNCEMENTS: announcements, BotChannel.WELCOME: welcome,
        }
        change = SetupChange(
            roles={k: r.id for k, r in roles.items() if r is not None},
            channels={k: c.id for k, c in channels.items() if c is not None},
            locale=language.value if language else None,
            timezone=timezone,
            company_nudge_minutes=nudge,
            company_daily_cap=daily_cap,
            company_honest_minutes=honest,
            warning_expiry_days=expiry,
        )
        locale = await self.kit.locale(interaction)
        i18n = self.kit.i18n
        current = await self.kit.config(interaction)
        config = self.kit.setup.preview(current, change)
        issues = ui.problems(i18n, locale, interaction.guild, config)
        if issues:
            text = i18n.t(locale, "Nothing was saved. Please fix these first:") + "\n" + "\n".join(f"• {line}" for line in issues)
            await self.kit.reply(interaction, text)
            return
        remapped = config.roles != current.roles
        config = await self.kit.setup.save(config)
        await self.kit.reply(
            interaction, i18n.t(locale, "Setup saved."), embed=ui.show(i18n, locale, interaction.guild, config)
        )
        if remapped:
            try:
                rooms = await self.roles_changed(interaction.guild)
            except discord.HTTPException:
                await self.kit.reply(interaction, i18n.t(
                    locale, "Discord did not let me give the rooms the new roles. Run /room edit for each room."))
            else:
                if rooms:
                    await self.kit.reply(interaction, i18n.tn(
                        locale, "{n} room now follows the new roles.", "{n} rooms now follow the new roles.", rooms))
        if BotChannel.WELCOME in config.channels:
            note = await self.post_panel(interaction.guild, config, locale, fresh=False)
            if note:
                await self.kit.reply(interaction, note)

    @app_commands.command(name=_("privacy"), description=_("Set who runs the service and how long data is kept"))
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.rename(
        contact=_("contact"), company_days=_("company_days"), mood_days=_("mood_days"), case_days=_("case_days"),
        job_days=_("job_days"), leaver_days=_("leaver_days"),
    )
    @app_commands.describe(
        contact=_("Who runs the service and how to reach them, shown by /privacy"),
        company_days=_("Days a company request's topic and messages are kept after it ends (default 30)"),
        mood_days=_("Days check-in moods and loneliness answers are kept (default 365)"),
        case_days=_("Days closed reports, safety alerts and moderation cases are kept (default 730)"),
        job_days=_("Days finished scheduled tasks are kept (default 30)"),
        leaver_days=_("Days after leaving the server before a member's data is erased (default 30)"),
    )
    async def privacy(
        self,
        interaction: discord.Interaction,
        contact: app_commands.Range[str, 1, 300] | None = None,
        company_days: app_commands.Range[int, 1, 365] | None = None,
        mood_days: app_commands.Range[int, 30, 1095] | None = None,
        case_days: app_commands.Range[int, 90, 1825] | None = None,
        job_days: app_commands.Range[int, 1, 365] | None = None,
        leaver_days: app_commands.Range[int, 1, 365] | None = None,
    ) -> None:
        assert interaction.guild is not None
        days = {"company_days": company_days, "mood_days": mood_days, "case_days": case_days, "job_days": job_days,
                "leaver_grace_days": leaver_days}
        change = SetupChange(
            roles={}, channels={}, privacy_contact=contact, retention={k: v for k, v in days.items() if v is not None}
        )
        locale = await self.kit.locale(interaction)
        config = await self.kit.setup.save(self.kit.setup.preview(await self.kit.config(interaction), change))
        await self.kit.reply(
            interaction, self.kit.i18n.t(locale, "Setup saved."),
            embed=ui.show(self.kit.i18n, locale, interaction.guild, config),
        )

    @app_commands.command(name=_("show"), description=_("Show how Kohtaamo is set up on this server"))
    @app_commands.checks.has_permissions(manage_guild=True)
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        locale = await self.kit.locale(interaction)
        config = await self.kit.config(interaction)
        await self.kit.reply(interaction, embed=ui.show(self.kit.i18n, locale, interaction.guild, config))
