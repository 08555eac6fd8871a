"""What a room is on Discord's side: its permission overwrites, what the bot must be allowed
to do to make one, the closed notice, and how /room list shows rooms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import discord

from bot.i18n import N_, I18n
from bot.services.room import AUDIENCE_ROLES, TEAM_ROLES, Audience, Room, Status, missing_roles
from bot.services.setup import BotRole, GuildConfig
from bot.ui.crisis import crisis_text
from bot.ui.kit import ROLE_NAMES
from bot.ui.setup import PERMISSION_NAMES

AUDIENCE_NAMES = {
    Audience.CAREGIVERS: N_("caregivers"),
    Audience.YOUTH_MINOR: N_("youth 13–17"),
    Audience.YOUTH_ADULT: N_("youth 18–29"),
    Audience.ADULTS: N_("adults (caregivers and 18–29)"),
}
_NAMES = {
    **PERMISSION_NAMES,
    "manage_messages": N_("Manage Messages"),
    "pin_messages": N_("Pin Messages"),
    "create_public_threads": N_("Create Public Threads"),
}
# Outside the opening hours, and in an archived room, the audience may read but not write.
_SHUT = ("send_messages", "send_messages_in_threads", "create_public_threads")
Overwrites = dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]


def overwrites(
    guild: discord.Guild, config: GuildConfig, audience: Audience, *, closed: bool = False, archived: bool = False
) -> Overwrites:
    """Every overwrite of a room, for the one create (or edit) call: @everyone cannot see it; the
    audience's roles read, and write while it is open; moderators see and moderate; the bot keeps
    what it needs to post, pin and open and close the room. Members never open private threads in
    a room (moderated rooms have no hidden corners)."""
    result: Overwrites = {guild.default_role: discord.PermissionOverwrite(view_channel=False)}
    for key in AUDIENCE_ROLES[audience]:
        member = discord.PermissionOverwrite(view_channel=True, read_message_history=True, create_private_threads=False)
        member.update(**dict.fromkeys(_SHUT, not (closed or archived)))
        result[_role(guild, config, key)] = member
    for key in TEAM_ROLES:
        result[_role(guild, config, key)] = discord.PermissionOverwrite(
            view_channel=True, read_message_history=True, send_messages=True, send_messages_in_threads=True,
            manage_messages=True, manage_threads=True, pin_messages=True, embed_links=True,
        )
    result[guild.me] = discord.PermissionOverwrite(
        view_channel=True, read_message_history=True, send_messages=True, send_messages_in_threads=True,
        embed_links=True, manage_messages=True, pin_messages=True, manage_channels=True, manage_roles=True,
    )
    return result


def _role(guild: discord.Guild, config: GuildConfig, key: BotRole) -> discord.Role | discord.Object:
    role_id = config.roles[key]
    return guild.get_role(role_id) or discord.Object(role_id, type=discord.Role)


def problems(i18n: I18n, locale: str, guild: discord.Guild, config: GuildConfig, audience: Audience) -> list[str]:
    """Why the bot could not make (or change) a room for ``audience`` here, as lines; none: go ahead."""
    unmapped = missing_roles(config, audience)
    if unmapped:
        return [i18n.t(locale, "The {role} role is not mapped yet: map it with /setup configure.",
                       role=i18n.t(locale, ROLE_NAMES[r])) for r in unmapped]
    me = guild.me
    have = me.guild_permissions
    lines = []
    needed = _needed(overwrites(guild, config, audience).values())
    missing = [flag for flag in ("manage_channels", "manage_roles", *needed) if not getattr(have, flag)]
    if missing:
        names = ", ".join(i18n.t(locale, _NAMES.get(f, f)) for f in dict.fromkeys(missing))
        lines.append(i18n.t(locale, "The bot lacks: {permissions}.", permissions=names))
    for key in (*AUDIENCE_ROLES[audience], *TEAM_ROLES):
        role = guild.get_role(config.roles[key])
        if role is None:
            lines.append(i18n.t(locale, "The {role} role was deleted in Discord: map a role with /setup configure.",
                                role=i18n.t(locale, ROLE_NAMES[key])))
        # The bot gives the audience's roles (onboarding); moderators may rank above it.
        elif key not in TEAM_ROLES and role >= me.top_role and not have.administrator:
            lines.append(i18n.t(locale, "The bot's role is below {role}: move the bot's role above it in Server "
                                        "Settings → Roles.", role=role.mention))
    return lines


def minors_in_adult_rooms(i18n: I18n, locale: str, guild: discord.Guild, config: GuildConfig) -> str | None:
    """A warning when members hold the 13–17 role and a caregiver or 18–29 role too: no overwrite can
    keep them out of adults' rooms (a role's allow wins over another role's deny), so people must."""
    minor = config.roles.get(BotRole.YOUTH_MINOR)
    adult = {config.roles[r] for r in (BotRole.CAREGIVER, BotRole.YOUTH_ADULT) if r in config.roles}
    if minor is None or not adult:
        return None
    count = 0
    for member in guild.members:
        held = {r.id for r in member.roles}
        count += minor in held and bool(held & adult)
    if not count:
        return None
    return i18n.tn(
        locale,
        "{n} member holds the 13–17 role together with the caregiver or 18–29 role, so they can see adults' "
        "rooms: Discord lets one role open a channel that another role closes. Give a young person under 18 "
        "only the 13–17 role.",
        "{n} members hold the 13–17 role together with the caregiver or 18–29 role, so they can see adults' "
        "rooms: Discord lets one role open a channel that another role closes. Give a young person under 18 "
        "only the 13–17 role.",
        count,
    )


