"""Events on Discord: the card, its persistent buttons, the create/edit form, and coalesced
card edits (a burst of answers becomes one edit)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable

import discord

from bot.i18n import N_, I18n
from bot.services.event import DESCRIPTION_MAX, PLACE_MAX, TITLE_MAX, Event
from bot.services.room import Audience
from bot.ui.kit import FeatureButton
from bot.ui.relay import neutralise
from bot.ui.room import AUDIENCE_NAMES

log = logging.getLogger(__name__)

BUTTONS = {
    "going": (N_("Going"), discord.ButtonStyle.success),
    "maybe": (N_("Maybe"), discord.ButtonStyle.primary),
    "no": (N_("Can't come"), discord.ButtonStyle.secondary),
    "ics": (N_("Add to calendar"), discord.ButtonStyle.secondary),
    "giveup": (N_("Give up my place"), discord.ButtonStyle.danger),
}
AUDIENCE_CODES = {"a": None, "c": Audience.CAREGIVERS, "m": Audience.YOUTH_MINOR, "y": Audience.YOUTH_ADULT,
                  "d": Audience.ADULTS}
AUDIENCE_CODE = {v: k for k, v in AUDIENCE_CODES.items()}
# Forms are matched by custom id in ``EventCog.on_interaction`` (they survive a restart). The
# new-event form carries the command's options: channel, capacity, audience, voice channel, weeks.
FORM = re.compile(
    r"k:v1:event:(?:new-form:(?P<channel>\d+):(?P<capacity>\d+):(?P<audience>[acmyd]):(?P<voice>\d+):(?P<weeks>\d+)"
    r"|edit-form:(?P<event>\d+):(?P<sequence>\d+):(?P<cap>\d+))"
)


class EventButton(FeatureButton, template=r"k:v1:event:(?P<action>[a-z]+):(?P<ref>\d+)"):
    """``k:v1:event:<action>:<event id>``: going, maybe, no, ics, giveup; ``EventCog.on_button``."""

    feature, desk = "event", "events"


def buttons(i18n: I18n, locale: str, ref: int, *actions: str) -> discord.ui.View:
    return EventButton.view_of(i18n, locale, ref, BUTTONS, *actions)


def card_view(i18n: I18n, locale: str, event: Event) -> discord.ui.View:
    if event.cancelled:
        return buttons(i18n, locale, event.id, "ics")
    return buttons(i18n, locale, event.id, "going", "maybe", "no", "ics")


def when(event: Event) -> str:
    """Discord timestamps: every viewer sees their own local time."""
    start, end = discord.utils.format_dt(event.starts_at, "F"), discord.utils.format_dt(event.ends_at, "t")
    if event.ends_at.date() != event.starts_at.date():
        end = discord.utils.format_dt(event.ends_at, "f")
    return f"{start} – {end} ({discord.utils.format_dt(event.starts_at, 'R')})"


def place(event: Event) -> str:
    parts = [neutralise(event.place)] if event.place else []
    if event.voice_channel_id:
        parts.append(f"<#{event.voice_channel_id}>")
    return ", ".join(parts)


def card(i18n: I18n, locale: str, event: Event, counts: dict[str, int]) -> discord.Embed:
    title = event.title if not event.cancelled else i18n.t(locale, "Cancelled: {title}", title=event.title)
    colour = discord.Colour.dark_grey() if event.cancelled else discord.Colour.teal()
    embed = discord.Embed(title=discord.utils.escape_markdown(title)[:256], colour=colour,
                          description=neutralise(event.description) if event.description else None)
    embed.add_field(name=i18n.t(locale, "When"), value=when(event), inline=False)
    embed.add_field(name=i18n.t(locale, "Place"), value=place(event) or "—", inline=False)
    embed.add_field(name=i18n.t(locale, "Organiser"), value=f"<@{event.organiser_id}>")
    if event.audience is not None:
        embed.add_field(name=i18n.t(locale, "For"), value=i18n.t(locale, AUDIENCE_NAMES[event.audience]))
    going = counts.get("going", 0)
    embed.add_field(name=i18n.t(locale, "Going"), value=f"{going} / {event.capacity}" if event.capacity else str(going),
                    inline=False)
    embed.add_field(name=i18n.t(locale, "Maybe"), value=str(counts.get("maybe", 0)))
    embed.add_field(name=i18n.t(locale, "Can't come"), value=str(counts.get("no", 0)))
    if event.capacity:
        embed.add_field(name=i18n.t(locale, "Waiting list"), value=str(counts.get("waiting", 0)))
    embed.set_footer(text=i18n.t(locale, "Event {number} · {when}", number=event.id,
                                 when=i18n.when(locale, event.starts_at, event.timezone)))
    return embed


class EventForm(discord.ui.Modal):
    """Title, description, start, end or duration, place; empty for a new event, filled for an edit."""

    def __init__(self, i18n: I18n, locale: str, custom_id: str, event: Event | None = None) -> None:
        title = i18n.t(locale, "New event") if event is None else i18n.t(locale, "Change the event")
        super().__init__(title=title, custom_id=custom_id, timeout=1800)
        starts = ends = None
        if event is not None:
            starts = i18n.when("fi", event.starts_at, event.timezone)  # the parser reads this form back
            ends = i18n.when("fi", event.ends_at, event.timezone)
        fields = (
            ("title", N_("Title"), None, discord.TextStyle.short, TITLE_MAX, True, event and event.title),
            ("description", N_("Description"), N_("What happens, who it is for, what to bring."),
             discord.TextStyle.paragraph, DESCRIPTION_MAX, False, event and event.description),
            ("start", N_("Starts"), N_("E.g. 12.12.2026 18:00, 12.12. klo 18 or to 18.30"), discord.TextStyle.short,
             40, True, starts),
            ("end", N_("Ends, or how long"), N_("E.g. 20.00, 2 h or 90 min"), discord.TextStyle.short, 40, True, ends),
            ("place", N_("Place (optional with a voice channel)"), N_("An address or a room, e.g. Kahvila Kohtaamo, Kauppakatu 1"),
             discord.TextStyle.short, PLACE_MAX, False, event and event.place),
        )
        for custom, label, description, style, max_length, required, default in fields:
            self.add_item(discord.ui.Label(
                text=i18n.t(locale, label), description=i18n.t(locale, description) if description else None,
                component=discord.ui.TextInput(custom_id=custom, style=style, max_length=max_length, required=required,
                                               default=default or None),
            ))


def new_form_id(channel_id: int, capacity: int | None, audience: Audience | None, voice_id: int | None,
                weeks: int) -> str:
    return f"k:v1:event:new-form:{channel_id}:{capacity or 0}:{AUDIENCE_CODE[audience]}:{voice_id or 0}:{weeks}"


def edit_form_id(event: Event, capacity: int | None) -> str:
    return f"k:v1:event:edit-form:{event.id}:{event.sequence}:{capacity or 0}"


class Coalescer:
    """One card edit for a burst of answers: the first answer starts a short wait, those that
    come meanwhile ride along, and one that lands during the edit gets one more edit after it."""

    def __init__(self, edit: Callable[[int], Awaitable[None]], delay: float = 0.3) -> None:
        self.edit = edit
        self.delay = delay
        self._running: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()

    def touch(self, key: int) -> None:
        if key in self._running:
            self._again.add(key)
            return
        self._running[key] = asyncio.create_task(self._run(key))

    async def _run(self, key: int) -> None:
        try:
            while True:
                await asyncio.sleep(self.delay)
                self._again.discard(key)
                try:
                    await self.edit(key)
                except Exception:
                    log.exception("could not refresh event card %s", key)
                if key not in self._again:
                    return
        finally:
            self._running.pop(key, None)

    async def flush(self) -> None:
        """Wait until every pending edit is done (tests, shutdown)."""
        while self._running:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*list(self._running.values()))
