"""Check-ins on Discord: the persistent buttons (moods, pause, consent, votes, loneliness) and
what the DMs and prompts say. Custom ids carry only opaque occurrence ids, never a member id."""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from bot.i18n import N_, I18n
from bot.services.checkin import MOOD_NAMES, MOODS
from bot.services.checkin_personal import LONELINESS_ANSWERS, DueDm
from bot.ui import company as company_ui
from bot.ui.crisis import crisis_text
from bot.ui.kit import kit_of

LONELINESS_QUESTION = N_("How much of the time, during the past four weeks, have you felt lonely?")
LONELINESS_NAMES = {
    1: N_("All of the time"),
    2: N_("Most of the time"),
    3: N_("Some of the time"),
    4: N_("A little of the time"),
    5: N_("None of the time"),
}
LONELY_FLAG = 1 << 7  # in the consent button's first number, beside the weekday bits


class CheckinDesk(Protocol):
    """What the buttons call; implemented by ``cogs.checkin.CheckinCog``."""

    async def on_button(self, interaction: discord.Interaction, action: str, a: int, b: int) -> None: ...


def desk(interaction: discord.Interaction) -> CheckinDesk:
    return interaction.client.checkin  # type: ignore[attr-defined, no-any-return]


class CheckinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"k:v1:checkin:(?P<action>[a-z]+):(?P<a>\d+):(?P<b>\d+)"
):
    """``k:v1:checkin:<action>:<a>:<b>``: ``me``/``vote``/``lonely`` (occurrence, answer), ``pause``,
    ``ok`` (weekday bits + loneliness flag, minute), ``no``, ``erase``, ``keep``. Survives restarts."""

    def __init__(self, action: str, a: int, b: int, label: str, style: discord.ButtonStyle, row: int | None = None):
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"k:v1:checkin:{action}:{a}:{b}", row=row))
        self.action, self.a, self.b = action, a, b

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CheckinButton:
        assert isinstance(item, discord.ui.Button)
        return cls(match["action"], int(match["a"]), int(match["b"]), item.label or "", item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await desk(interaction).on_button(interaction, self.action, self.a, self.b)
        except Exception as error:
            await kit_of(interaction).explain(interaction, error)


def mood_label(i18n: I18n, locale: str, mood: int) -> str:
    return f"{mood} · {i18n.t(locale, MOOD_NAMES[mood])}"


def _moods(i18n: I18n, locale: str, view: discord.ui.View, action: str, occurrence_id: int) -> None:
    for mood in MOODS:
        view.add_item(CheckinButton(action, occurrence_id, mood, mood_label(i18n, locale, mood),
                                    discord.ButtonStyle.secondary, row=0))


def dm_view(i18n: I18n, locale: str, due: DueDm) -> discord.ui.View:
    """The check-in DM: moods; "I'd like company" (the company button) and "Pause for a week";
    the loneliness answers once a month."""
    view = discord.ui.View(timeout=None)
    _moods(i18n, locale, view, "me", due.occurrence_id)
    for item in company_ui.buttons(i18n, locale, due.personal.guild_id, "ask").children:
        assert isinstance(item, company_ui.CompanyButton)
        item.item.label = i18n.t(locale, "I'd like company")
        item.item.row = 1
        view.add_item(item)
    view.add_item(CheckinButton("pause", 0, 0, i18n.t(locale, "Pause for a week"), discord.ButtonStyle.secondary, row=1))
    if due.ask_loneliness:
        for answer in LONELINESS_ANSWERS:
            view.add_item(CheckinButton("lonely", due.occurrence_id, answer, i18n.t(locale, LONELINESS_NAMES[answer]),
                                        discord.ButtonStyle.secondary, row=2))
    return view


def dm_text(i18n: I18n, locale: str, due: DueDm) -> str:
    lines = [i18n.t(locale, "Hi! How are you today? Choose the number that fits best; only you see your answers.")]
    if due.offer_support:
        lines.append(support_text(i18n, locale))
    if due.ask_loneliness:
        lines.append(i18n.t(locale, "Once a month I also ask:") + " **" + i18n.t(locale, LONELINESS_QUESTION) + "**")
    return "\n\n".join(lines)


def support_text(i18n: I18n, locale: str) -> str:
    return i18n.t(
        locale,
        "It has been heavy for a while. You don't have to carry it alone: press \u201cI'd like company\u201d and a "
        "volunteer can keep you company (they won't see your name).",
    ) + "\n" + crisis_text(i18n, locale)


def company_view(i18n: I18n, locale: str, guild_id: int) -> discord.ui.View:
    view = company_ui.buttons(i18n, locale, guild_id, "ask")
    for item in view.children:
        assert isinstance(item, company_ui.CompanyButton)
        item.item.label = i18n.t(locale, "I'd like company")
    return view


def consent_view(i18n: I18n, locale: str, mask: int, minute: int, loneliness: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    flags = mask | (LONELY_FLAG if loneliness else 0)
    view.add_item(CheckinButton("ok", flags, minute, i18n.t(locale, "Accept and start"), discord.ButtonStyle.success))
    view.add_item(CheckinButton("no", 0, 0, i18n.t(locale, "Cancel"), discord.ButtonStyle.secondary))
    return view


def consent_text(i18n: I18n, locale: str, schedule: str, loneliness: bool) -> str:
    text = i18n.t(
        locale,
        "**Personal check-ins: {schedule}**\nAt those times I send you a direct message asking how you are, with "
        "buttons 1\u20135.\n\n**What is stored:** your schedule and the moods you choose, encrypted.\n**Who sees "
        "them:** only you (/checkin history). They are counted only anonymously, never with your name, and nobody "
        "is told about your answers.\nYou can pause (/checkin pause) or stop (/checkin stop) at any time, and delete "
        "your history when you stop.",
        schedule=schedule,
    )
    if loneliness:
        text += "\n\n" + i18n.t(
            locale,
            "Once a month I will also ask how often you have felt lonely during the past four weeks (the question of "
            "Statistics Finland's survey). Your answer is stored like your moods.",
        )
    return text


def stop_view(i18n: I18n, locale: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CheckinButton("erase", 0, 0, i18n.t(locale, "Delete my mood history"), discord.ButtonStyle.danger))
    view.add_item(CheckinButton("keep", 0, 0, i18n.t(locale, "Keep my history"), discord.ButtonStyle.secondary))
    return view
