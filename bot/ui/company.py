"""Company requests on Discord: persistent buttons, the two forms, and how cards and
messages look. Nothing here names the member: cards and threads show only the pseudonym."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import discord

from bot.i18n import LANGUAGE_NAMES, N_, I18n
from bot.services.company import TOPIC_MAX, CompanyService, Kind, Request, Status
from bot.services.volunteer import Audience
from bot.ui.kit import FeatureButton, reach
from bot.ui.relay import neutralise

KIND_NAMES = {
    Kind.CHAT_NOW: N_("Chat now"),
    Kind.LATER_TODAY: N_("Talk later today"),
    Kind.LISTEN: N_("Someone to listen"),
}
AUDIENCE_NAMES = {
    Audience.CAREGIVER: N_("caregiver"),
    Audience.YOUTH_MINOR: N_("youth 13–17"),
    Audience.YOUTH_ADULT: N_("youth 18–29"),
    Audience.UNKNOWN: N_("not known (treated as under 18)"),
}
STATUS_NAMES = {
    Status.OPEN: N_("Waiting for a volunteer"),
    Status.CLAIMED: N_("Taken by a volunteer"),
    Status.ENDED: N_("Ended"),
    Status.CANCELLED: N_("Cancelled"),
    Status.WITHDRAWN: N_("Withdrawn"),
}
BUTTONS = {
    "ask": (N_("Request company"), discord.ButtonStyle.primary),
    "take": (N_("I'll take this"), discord.ButtonStyle.success),
    "end": (N_("End conversation"), discord.ButtonStyle.secondary),
    "concern": (N_("Raise a safety concern"), discord.ButtonStyle.danger),
    "cancel": (N_("Cancel my request"), discord.ButtonStyle.secondary),
    "wait": (N_("Keep waiting"), discord.ButtonStyle.primary),
    "feedback": (N_("Give feedback"), discord.ButtonStyle.secondary),
}


class CompanyButton(FeatureButton, template=r"k:v1:company:(?P<action>[a-z]+):(?P<ref>\d+)"):
    """Every company button: ``k:v1:company:<action>:<ref>``, where ref is a request id
    (``ask``: the guild id); ``CompanyCog.on_button``. Survives restarts; permission is checked
    on every click."""

    feature, desk = "company", "company"


def buttons(i18n: I18n, locale: str, ref: int, *actions: str) -> discord.ui.View:
    return CompanyButton.view_of(i18n, locale, ref, BUTTONS, *actions)


# Forms are answered from ``CompanyCog.on_interaction`` by their custom id, not by the Modal
# object discord.py keeps in memory: a form opened before a restart is still taken after it.
FORM = re.compile(r"k:v1:company:(?P<form>request|feedback)-form:(?P<ref>\d+)")


class RequestForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, guild_id: int) -> None:
        super().__init__(title=i18n.t(locale, "Ask for company"), custom_id=f"k:v1:company:request-form:{guild_id}",
                         timeout=900)
        self.add_item(discord.ui.Label(text=i18n.t(locale, "What kind of company?"), component=discord.ui.RadioGroup(
            custom_id="kind",
            options=[discord.RadioGroupOption(label=i18n.t(locale, name), value=k.value) for k, name in KIND_NAMES.items()],
        )))
        self.add_item(discord.ui.Label(
            text=i18n.t(locale, "Topic (optional)"),
            description=i18n.t(locale, "A few words for the volunteer. Please don't write your name."),
            component=discord.ui.TextInput(
                custom_id="topic", style=discord.TextStyle.paragraph, required=False, max_length=TOPIC_MAX,
                placeholder=i18n.t(locale, "You can leave this empty."),
            ),
        ))
        self.add_item(discord.ui.Label(text=i18n.t(locale, "Language"), component=discord.ui.Select(
            custom_id="language",
            options=[discord.SelectOption(label=name, value=code, default=code == locale)
                     for code, name in LANGUAGE_NAMES.items()],
        )))


class FeedbackForm(discord.ui.Modal):
    def __init__(self, i18n: I18n, locale: str, request_id: int) -> None:
        super().__init__(title=i18n.t(locale, "Feedback"), custom_id=f"k:v1:company:feedback-form:{request_id}",
                         timeout=900)
        self.add_item(discord.ui.Label(text=i18n.t(locale, "How was it? (5 = very good)"), component=discord.ui.RadioGroup(
            custom_id="rating", options=[discord.RadioGroupOption(label=str(n), value=str(n)) for n in range(5, 0, -1)]
        )))
        self.add_item(discord.ui.Label(
            text=i18n.t(locale, "Anything else? (optional)"),
            description=i18n.t(locale, "Your feedback is anonymous."),
            component=discord.ui.TextInput(
                custom_id="text", style=discord.TextStyle.paragraph, required=False, max_length=1000
            ),
        ))


def submitted(data: Any) -> dict[str, Any]:
    """A modal submit's answers by input custom id: text and radio → str, selects → list."""
    answers: dict[str, Any] = {}
    stack = list(data.get("components") or [])
    while stack:
        component = stack.pop()
        stack += component.get("components") or []
        if component.get("component"):
            stack.append(component["component"])
        if "custom_id" in component:
            answers[component["custom_id"]] = component.get("values", component.get("value"))
    return answers


