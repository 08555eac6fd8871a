"""What the member sees of the privacy feature: the /privacy notice (written from the registry's
sections and the guild's retention settings), the JSON export, and the delete confirmation."""

from __future__ import annotations

import io
import json
from datetime import datetime

import discord

from bot.i18n import N_, I18n
from bot.services.privacy import Entry, Section
from bot.services.setup import GuildConfig
from bot.ui.kit import FeatureButton

FIELD_VALUE = 1024

BUTTONS = {
    "erase": (N_("Delete my data"), discord.ButtonStyle.danger),
    "cancel": (N_("Cancel, keep my data"), discord.ButtonStyle.secondary),
}


class PrivacyButton(FeatureButton, template=r"k:v1:privacy:(?P<action>erase|cancel):(?P<ref>\d+)"):
    """``k:v1:privacy:<erase|cancel>:<when asked, ms>`` on the member's own (ephemeral)
    confirmation; ``PrivacyCog.on_button``. The ref is a time, never a member id."""

    feature, desk = "privacy", "privacy"


def confirm_buttons(i18n: I18n, locale: str, ref: int) -> discord.ui.View:
    return PrivacyButton.view_of(i18n, locale, ref, BUTTONS, "erase", "cancel")


def member_label(i18n: I18n, locale: str, user_id: int) -> str:
    """A member as moderators see them: a mention, or an erased member's pseudonym."""
    if user_id > 0:
        return f"<@{user_id}>"
    short = format(-user_id, "X")[:8]
    return i18n.t(locale, "Erased member {pseudonym}", pseudonym=short)


def kept_for(i18n: I18n, locale: str, section: Section, config: GuildConfig) -> str:
    days = section.days(config.retention)
    return i18n.t(locale, section.kept) if days is None else i18n.t(locale, section.kept, days=days)


def contact_line(i18n: I18n, locale: str, config: GuildConfig) -> str:
    if config.privacy_contact:
        return i18n.t(locale, "{contact} runs Kohtaamo on this server: ask them about your data.",
                      contact=discord.utils.escape_markdown(config.privacy_contact))
    return i18n.t(locale, "This server's administrators run Kohtaamo here. A moderator can tell you whom to ask "
                          "about your data.")


def notice(i18n: I18n, locale: str, guild_name: str, config: GuildConfig, entries: list[Entry]) -> discord.Embed:
    embed = discord.Embed(
        title=i18n.t(locale, "What Kohtaamo keeps about you on {server}", server=guild_name),
        description=i18n.t(
            locale, "The bot keeps only what its features need. Sensitive things (company topics, moods, reasons) "
                    "are stored encrypted. Nothing is sold or used for profiling.",
        ),
        colour=discord.Colour.blurple(),
    )
    who, kept = i18n.t(locale, "Who sees it:"), i18n.t(locale, "Kept:")
    for entry in entries:
        s = entry.section
        value = f"{i18n.t(locale, s.stored)}\n**{who}** {i18n.t(locale, s.seen_by)}\n**{kept}** " \
                f"{kept_for(i18n, locale, s, config)}"
        embed.add_field(name=i18n.t(locale, s.title), value=value[:FIELD_VALUE], inline=False)
    embed.add_field(name=i18n.t(locale, "Your data"), inline=False, value=i18n.t(
        locale, "A copy: /mydata export. To delete it: /mydata delete (you confirm first). If you leave the server, "
                "your data there is erased after {days} days, unless you come back before that.",
        days=config.retention.leaver_grace_days,
    ))
    embed.add_field(name=i18n.t(locale, "Who runs the service"), value=contact_line(i18n, locale, config), inline=False)
    return embed


def export_file(
    i18n: I18n, locale: str, guild_name: str, config: GuildConfig, entries: list[Entry],
    exported: dict[str, list[dict[str, object]]], now: datetime,
) -> discord.File | None:
    """The member's data as a readable JSON file, a short explanation per section; None when
    nothing is held."""
    if not any(exported.values()):
        return None
    sections = {}
    for entry in entries:
        s, records = entry.section, exported[entry.name]
        sections[entry.name] = {
            "title": i18n.t(locale, s.title), "what_is_stored": i18n.t(locale, s.stored),
            "who_can_see_it": i18n.t(locale, s.seen_by), "how_long": kept_for(i18n, locale, s, config),
            "kept_after_deletion": i18n.t(locale, s.after_erase) if s.after_erase else None, "records": records,
        }
    document = {
        "about": i18n.t(locale, "Everything Kohtaamo keeps about you on {server}, as of {when}.", server=guild_name,
                        when=i18n.when(locale, now, config.timezone)),
        "server_id": config.guild_id, "made_at": now.isoformat(), "sections": sections,
    }
    data = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return discord.File(io.BytesIO(data), filename=f"kohtaamo-{now:%Y-%m-%d}.json")


def kept_lines(i18n: I18n, locale: str, sections: list[Section]) -> str:
    return "\n".join(f"• {i18n.t(locale, s.after_erase)}" for s in sections if s.after_erase)


def confirm_text(i18n: I18n, locale: str, guild_name: str, sections: list[Section]) -> str:
    return i18n.t(
        locale, "Delete your data on {server}? Everything /privacy lists goes: an open company conversation ends, "
                "check-ins stop, and event places are freed. This cannot be undone.\n\nWhat is kept, and why:\n{kept}",
        server=guild_name, kept=kept_lines(i18n, locale, sections),
    )


def done_text(i18n: I18n, locale: str, sections: list[Section]) -> str:
    return i18n.t(locale, "Your data on this server has been deleted.\n\nWhat is kept, and why:\n{kept}",
                  kept=kept_lines(i18n, locale, sections))
