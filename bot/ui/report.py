"""Reports as people see them: the reporter's short form, the moderators' card (the reported text
quoted, escaped and cut; its author, room and link; who reported, for moderators only), Claim and
Resolve (which asks the outcome), and the reporter's "handled" DM without details."""

from __future__ import annotations

import re

import discord

from bot.i18n import N_, I18n
from bot.services.reports import NOTE_MAX, Outcome, Reason, Report
from bot.ui.mod import DeskButton, quote
from bot.ui.privacy import member_label
from bot.ui.relay import neutralise

REASONS = {
    Reason.HARASSMENT: N_("Harassment"),
    Reason.UNSAFE: N_("Worrying or unsafe"),
    Reason.SPAM: N_("Spam"),
    Reason.OTHER: N_("Something else"),
}
OUTCOMES = {
    Outcome.ACTED: N_("Action taken"),
    Outcome.NO_ACTION: N_("No action needed"),
    Outcome.DUPLICATE: N_("Already handled elsewhere"),
}
STATUS = {
    "open": N_("Waiting for a moderator"),
    "claimed": N_("{moderator} is looking into it"),
    "resolved": N_("Resolved by {moderator}: {outcome}"),
}
QUOTE_MAX = 700
FORM = re.compile(r"k:v1:report:(?P<form>report|resolve)-form:(?P<a>\d+)(?::(?P<b>\d+))?")


class ReportForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, channel_id: int, message_id: int) -> None:
        super().__init__(title=i18n.t(locale, "Report to moderators"), timeout=900,
                         custom_id=f"k:v1:report:report-form:{channel_id}:{message_id}")
        self.add_item(discord.ui.Label(text=i18n.t(locale, "What is wrong?"), component=discord.ui.RadioGroup(
            custom_id="reason", options=[discord.RadioGroupOption(label=i18n.t(locale, name), value=reason.value)
                                         for reason, name in REASONS.items()],
        )))
        self.add_item(discord.ui.Label(
            text=i18n.t(locale, "More to say? (optional)"),
            description=i18n.t(locale, "Only the moderators see this and who reported. The writer is not told."),
            component=discord.ui.TextInput(custom_id="note", style=discord.TextStyle.paragraph, required=False,
                                           max_length=NOTE_MAX),
        ))


class ResolveForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, report_id: int) -> None:
        super().__init__(title=i18n.t(locale, "Resolve the report"), timeout=900,
                         custom_id=f"k:v1:report:resolve-form:{report_id}")
        self.add_item(discord.ui.Label(text=i18n.t(locale, "Outcome"), component=discord.ui.RadioGroup(
            custom_id="outcome", options=[discord.RadioGroupOption(label=i18n.t(locale, name), value=o.value)
                                          for o, name in OUTCOMES.items()],
        )))


def card(i18n: I18n, locale: str, report: Report) -> discord.Embed:
    colour = {"open": discord.Colour.orange(), "claimed": discord.Colour.gold()}.get(report.status,
                                                                                     discord.Colour.dark_grey())
    embed = discord.Embed(title=i18n.t(locale, "Report {number}", number=report.id), colour=colour)
    embed.description = quote(report.text, QUOTE_MAX) if report.text else i18n.t(locale, "(no text)")
    embed.add_field(name=i18n.t(locale, "Author"), value=member_label(i18n, locale, report.author_id))
    embed.add_field(name=i18n.t(locale, "Room"), value=f"<#{report.channel_id}>")
    link = f"https://discord.com/channels/{report.guild_id}/{report.channel_id}/{report.message_id}"
    embed.add_field(name=i18n.t(locale, "Message"), value="[{}]({})".format(i18n.t(locale, "Open the message"), link))
    embed.add_field(name=i18n.t(locale, "Reported by"), inline=False, value=i18n.tn(
        locale, "{n} member", "{n} members", len(report.reporters)))
    for r in report.reporters[:10]:
        line = f"<@{r.reporter_id}> · {i18n.t(locale, REASONS[Reason(r.reason)])}"
        embed.add_field(name="\u200b", value=line + (f"\n{quote(r.note, 300)}" if r.note else ""), inline=False)
    outcome = i18n.t(locale, OUTCOMES[Outcome(report.outcome)]) if report.outcome else ""
    who = report.resolved_by if report.status == "resolved" else report.claimed_by
    embed.add_field(name=i18n.t(locale, "Status"), inline=False, value=i18n.t(
        locale, STATUS[report.status], moderator=f"<@{who}>" if who else "—", outcome=outcome))
    embed.timestamp = report.created_at
    return embed


def view(i18n: I18n, locale: str, report: Report) -> discord.ui.View:
    buttons = discord.ui.View(timeout=None)
    if report.status == "open":
        buttons.add_item(DeskButton("report", "claim", report.id, i18n.t(locale, "Claim"), style=discord.ButtonStyle.primary))
    if report.status != "resolved":
        buttons.add_item(DeskButton("report", "resolve", report.id, i18n.t(locale, "Resolve"),
                                    style=discord.ButtonStyle.success))
    return buttons


def handled_text(i18n: I18n, locale: str, server: str) -> str:
    return i18n.t(locale, "Thank you for your report on {server}: the moderators have handled it.",
                  server=neutralise(server))
