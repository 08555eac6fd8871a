"""How moderation looks: case cards in the moderation log, what the member is told (never who
the moderator was), a member's history in pages, and who stands where on the server."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any, Protocol

import discord

from bot.errors import KohtaamoError
from bot.i18n import N_, I18n
from bot.services.moderation import Action, Case, CasePage, Standing
from bot.services.setup import BotChannel, BotRole, GuildConfig
from bot.ui.kit import kit_of
from bot.ui.privacy import member_label
from bot.ui.relay import neutralise

log = logging.getLogger(__name__)
ACTION_NAMES = {
    Action.WARN: N_("Warning"),
    Action.TIMEOUT: N_("Timeout"),
    Action.UNTIMEOUT: N_("Timeout lifted"),
    Action.NOTE: N_("Note"),
    Action.SLOWMODE: N_("Slowmode"),
    Action.LOCK: N_("Channel locked"),
    Action.UNLOCK: N_("Channel unlocked"),
    Action.REMOVE: N_("Message removed"),
}
OTHER_KINDS = {
    "ageband": N_("Age group changed"),
    "company_block": N_("Blocked from company requests"),
    "company_unblock": N_("Company requests allowed again"),
}
OTHER_KIND = N_("Other action")
# What the member is told, in their language; the moderator is never named.
TOLD = {
    Action.WARN: N_("You got a warning from the moderators of {server}. Reason: {reason}"),
    Action.TIMEOUT: N_("The moderators of {server} gave you a timeout of {duration}: you cannot write on the server "
                       "until it ends. Reason: {reason}"),
    Action.UNTIMEOUT: N_("The moderators of {server} lifted your timeout: you can write again."),
    Action.REMOVE: N_("The moderators of {server} removed a message of yours. Reason: {reason}\n"
                      "What you wrote:\n{text}"),
}
TOLD_FOOTER = N_("If you think this is a mistake, you can talk to the server's moderators.")
COLOURS = {Action.WARN: discord.Colour.orange(), Action.TIMEOUT: discord.Colour.red(),
           Action.NOTE: discord.Colour.light_grey(), Action.REMOVE: discord.Colour.dark_orange()}


def standing(member: discord.Member, config: GuildConfig) -> Standing:
    roles = {r.id for r in member.roles}
    return Standing(
        member.id, member.top_role.position,
        team=config.has_role(roles, BotRole.MODERATOR) or config.has_role(roles, BotRole.STAFF),
        admin=member.guild_permissions.manage_guild, owner=member.guild.owner_id == member.id,
    )


def span(i18n: I18n, locale: str, duration: timedelta) -> str:
    """``2 h 30 min``-style, biggest units first, at most two of them."""
    seconds = int(duration.total_seconds())
    parts: list[str] = []
    for size, unit in ((86400, N_("{n} d")), (3600, N_("{n} h")), (60, N_("{n} min")), (1, N_("{n} s"))):
        if seconds >= size and len(parts) < 2:
            parts.append(i18n.t(locale, unit, n=seconds // size))
            seconds %= size
    return " ".join(parts) or i18n.t(locale, "off")


def kind_name(i18n: I18n, locale: str, kind: str) -> str:
    try:
        return i18n.t(locale, ACTION_NAMES[Action(kind)])
    except ValueError:
        return i18n.t(locale, OTHER_KINDS.get(kind, OTHER_KIND))


def case_card(i18n: I18n, locale: str, case: Case, *, expired: bool = False, active_warnings: int | None = None,
              title: str | None = None) -> discord.Embed:
    """A case as moderators see it: number, action, member, moderator, reason, duration, told."""
    colour = COLOURS.get(Action(case.kind), discord.Colour.blurple()) if case.kind in Action.__members__.values() \
        else discord.Colour.blurple()
    embed = discord.Embed(title=title or i18n.t(locale, "Case {number}: {action}", number=case.number,
                                                action=kind_name(i18n, locale, case.kind)), colour=colour)
    if case.target_user_id:
        embed.add_field(name=i18n.t(locale, "Member"), value=member_label(i18n, locale, case.target_user_id))
    if case.channel_id:
        embed.add_field(name=i18n.t(locale, "Channel"), value=f"<#{case.channel_id}>")
    embed.add_field(name=i18n.t(locale, "Moderator"), value=f"<@{case.moderator_id}>")
    if case.duration is not None:
        embed.add_field(name=i18n.t(locale, "Duration"), value=span(i18n, locale, case.duration))
    if case.expires_at is not None:
        embed.add_field(name=i18n.t(locale, "Expired") if expired else i18n.t(locale, "Expires"),
                        value=discord.utils.format_dt(case.expires_at, "d"))
    if active_warnings is not None:
        embed.add_field(name=i18n.t(locale, "Active warnings"), value=str(active_warnings))
    if case.reason:
        embed.add_field(name=i18n.t(locale, "Reason"), value=neutralise(case.reason)[:1024], inline=False)
    if case.member_told is not None:
        embed.add_field(name=i18n.t(locale, "Member told"), inline=False, value=i18n.t(
            locale, "yes, by direct message") if case.member_told else i18n.t(
            locale, "no: they could not be reached by direct message"))
    embed.timestamp = case.created_at
    return embed


def told_text(i18n: I18n, locale: str, server: str, case: Case, *, text: str = "") -> str:
    action = Action(case.kind)
    body = i18n.t(locale, TOLD[action], server=discord.utils.escape_markdown(server), reason=neutralise(case.reason),
                  duration=span(i18n, locale, case.duration or timedelta()), text=quote(text, 1500))
    return body + "\n" + i18n.t(locale, TOLD_FOOTER)


def quote(text: str, limit: int) -> str:
    """User text as an inert, escaped block quote, cut at ``limit`` characters."""
    cut = text if len(text) <= limit else text[:limit].rstrip() + "…"
    return "\n".join(f"> {line}" for line in (neutralise(cut) or "—").splitlines() or ["—"])


async def post_log(client: discord.Client, config: GuildConfig, *, role_ping: bool = False,
                   **kwargs: Any) -> discord.Message | None:
    """A card in the moderation log (pinging the moderator role when asked); None when it cannot be."""
    channel = client.get_channel(config.channels.get(BotChannel.MODLOG, 0))
    if not isinstance(channel, discord.TextChannel):
        return None
    role = config.roles.get(BotRole.MODERATOR)
    if role_ping and role:
        kwargs["content"] = f"<@&{role}>"
        kwargs["allowed_mentions"] = discord.AllowedMentions(roles=[discord.Object(role)])
    try:
        return await channel.send(**kwargs)
    except discord.HTTPException:
        log.warning("could not write to the moderation log of guild %s", config.guild_id)
        return None


async def edit_card(client: discord.Client, channel_id: int | None, message_id: int | None, **kwargs: Any) -> None:
    """Edit a card the bot posted; a card deleted by hand is left gone."""
    channel = client.get_channel(channel_id or 0)
    if not isinstance(channel, discord.TextChannel) or not message_id:
        return
    try:
        await channel.get_partial_message(message_id).edit(**kwargs)
    except discord.HTTPException:
        log.info("card %s in channel %s could not be edited", message_id, channel_id)


def history(i18n: I18n, locale: str, user_id: int, page: CasePage, expired: set[int]) -> discord.Embed:
    embed = discord.Embed(colour=discord.Colour.blurple(), title=i18n.t(locale, "Cases"))
    embed.description = i18n.t(locale, "Member: {member}", member=f"<@{user_id}>")
    if not page.cases:
        embed.description += "\n" + i18n.t(locale, "No cases.")
    for case in page.cases:
        name = i18n.t(locale, "Case {number}: {action}", number=case.number, action=kind_name(i18n, locale, case.kind))
        if case.id in expired:
            name += " · " + i18n.t(locale, "expired")
        when = discord.utils.format_dt(case.created_at, "d")
        extra = f" · {span(i18n, locale, case.duration)}" if case.duration else ""
        embed.add_field(name=name, inline=False, value=f"{when}{extra} · <@{case.moderator_id}>\n"
                        f"{neutralise(case.reason)[:300] or '—'}")
    embed.set_footer(text=i18n.t(locale, "Page {page}/{pages} · {total} cases", page=page.page + 1, pages=page.pages,
                                 total=page.total))
    return embed


class ButtonDesk(Protocol):
    """What a moderation, report or safety button calls (``Kohtaamo.moderation``, ``.reports``, ``.safety``)."""

    async def on_button(self, interaction: discord.Interaction, action: str, ref: int, arg: int) -> None: ...


DESKS = {"mod": "moderation", "report": "reports", "safety": "safety"}  # custom id part -> the bot's attribute


class DeskButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"k:v1:(?P<feature>mod|report|safety):(?P<action>[a-z]+):(?P<ref>\d+)(?::(?P<arg>\d+))?"):
    """The buttons of moderation (history pages: ref = member, arg = page), reports (ref = report)
    and safety alerts (ref = alert): ``k:v1:<feature>:<action>:<ref>[:<arg>]``. They survive
    restarts; who may press is checked on every press."""

    def __init__(self, feature: str, action: str, ref: int, label: str, arg: int | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, disabled: bool = False) -> None:
        tail = "" if arg is None else f":{arg}"
        super().__init__(discord.ui.Button(label=label, style=style, disabled=disabled,
                                           custom_id=f"k:v1:{feature}:{action}:{ref}{tail}"))
        self.feature, self.action, self.ref, self.arg = feature, action, ref, arg or 0

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> DeskButton:
        assert isinstance(item, discord.ui.Button)
        arg = int(match["arg"]) if match["arg"] else None
        return cls(match["feature"], match["action"], int(match["ref"]), item.label or "", arg, item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            desk: ButtonDesk = getattr(interaction.client, DESKS[self.feature])
            await desk.on_button(interaction, self.action, self.ref, self.arg)
        except Exception as error:
            await kit_of(interaction).explain(interaction, error)


async def fetch_message(guild: discord.Guild | None, channel_id: int, message_id: int, gone: str) -> discord.Message:
    """A message the menus act on, or the localized ``gone`` error when it (or its channel) is deleted."""
    channel = guild.get_channel_or_thread(channel_id) if guild else None
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        raise KohtaamoError(gone)
    try:
        return await channel.fetch_message(message_id)
    except discord.NotFound:
        raise KohtaamoError(gone) from None


def pager(i18n: I18n, locale: str, user_id: int, page: CasePage) -> discord.ui.View | None:
    if page.pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(DeskButton("mod", "page", user_id, i18n.t(locale, "Newer"), max(page.page - 1, 0),
                             disabled=page.page == 0))
    view.add_item(DeskButton("mod", "page", user_id, i18n.t(locale, "Older"), page.page + 1,
                             disabled=page.page >= page.pages - 1))
    return view
