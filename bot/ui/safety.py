"""The safety response as people see it: the writer's gentle DM (crisis contacts, a button to ask
for company, "I'm OK"), and the moderators' alert with Claim and Resolved buttons. The alert
quotes nothing of the message: moderators open it by its link."""

from __future__ import annotations

import discord

from bot.i18n import N_, I18n
from bot.services.safety_response import Alert
from bot.ui import company
from bot.ui.crisis import crisis_text
from bot.ui.mod import DeskButton

BUTTONS = {
    "ok": (N_("I'm OK"), discord.ButtonStyle.secondary),
    "claim": (N_("I'll check on them"), discord.ButtonStyle.primary),
    "resolve": (N_("Resolved"), discord.ButtonStyle.success),
}
STATUS = {
    "open": N_("Nobody has claimed this yet"),
    "claimed": N_("{moderator} is checking on them"),
    "resolved": N_("Resolved by {moderator}"),
}


def _button(i18n: I18n, locale: str, action: str, alert_id: int) -> DeskButton:
    label, style = BUTTONS[action]
    return DeskButton("safety", action, alert_id, i18n.t(locale, label), style=style)


def dm_text(i18n: I18n, locale: str) -> str:
    return i18n.t(
        locale, "Hi. What you wrote just now sounded heavy, so we wanted to check on you, privately. Nobody in the "
        "room was told, and your message is still there.\nIf you would like someone to talk with, you can ask for "
        "company below. If you are OK, you can tell us that too.",
    ) + "\n\n" + crisis_text(i18n, locale)


def dm_view(i18n: I18n, locale: str, guild_id: int, alert_id: int) -> discord.ui.View:
    view = company.buttons(i18n, locale, guild_id, "ask")
    view.add_item(_button(i18n, locale, "ok", alert_id))
    return view


def alert_card(i18n: I18n, locale: str, alert: Alert, jump: str) -> discord.Embed:
    embed = discord.Embed(title=i18n.t(locale, "Safety alert"), colour=discord.Colour.red() if alert.status == "open"
                          else discord.Colour.dark_grey())
    embed.description = i18n.t(locale, "A message in a room reads like a crisis. The writer is not told who sees this.")
    embed.add_field(name=i18n.t(locale, "Writer"), value=f"<@{alert.user_id}>")
    embed.add_field(name=i18n.t(locale, "Room"), value=f"<#{alert.channel_id}>")
    embed.add_field(name=i18n.t(locale, "13–17"), value=i18n.t(locale, "yes") if alert.minor else i18n.t(locale, "no"))
    embed.add_field(name=i18n.t(locale, "Messages"), value=i18n.tn(
        locale, "{n} message", "{n} messages", alert.messages), inline=True)
    embed.add_field(name=i18n.t(locale, "Latest message"), value="[{}]({})".format(i18n.t(locale, "Open the message"), jump))
    embed.add_field(name=i18n.t(locale, "Direct message"), inline=False, value=i18n.t(
        locale, "The writer got a private message with crisis contacts and an offer of company.") if alert.reached
        else i18n.t(locale, "The writer could not be reached by direct message: only you know."))
    if alert.writer_ok_at is not None:
        embed.add_field(name=i18n.t(locale, "The writer says"), value=i18n.t(locale, "“I'm OK”"), inline=False)
    status = i18n.t(locale, STATUS[alert.status], moderator=f"<@{alert.claimed_by}>" if alert.claimed_by else "—")
    embed.add_field(name=i18n.t(locale, "Status"), value=status, inline=False)
    embed.timestamp = alert.last_at
    return embed


def alert_view(i18n: I18n, locale: str, alert: Alert) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if alert.status == "open":
        view.add_item(_button(i18n, locale, "claim", alert.id))
    if alert.status != "resolved":
        view.add_item(_button(i18n, locale, "resolve", alert.id))
    return view


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"
