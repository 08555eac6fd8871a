"""Room check-ins on Discord: the default prompts (they rotate), the prompt message with its
anonymous mood buttons and counts, and how a schedule is listed."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.i18n import N_, I18n
from bot.services.checkin import MOODS
from bot.services.checkin_room import SHOW_AT, DuePrompt, RoomCheckin, Tally
from bot.ui.checkin import CheckinButton, mood_label

DEFAULT_PROMPTS = (
    N_("How are you today?"),
    N_("What has today been like for you?"),
    N_("How is your energy today?"),
    N_("What gave you a little joy this week?"),
    N_("How have you slept lately?"),
    N_("What is on your mind today?"),
    N_("Did you get a moment for yourself today?"),
    N_("How did this week start for you?"),
    N_("What would help you a little today?"),
    N_("Who or what has supported you lately?"),
    N_("How are you feeling right now, at this moment?"),
    N_("What are you looking forward to?"),
)


def prompt_text(i18n: I18n, prompt: DuePrompt) -> str:
    room = prompt.room
    if room.prompt:
        return room.prompt
    return i18n.t(room.locale, DEFAULT_PROMPTS[prompt.sequence % len(DEFAULT_PROMPTS)])


def tally_text(i18n: I18n, locale: str, tally: Tally) -> str:
    if tally.counts is None:
        answered = i18n.tn(locale, "{n} has answered.", "{n} have answered.", tally.answered)
        if tally.answered == 0:
            answered = i18n.t(locale, "Nobody has answered yet.")
        return answered + " " + i18n.t(locale, "The answers are shown once {min} have answered.", min=SHOW_AT)
    counts = " · ".join(f"{mood}: {tally.counts[mood]}" for mood in MOODS)
    return i18n.tn(locale, "{n} has answered.", "{n} have answered.", tally.answered) + f"\n{counts}"


def message_text(i18n: I18n, prompt: DuePrompt, tally: Tally) -> str:
    locale = prompt.room.locale
    return "\n\n".join((
        f"**{prompt_text(i18n, prompt)}**",
        i18n.t(locale, "Choose a number; your answer is anonymous. You can write more in the thread."),
        tally_text(i18n, locale, tally),
    ))


def prompt_view(i18n: I18n, prompt: DuePrompt) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for mood in MOODS:
        view.add_item(CheckinButton("vote", prompt.occurrence_id, mood, mood_label(i18n, prompt.room.locale, mood),
                                    discord.ButtonStyle.secondary))
    return view


def listing(i18n: I18n, locale: str, rows: Sequence[tuple[RoomCheckin, bool, str]]) -> str:
    """``rows``: (schedule, whether its channel still exists, next time as text)."""
    if not rows:
        return i18n.t(locale, "No room check-ins are scheduled. Add one with /checkin schedule.")
    lines = []
    for room, exists, when in rows:
        where = f"<#{room.channel_id}>" if exists else i18n.t(locale, "(channel deleted)")
        lines.append(i18n.t(
            locale, "**{number}.** {channel} {schedule} (next {when})", number=room.id, channel=where,
            schedule=room.recurrence.describe(locale), when=when,
        ) + (f": {discord.utils.escape_markdown(room.prompt)}" if room.prompt else ""))
    return "\n".join(lines)
