"""What /setup checks on Discord's side, and how /setup show looks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import discord

from bot.i18n import LANGUAGE_NAMES, N_, I18n
from bot.services.setup import BotChannel, BotRole, GuildConfig
from bot.ui.kit import ROLE_NAMES

CHANNEL_NAMES = {
    BotChannel.MODLOG: N_("moderation log"),
    BotChannel.VOLUNTEER_QUEUE: N_("volunteer queue"),
    BotChannel.ANNOUNCEMENTS: N_("announcements"),
    BotChannel.WELCOME: N_("welcome"),
}

_BASE = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)
NEEDED = {
    BotChannel.MODLOG: _BASE,
    BotChannel.VOLUNTEER_QUEUE: _BASE
    | discord.Permissions(create_private_threads=True, send_messages_in_threads=True, manage_threads=True),
    BotChannel.ANNOUNCEMENTS: _BASE | discord.Permissions(attach_files=True),
    BotChannel.WELCOME: _BASE,
}
# Roles the bot hands out itself (onboarding): it must be allowed to manage them.
ASSIGNED = (BotRole.CAREGIVER, BotRole.YOUTH_MINOR, BotRole.YOUTH_ADULT)
_MANAGE_ROLES = "manage_roles"
K = TypeVar("K")

PERMISSION_NAMES = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "read_message_history": N_("Read Message History"),
    "create_private_threads": N_("Create Private Threads"),
    "send_messages_in_threads": N_("Send Messages in Threads"),
    "manage_threads": N_("Manage Threads"),
    "attach_files": N_("Attach Files"),
    "manage_roles": N_("Manage Roles"),
    "manage_channels": N_("Manage Channels"),
}


def problems(i18n: I18n, locale: str, guild: discord.Guild, config: GuildConfig) -> list[str]:
    """Everything that would stop the bot from doing its job with ``config``, as lines."""
    me = guild.me
    lines = []
    for key, channel_id in config.channels.items():
        channel = guild.get_channel(channel_id)
        name = i18n.t(locale, CHANNEL_NAMES[key])
        if not isinstance(channel, discord.TextChannel):
            lines.append(i18n.t(locale, "The {purpose} channel must be a text channel.", purpose=name))
            continue
        have = channel.permissions_for(me)
        missing = [flag for flag, on in NEEDED[key] if on and not getattr(have, flag)]
        if missing:
            lines.append(
                i18n.t(
                    locale,
                    "In {channel} ({purpose}) the bot lacks: {permissions}.",
                    channel=channel.mention,
                    purpose=name,
                    permissions=", ".join(i18n.t(locale, PERMISSION_NAMES[f]) for f in missing),
                )
            )
    moderators = guild.get_role(config.roles.get(BotRole.MODERATOR, 0))
    if moderators is not None and not moderators.mentionable:  # safety alerts must reach them
        for key in (BotChannel.MODLOG, BotChannel.VOLUNTEER_QUEUE):
            channel = guild.get_channel(config.channels.get(key, 0))
            if isinstance(channel, discord.TextChannel) and not channel.permissions_for(me).mention_everyone:
                lines.append(i18n.t(
                    locale,
                    "The bot cannot ping {role} in {channel}: allow anyone to mention the role "
                    "(Server Settings → Roles) or let the bot mention all roles there.",
                    role=moderators.mention, channel=channel.mention,
                ))
    for rkey in ASSIGNED:
        role = guild.get_role(config.roles.get(rkey, 0))
        why = None if role is None else unassignable(me, role)
        if why == _MANAGE_ROLES:
            permission = i18n.t(locale, PERMISSION_NAMES[_MANAGE_ROLES])
            lines.append(i18n.t(locale, "The bot lacks: {permissions}.", permissions=permission))
            break
        if role is not None and why is not None:
            lines.append(
                i18n.t(
                    locale,
                    "The bot cannot give the role {role}: move the bot's role above it in Server Settings → Roles.",
                    role=role.mention,
                )
            )
    return lines


def unassignable(me: discord.Member, role: discord.Role) -> str | None:
    """Why the bot cannot give ``role``: ``"manage_roles"`` (the permission is missing),
    ``"hierarchy"`` (the role is not below the bot's own, or Discord manages it), or None."""
    if not me.guild_permissions.manage_roles:
        return _MANAGE_ROLES
    if role >= me.top_role or role.managed or role.is_default():
        return "hierarchy"
    return None


def show(i18n: I18n, locale: str, guild: discord.Guild, config: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title=i18n.t(locale, "Kohtaamo setup on this server"), colour=discord.Colour.teal())
    roles = _listing(i18n, locale, ROLE_NAMES, config.roles, guild.get_role, N_("deleted role"))
    channels = _listing(i18n, locale, CHANNEL_NAMES, config.channels, guild.get_channel, N_("deleted channel"))
    embed.add_field(name=i18n.t(locale, "Roles"), value=roles, inline=False)
    embed.add_field(name=i18n.t(locale, "Channels"), value=channels, inline=False)
    embed.add_field(name=i18n.t(locale, "Language"), value=LANGUAGE_NAMES[config.locale])
    embed.add_field(name=i18n.t(locale, "Time zone"), value=config.timezone)
    embed.add_field(name=i18n.t(locale, "Company requests"), value=i18n.t(
        locale,
        "Moderators are pinged again after {minutes} min; a member nobody has taken is told so after {honest} min; "
        "at most {cap} requests a day per member.",
        minutes=config.company_nudge_minutes, honest=config.company_honest_minutes, cap=config.company_daily_cap,
    ), inline=False)
    embed.add_field(name=i18n.t(locale, "Moderation"), value=i18n.t(
        locale, "Warnings count as active for {days} days.", days=config.warning_expiry_days), inline=False)
    kept = config.retention
    embed.add_field(name=i18n.t(locale, "Privacy"), value=i18n.t(
        locale,
        "Contact: {contact}\nKept: company requests {company} days after they end; moods {moods} days; "
        "closed reports, alerts and cases {cases} days; finished jobs {jobs} days. A member who left is erased "
        "after {grace} days.",
        contact=discord.utils.escape_markdown(config.privacy_contact) if config.privacy_contact else i18n.t(locale, "not set"),
        company=kept.company_days, moods=kept.mood_days, cases=kept.case_days, jobs=kept.job_days,
        grace=kept.leaver_grace_days,
    ), inline=False)
    if not config.configured:
        embed.set_footer(text=i18n.t(locale, "Nothing is set up yet: use /setup configure."))
    return embed


def _listing(
    i18n: I18n,
    locale: str,
    names: Mapping[K, str],
    mapped: Mapping[K, int],
    find: Callable[[int], Any],
    deleted: str,
) -> str:
    """One line per role or channel: its mention, "not set", or a note that it was deleted."""
    lines = []
    for key, name in names.items():
        found = find(mapped.get(key, 0))
        value = found.mention if found else i18n.t(locale, deleted if key in mapped else "not set")
        lines.append(f"{i18n.t(locale, name)}: {value}")
    return "\n".join(lines)

