"""Announcements on Discord: the form, the post (embed and a mapped role's ping), and the
preview's persistent buttons."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.i18n import N_, I18n
from bot.services.announce import TEXT_MAX, TITLE_MAX, Announcement
from bot.ui.kit import FeatureButton
from bot.ui.relay import neutralise

BUTTONS = {
    "send": (N_("Send now"), discord.ButtonStyle.success),
    "schedule": (N_("Schedule"), discord.ButtonStyle.primary),
    "discard": (N_("Cancel"), discord.ButtonStyle.secondary),
}
# The form carries the command's options: channel, role to ping (0: none), send time (0: none).
FORM = re.compile(r"k:v1:announce:form:(?P<channel>\d+):(?P<role>\d+):(?P<at>\d+)")


class AnnounceButton(FeatureButton, template=r"k:v1:announce:(?P<action>[a-z]+):(?P<ref>\d+)"):
    """``k:v1:announce:<send|schedule|discard>:<announcement id>`` on the author's preview."""

    feature, desk = "announce", "announce"


def preview_buttons(i18n: I18n, locale: str, announcement: Announcement) -> discord.ui.View:
    actions = ("schedule", "send", "discard") if announcement.send_at else ("send", "discard")
    return AnnounceButton.view_of(i18n, locale, announcement.id, BUTTONS, *actions)


def post(announcement: Announcement) -> dict[str, Any]:
    """What goes in the channel: the embed, and the role's mention with only that role allowed."""
    embed = discord.Embed(title=discord.utils.escape_markdown(announcement.title), description=neutralise(announcement.text),
                          colour=discord.Colour.blurple())
    if announcement.role_id is None:
        return {"embed": embed, "allowed_mentions": discord.AllowedMentions.none()}
    return {"content": f"<@&{announcement.role_id}>", "embed": embed,
            "allowed_mentions": discord.AllowedMentions(everyone=False, users=False,
                                                        roles=[discord.Object(announcement.role_id)])}


class AnnounceForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, custom_id: str) -> None:
        super().__init__(title=i18n.t(locale, "New announcement"), custom_id=custom_id, timeout=1800)
        self.add_item(discord.ui.Label(text=i18n.t(locale, "Title"), component=discord.ui.TextInput(
            custom_id="title", max_length=TITLE_MAX)))
        self.add_item(discord.ui.Label(
            text=i18n.t(locale, "Text"), description=i18n.t(locale, "You see a preview before anything is sent."),
            component=discord.ui.TextInput(custom_id="text", style=discord.TextStyle.paragraph, max_length=TEXT_MAX),
        ))


def form_id(channel_id: int, role_id: int | None, send_at: int | None) -> str:
    return f"k:v1:announce:form:{channel_id}:{role_id or 0}:{send_at or 0}"