def pseudonym(i18n: I18n, locale: str, request: Request) -> str:
    return i18n.t(locale, "Guest {number}", number=request.pseudonym)


def card(i18n: I18n, locale: str, request: Request) -> discord.Embed:
    """The queue card: pseudonym, band, language, kind, topic, waiting time (a live timestamp)."""
    colour = discord.Colour.gold() if request.status is Status.OPEN else discord.Colour.dark_grey()
    embed = discord.Embed(title=pseudonym(i18n, locale, request), colour=colour)
    embed.add_field(name=i18n.t(locale, "Status"), value=i18n.t(locale, STATUS_NAMES[request.status]), inline=False)
    embed.add_field(name=i18n.t(locale, "Kind"), value=i18n.t(locale, KIND_NAMES[request.kind]))
    embed.add_field(name=i18n.t(locale, "Group"), value=i18n.t(locale, AUDIENCE_NAMES[request.audience]))
    embed.add_field(name=i18n.t(locale, "Language"), value=LANGUAGE_NAMES[request.language])
    embed.add_field(name=i18n.t(locale, "Topic"), value=neutralise(request.topic) if request.topic else "—", inline=False)
    if request.status is Status.OPEN:
        embed.add_field(name=i18n.t(locale, "Waiting since"), value=_stamp(request.created_at), inline=False)
    embed.set_footer(text=i18n.t(locale, "Request {number}", number=request.id))  # for /company reveal
    return embed


def thread_intro(i18n: I18n, locale: str, request: Request) -> str:
    return i18n.t(
        locale,
        "You are now talking with {guest}. Write here and your messages go to them by direct message; "
        "their replies appear here. You never see who they are, and they see only your volunteer name. "
        "If you are worried about their safety, press \u201cRaise a safety concern\u201d.",
        guest=pseudonym(i18n, locale, request),
    )


def _stamp(when: datetime) -> str:
    return discord.utils.format_dt(when, "R")


async def send_dm(
    client: discord.Client, user_id: int, content: str, view: discord.ui.View | None = None, nonce: str | None = None
) -> discord.Message | None:
    """A direct message, or None when the member cannot be reached (closed DMs, left, unknown).
    A ``nonce`` makes Discord drop a repeat of the same send (a job retried after a crash)."""
    try:
        return await reach(client, user_id, content, view, nonce)
    except discord.HTTPException:
        return None


async def dm_requester(
    client: discord.Client, company: CompanyService, request: Request, content: str,
    view: discord.ui.View | None = None, nonce: str | None = None,
) -> bool:
    """A DM to the member behind ``request``; False when they cannot be reached."""
    member_id = await company.requester_of(request.id)
    return await send_dm(client, member_id, content, view, nonce) is not None