def exposed(channel: discord.TextChannel, config: GuildConfig) -> bool:
    """Whether a 13–17 room's overwrites let anyone but its audience, the moderators and the bot see
    it: @everyone not denied, or another role or a member allowed to view."""
    own = {config.roles.get(BotRole.YOUTH_MINOR), *(config.roles.get(r) for r in TEAM_ROLES), channel.guild.me.id}
    overwrites = {target.id: overwrite for target, overwrite in channel.overwrites.items()}
    everyone = overwrites.pop(channel.guild.id, None)
    if everyone is None or everyone.view_channel is not False:
        return True
    return any(overwrite.view_channel for target, overwrite in overwrites.items() if target not in own)


def _needed(items: Iterable[discord.PermissionOverwrite]) -> list[str]:
    flags: dict[str, None] = {}
    for overwrite in items:
        allow, deny = overwrite.pair()
        for name, on in allow | deny:
            if on:
                flags[name] = None
    return list(flags)


def notice(i18n: I18n, locale: str, opens_at: datetime) -> str:
    """The closed notice: when the room opens again, and where help is meanwhile."""
    stamp = int(opens_at.timestamp())
    text = i18n.t(locale, "This room is closed now. It opens again {when} ({relative}).",
                  when=f"<t:{stamp}:F>", relative=f"<t:{stamp}:R>")
    return f"{text}\n\n{crisis_text(i18n, locale)}"


def notice_nonce(channel_id: int, opens_at: datetime) -> str:
    """The same closing never posts two notices (Discord drops a repeated nonce; 25 characters at most)."""
    return f"kh{_base36(channel_id)}.{_base36(int(opens_at.timestamp()))}"


def _base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while value:
        value, rest = divmod(value, 36)
        text = digits[rest] + text
    return text or "0"


def listing(
    i18n: I18n, locale: str, rooms: list[Room], zone: str, now: datetime, warning: str | None = None
) -> discord.Embed:
    embed = discord.Embed(title=i18n.t(locale, "Rooms"), colour=discord.Colour.teal())
    if warning:
        embed.set_footer(text=f"⚠️ {warning}")
    if not rooms:
        embed.description = i18n.t(locale, "There are no rooms yet. Make one with /room create.")
        return embed
    lines = [_line(i18n, locale, room, zone, now) for room in rooms]
    text = "\n".join(lines)
    if len(text) > 4000:
        text = text[:3990].rsplit("\n", 1)[0] + "\n…"
    embed.description = text
    return embed


def _line(i18n: I18n, locale: str, room: Room, zone: str, now: datetime) -> str:
    audience = i18n.t(locale, AUDIENCE_NAMES[room.audience])
    if room.status is Status.GONE:
        return i18n.t(locale, "~~{name}~~ · {audience} · deleted in Discord", name=room.name, audience=audience)
    hours = room.hours.describe(locale) if room.hours else i18n.t(locale, "always open")
    if room.status is Status.ARCHIVED:
        state = i18n.t(locale, "archived")
    else:
        state = i18n.t(locale, "closed now") if room.should_be_closed(now, zone) else i18n.t(locale, "open now")
    return f"<#{room.channel_id}> · {audience} · {hours} · {state}"


def rejected_name(error: discord.HTTPException) -> str | None:
    """Discord's reason when it refused a channel name (400, code 50035 "In name: …"), else None."""
    if error.status != 400 or error.code != 50035:
        return None
    reasons = [line.removeprefix("In name:").strip().rstrip(".") for line in error.text.splitlines()
               if line.startswith("In name:")]
    return "; ".join(reasons) or None
